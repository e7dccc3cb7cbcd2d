"""The kiosk's speech engine in a process of its own: ``python -m kiosk.speech_worker [ENGINE]``.

QtTextToSpeech's ``speechd`` engine (Qt's default on Linux) talks to speech-dispatcher with
blocking calls, and PySide6 keeps the GIL through them. On this machine, which has no sound
device, speech-dispatcher took 20 s to start (under load) and then stopped answering (a ``stop``
after the first utterance never returned): in the kiosk's process that froze every thread, the
UI's too. Here only this process waits; the kiosk sees no answer and goes on silently
(:class:`kiosk.speech.Speech`).

stdin, one JSON object a line::

    {"say": n, "lang": "zh" | "en", "words": "..."}     say it (stopping what is being said)
    {"stop": true}                                       stop talking

stdout, one JSON object a line::

    {"ready": true, "engine": "speechd", "voices": ["zh", "en"]}   the engine is up
    {"ready": false, "why": "..."}                      it could not start (then this exits)
    {"said": n}                                         the engine took utterance n
    {"word": "..."}                                     the engine is saying this word
    {"error": "..."}                                    the engine reported an error

The end of stdin ends it; it also dies with the kiosk (``PR_SET_PDEATHSIG``), even when the
engine holds it in a call that never returns.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
from typing import Any

ZH_VOICE_NAMES = ("cmn", "mandarin", "chinese", "zh")
"""espeak-ng's Mandarin voice is listed under an English locale by Qt: found by name."""
PR_SET_PDEATHSIG = 1


def send(message: dict[str, Any]) -> None:
    try:
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the kiosk went away
        os._exit(0)


def die_with_parent() -> None:
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the kiosk died before the call
        os._exit(0)


def find_voice(tts: Any, lang: str) -> Any:
    """A voice for ``lang`` (``zh``, ``en``): by its locale's language, for Chinese also by name."""
    from PySide6.QtCore import QLocale  # noqa: PLC0415

    want = QLocale.Language.Chinese if lang == "zh" else QLocale.Language.English
    start = tts.locale()
    found = None
    for locale in tts.availableLocales():
        tts.setLocale(locale)
        for voice in tts.availableVoices():
            name = voice.name().lower()
            if voice.locale().language() == want or (
                    lang == "zh" and any(n in name for n in ZH_VOICE_NAMES)):
                found = voice
                break
        if found is not None:
            break
    tts.setLocale(start)
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    engine = args[0] if args else ""
    die_with_parent()
    from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot  # noqa: PLC0415

    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # noqa: PLC0415 - optional
    except ImportError as exc:
        send({"ready": False, "why": f"QtTextToSpeech is not installed ({exc})"})
        return 3
    app = QCoreApplication(["kiosk-speech"])
    tts = QTextToSpeech(engine) if engine else QTextToSpeech()
    if tts.state() == QTextToSpeech.State.Error:
        send({"ready": False, "why": f"engine {engine or 'default'}: "
                                     f"{tts.errorString() or 'did not start'}"})
        return 3
    voices = {x: v for x in ("zh", "en") if (v := find_voice(tts, x)) is not None}
    tts.errorOccurred.connect(lambda _reason, words: send({"error": words}))
    tts.sayingWord.connect(lambda word, *_: send({"word": word}))

    class Inbox(QObject):
        """The commands, read on a thread, handled on this one (the engine's)."""

        arrived = Signal(object)

        @Slot(object)
        def handle(self, command: object) -> None:
            if not isinstance(command, dict):
                app.quit()  # end of input
                return
            if "say" in command:
                voice = voices.get(str(command.get("lang")))
                if voice is not None and voice != tts.voice():
                    tts.setVoice(voice)
                tts.stop()
                tts.say(str(command.get("words", "")))
                send({"said": command["say"]})
            elif command.get("stop"):
                tts.stop()

    inbox = Inbox()
    inbox.arrived.connect(inbox.handle)

    def read() -> None:
        for line in sys.stdin:
            try:
                command = json.loads(line)
            except ValueError:
                continue
            inbox.arrived.emit(command)
        inbox.arrived.emit(None)

    threading.Thread(target=read, name="speech-stdin", daemon=True).start()
    send({"ready": True, "engine": str(tts.engine()), "voices": sorted(voices)})
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
