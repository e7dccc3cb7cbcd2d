"""The on-screen keyboard's state for form fields: letters, digits, and pinyin composition.

QML's ``Keyboard`` sends keys here; the composed text goes to the field being edited through
``edited``. In pinyin mode letters compose (``kaifeng``) and the candidates row offers
Chinese (开, 开封 ...); a tap on a candidate commits it. Nothing is learnt or remembered:
``wipe()`` forgets the composition and the text."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.pinyin import PinyinIme


class KeyboardVm(QObject):
    changed = Signal()
    edited = Signal(str)

    def __init__(self, ime: Callable[[], PinyinIme | None], parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self._ime = ime
        self._mode = "pinyin"
        self._text = ""
        self._composing = ""
        self._limit = 60

    @Property(str, notify=changed)
    def mode(self) -> str:
        return self._mode

    @Property(str, notify=changed)
    def composing(self) -> str:
        return self._composing

    @Property(list, notify=changed)
    def candidates(self) -> list[str]:
        return self._candidates()

    def _candidates(self) -> list[str]:
        ime = self._ime()
        if not self._composing or ime is None:
            return []
        return list(ime.candidates(self._composing, 10))

    @Property(str, notify=changed)
    def text(self) -> str:
        return self._text

    def begin(self, text: str, mode: str, limit: int = 60) -> None:
        self._text, self._composing, self._limit = text, "", limit
        self._mode = mode if mode in ("letters", "digits", "pinyin") else "pinyin"
        self.changed.emit()

    @Slot(str)
    def setMode(self, mode: str) -> None:  # noqa: N802
        self._commit_letters()
        self._mode = mode
        self.changed.emit()

    @Slot(str)
    def key(self, key: str) -> None:
        if self._mode == "pinyin" and key.isascii() and key.isalpha():
            self._composing = (self._composing + key.lower())[:24]
            self.changed.emit()
            return
        self._put(key)

    @Slot()
    def space(self) -> None:
        if self._composing:
            cands = self._candidates()
            self.choose(cands[0]) if cands else self._commit_letters()
        else:
            self._put(" ")

    @Slot()
    def backspace(self) -> None:
        if self._composing:
            self._composing = self._composing[:-1]
            self.changed.emit()
        elif self._text:
            self._text = self._text[:-1]
            self.changed.emit()
            self.edited.emit(self._text)

    @Slot(str)
    def choose(self, candidate: str) -> None:
        ime = self._ime()
        rest = ime.consumed(self._composing, candidate) if ime else ""
        self._composing = rest
        self._put(candidate)

    def _commit_letters(self) -> None:
        if self._composing:
            letters, self._composing = self._composing, ""
            self._put(letters)

    def _put(self, text: str) -> None:
        self._text = (self._text + text)[:self._limit]
        self.changed.emit()
        self.edited.emit(self._text)

    def wipe(self) -> None:
        self._text, self._composing = "", ""
        self.changed.emit()
