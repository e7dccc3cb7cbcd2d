"""Spoken prompts (``[kiosk] speech``, off by default): each screen's prompt and each fault
said in the session's language through QtTextToSpeech (PySide6-Addons, the ``speech`` extra).

Only the catalogue's fixed words are ever spoken: a code whose words have blanks to fill
(``{name}``, ``{n}``) is never said, so nothing personal (a name, an ID number, a balance)
can reach the loudspeaker. Without PySide6-Addons, or with an engine that does not start or
stops answering, speech is unavailable (one log line) and the kiosk runs on silently.

The engine runs in a process of its own (:mod:`kiosk.speech_worker`): Qt's default engine on
Linux, ``speechd``, waits for speech-dispatcher in blocking calls that keep the GIL, and on this
machine (no sound device) one of them never returned. The kiosk only writes the words to the
worker's pipe (never blocking: a worker that does not read is a dead engine) and reads its
answers on a thread: an utterance the engine has not taken within :data:`ANSWER_S` seconds,
or no engine up within :data:`START_S`, makes speech unavailable. A prompt made while the
engine starts is said once it is up (only the latest: each prompt replaces the one before).

:class:`Prompter` decides *when*: whenever the screen, the apply wizard's step or the language
changes, it says that screen's prompt (:data:`PROMPTS`, else the header's title).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.i18n import Catalogue, Lang

log = logging.getLogger(__name__)

PROMPTS = {
    "home": "speech_home", "find": "find_search", "guide": "title_guide",
    "apply/identity": "apply_login", "apply/form": "apply_form_hint",
    "apply/materials": "speech_materials", "apply/review": "speech_review",
    "apply/submit": "apply_submitting", "apply/receipt": "apply_submitted",
    "progress": "title_progress", "card": "card_tap_hint", "rate": "title_rate",
    "complain": "title_complain", "technician": "title_technician",
}
"""Screen (``apply/STEP`` for the wizard) -> the catalogue code said when it comes up."""

START_S = 90.0
"""The engine must be up by then (speech-dispatcher's start took 20 s here under load)."""
ANSWER_S = 10.0
"""An utterance handed to the engine must be taken by then."""


class Speech(QObject):
    """The kiosk's side (UI thread): what to say and when; the engine in its worker process."""

    _heard = Signal(object)
    """The worker's answers, relayed from the reader thread to the UI thread."""

    def __init__(self, words: Catalogue, lang: Callable[[], Lang], engine: str = "",
                 parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._words, self._lang, self._clock = words, lang, clock
        self._last: tuple[str, str] | None = None
        self._n = 0
        self._waiting: dict[int, float] = {}
        """Utterances handed to the engine and not taken yet: when each was handed."""
        self._pending: dict[str, Any] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.state = "starting"
        """``starting`` (the engine is being made), ``ready``, ``unavailable`` or ``closed``."""
        self.engine_name = ""
        self.spoken: deque[tuple[str, str]] = deque(maxlen=32)
        """(language, words) of the latest prompts handed to the engine (catalogue words)."""
        self.said = 0
        """Utterances the engine took."""
        self.heard: deque[str] = deque(maxlen=256)
        """The words the engine reported saying (its ``sayingWord``), latest last."""
        self._heard.connect(self._on_answer)
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech  # noqa: F401, PLC0415 - optional
        except ImportError as exc:
            self._unavailable(f"QtTextToSpeech is not installed ({exc})")
            return
        threading.Thread(target=self._run, args=(engine,), name="kiosk-speech",
                         daemon=True).start()
        QTimer.singleShot(int(START_S * 1000), self, self._start_timeout)

    @property
    def available(self) -> bool:
        """The engine is up (False while it starts, and for good once it could not)."""
        return self.state == "ready"

    def speak(self, code: str) -> None:
        """Say the words of ``code`` in the session's language (not again while they are the
        last thing said: a fault shown on every camera frame is said once)."""
        if self.state not in ("starting", "ready"):
            return
        lang = self._lang()
        pair = self._words.entries.get(code)
        if pair is None:
            return
        words = pair[0] if lang == "zh" else pair[1]
        if "{" in words or (code, lang) == self._last:
            return  # blanks would be filled with personal data: never said
        self._last = (code, lang)
        self._n += 1
        command = {"say": self._n, "lang": lang, "words": words}
        if self.state == "ready":
            self._say(command)
        else:
            self._pending = command

    def reset(self) -> None:
        """The session ended: stop talking, forget what was said last."""
        self._last, self._pending = None, None
        if self.state == "ready":
            self._send({"stop": True})

    def close(self) -> None:
        """End the worker (at once if it does not end with its input)."""
        self.state = "closed"
        self._end_worker()

    # -- the worker ---------------------------------------------------------------------------
    def _run(self, engine: str) -> None:
        """On the speech thread: start the worker, then relay its answers."""
        try:
            proc = subprocess.Popen([sys.executable, "-m", "kiosk.speech_worker", engine],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, close_fds=True)
        except OSError as exc:
            self._relay({"ready": False, "why": f"the speech worker did not start: {exc}"})
            return
        assert proc.stdin is not None and proc.stdout is not None
        os.set_blocking(proc.stdin.fileno(), False)
        self._proc = proc
        if self.state not in ("starting", "ready"):  # closed (or given up) meanwhile
            self._end_worker()
            return
        for line in proc.stdout:
            with contextlib.suppress(ValueError):
                if not self._relay(json.loads(line)):
                    return
        self._relay({"gone": proc.wait()})

    def _relay(self, answer: object) -> bool:
        try:
            self._heard.emit(answer)
        except RuntimeError:  # the kiosk is gone
            return False
        return True

    @Slot(object)
    def _on_answer(self, answer: object) -> None:
        if not isinstance(answer, dict) or self.state in ("unavailable", "closed"):
            if self.state == "closed":
                self._end_worker()
            return
        if "ready" in answer and self.state == "starting":
            if not answer["ready"]:
                self._unavailable(str(answer.get("why", "the engine did not start")))
                return
            self.state, self.engine_name = "ready", str(answer.get("engine", ""))
            log.info("kiosk.speech.ready %s", self.engine_name, extra={
                "event": "kiosk.speech.ready", "engine": self.engine_name,
                "voices": answer.get("voices")})
            pending, self._pending = self._pending, None
            if pending is not None:
                self._say(pending)
        elif "said" in answer:
            self.said += 1
            for n in [n for n in self._waiting if n <= int(answer["said"])]:
                del self._waiting[n]
        elif "word" in answer:
            self.heard.append(str(answer["word"]))
        elif "error" in answer:
            self._unavailable(f"engine error: {answer['error']}")
        elif "gone" in answer:
            self._unavailable(f"the speech worker ended ({answer['gone']})")

    def _say(self, command: dict[str, Any]) -> None:
        if self._answer_overdue():
            return
        if self._send(command):
            self._waiting[int(command["say"])] = self._clock()
            self.spoken.append((str(command["lang"]), str(command["words"])))
            self._arm(ANSWER_S)

    def _arm(self, seconds: float) -> None:
        QTimer.singleShot(int(seconds * 1000) + 100, self, self._look_again)

    @Slot()
    def _look_again(self) -> None:
        """The overdue check on a timer, armed again while an utterance waits and is not yet
        overdue: Qt's coarse timers may fire up to 5 % early, and a check that came early once
        was never made again (the kiosk's speech stayed "ready" with the engine hung)."""
        if not self._answer_overdue() and self.state == "ready" and self._waiting:
            self._arm(ANSWER_S - (self._clock() - min(self._waiting.values())))

    def _answer_overdue(self) -> bool:
        """An utterance not taken within :data:`ANSWER_S`: the engine hangs (unavailable)."""
        if self.state == "ready" and self._waiting \
                and self._clock() - min(self._waiting.values()) > ANSWER_S:
            self._unavailable(f"the engine took nothing for {ANSWER_S:g} s")
            return True
        return False

    def _send(self, command: dict[str, Any]) -> bool:
        proc = self._proc
        if proc is None or proc.stdin is None:
            return False
        try:
            os.write(proc.stdin.fileno(), json.dumps(command, ensure_ascii=False).encode()
                     + b"\n")
        except (BlockingIOError, BrokenPipeError, OSError, ValueError):
            self._unavailable("the engine does not read what it is given")
            return False
        return True

    @Slot()
    def _start_timeout(self) -> None:
        if self.state == "starting":
            self._unavailable(f"the engine was not up within {START_S:g} s")

    def _unavailable(self, why: str) -> None:
        self.state = "unavailable"
        self._pending, self._waiting = None, {}
        log.warning("kiosk.speech.unavailable: %s", why,
                    extra={"event": "kiosk.speech.unavailable"})
        self._end_worker()

    def _end_worker(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None:
                proc.stdin.close()  # the end of its input: it ends
        with contextlib.suppress(OSError):
            proc.kill()  # unless the engine holds it: never wait for it
        threading.Thread(target=proc.wait, name="kiosk-speech-reap", daemon=True).start()


class Prompter:
    """Says the prompt of the screen that came up (``where()``: ``screen`` or ``apply/STEP``),
    again in the other language when the language changes."""

    def __init__(self, speech: Speech, where: Callable[[], str],
                 lang: Callable[[], str]) -> None:
        self._speech, self._where, self._lang = speech, where, lang
        self._last = ("", "")

    def update(self) -> None:
        now = (self._where(), self._lang())
        if now == self._last:
            return
        self._last = now
        screen = now[0]
        self._speech.speak(PROMPTS.get(screen, f"title_{screen.split('/')[0]}"))

    def reset(self) -> None:
        self._last = ("", "")
        self._speech.reset()
