"""A PIN being typed on the on-screen PIN pad: digits only, shown as dots, never in a log,
a property or the UI tree (QML sees how many digits, not which)."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot


class PinEntry(QObject):
    changed = Signal()

    def __init__(self, minimum: int = 6, maximum: int = 6, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.minimum, self.maximum = minimum, maximum
        self._digits = ""

    @Property(int, notify=changed)
    def length(self) -> int:
        return len(self._digits)

    @Property(int, notify=changed)
    def maxLength(self) -> int:  # noqa: N802
        return self.maximum

    @Property(bool, notify=changed)
    def complete(self) -> bool:
        return self.minimum <= len(self._digits) <= self.maximum

    @Slot(str)
    def key(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self._digits) < self.maximum:
            self._digits += digit
            self.changed.emit()

    @Slot()
    def backspace(self) -> None:
        if self._digits:
            self._digits = self._digits[:-1]
            self.changed.emit()

    @Slot()
    def clear(self) -> None:
        if self._digits:
            self._digits = ""
            self.changed.emit()

    def take(self) -> str:
        """The PIN, once: the pad is empty afterwards."""
        pin, self._digits = self._digits, ""
        self.changed.emit()
        return pin
