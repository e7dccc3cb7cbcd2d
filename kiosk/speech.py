"""Spoken prompts (``[kiosk] speech``, off by default): each screen's prompt and each fault
said in the session's language through QtTextToSpeech (PySide6-Addons, the ``speech`` extra).

Only the catalogue's fixed words are ever spoken: a code whose words have blanks to fill
(``{name}``, ``{n}``) is never said, so nothing personal (a name, an ID number, a balance)
can reach the loudspeaker. Without PySide6-Addons, or with an engine that does not load,
speech is unavailable (one log line) and the kiosk runs on silently.

:class:`Prompter` decides *when*: whenever the screen, the apply wizard's step or the language
changes, it says that screen's prompt (:data:`PROMPTS`, else the header's title).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLocale, QObject

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

ZH_VOICE_NAMES = ("cmn", "mandarin", "chinese", "zh")
"""espeak-ng's Mandarin voice is listed under an English locale by Qt: found by name."""


class Speech:
    def __init__(self, words: Catalogue, lang: Callable[[], Lang], engine: str = "",
                 parent: QObject | None = None) -> None:
        self._words, self._lang = words, lang
        self._tts: Any = None
        self._voices: dict[str, Any] = {}
        self._last: tuple[str, str] | None = None
        self.spoken: deque[tuple[str, str]] = deque(maxlen=32)
        """(language, words) of the latest prompts said (the catalogue's words only)."""
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech  # noqa: PLC0415 - optional
        except ImportError as exc:
            log.warning("kiosk.speech.unavailable: QtTextToSpeech is not installed (%s)", exc,
                        extra={"event": "kiosk.speech.unavailable"})
            return
        tts = QTextToSpeech(engine, parent) if engine else QTextToSpeech(parent)
        if tts.state() == QTextToSpeech.State.Error:
            log.warning("kiosk.speech.unavailable: engine %s: %s", engine or "default",
                        tts.errorString(), extra={"event": "kiosk.speech.unavailable"})
            return
        self._tts = tts
        self._voices = {x: v for x in ("zh", "en") if (v := self._voice(x))}
        for x in ("zh", "en"):
            if x not in self._voices:
                log.info("kiosk.speech.no_voice %s", x,
                         extra={"event": "kiosk.speech.no_voice", "lang": x})

    @property
    def available(self) -> bool:
        return self._tts is not None

    @property
    def engine(self) -> Any:
        """The QTextToSpeech (None when speech is unavailable)."""
        return self._tts

    def speak(self, code: str) -> None:
        """Say the words of ``code`` in the session's language (not again while they are the
        last thing said: a fault shown on every camera frame is said once)."""
        if self._tts is None:
            return
        lang = self._lang()
        pair = self._words.entries.get(code)
        if pair is None:
            return
        words = pair[0] if lang == "zh" else pair[1]
        if "{" in words or (code, lang) == self._last:
            return  # blanks would be filled with personal data: never said
        self._last = (code, lang)
        voice = self._voices.get(lang)
        if voice is not None and voice != self._tts.voice():
            self._tts.setVoice(voice)
        self._tts.stop()
        self._tts.say(words)
        self.spoken.append((lang, words))

    def reset(self) -> None:
        """The session ended: stop talking, forget what was said last."""
        self._last = None
        if self._tts is not None:
            self._tts.stop()

    def _voice(self, lang: str) -> Any:
        want = QLocale.Language.Chinese if lang == "zh" else QLocale.Language.English
        start = self._tts.locale()
        found = None
        for locale in self._tts.availableLocales():
            self._tts.setLocale(locale)
            for voice in self._tts.availableVoices():
                name = voice.name().lower()
                if voice.locale().language() == want or (
                        lang == "zh" and any(n in name for n in ZH_VOICE_NAMES)):
                    found = voice
                    break
            if found is not None:
                break
        self._tts.setLocale(start)
        return found


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
