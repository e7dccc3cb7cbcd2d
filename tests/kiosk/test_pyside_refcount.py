"""PySide6 6.12.0 returned a borrowed ``True`` from every signal emit: each emit dropped one
reference to ``True`` until the interpreter freed it and aborted (``bool_dealloc``). A kiosk
emits signals all day (the idle countdown alone, every second), so the version in use must not
leak. pyproject.toml excludes 6.12.0; this test catches the next such release."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication


class _Emitter(QObject):
    plain = Signal()
    flag = Signal(bool)


def test_signal_emits_keep_the_references_to_true_and_false(qapp: QGuiApplication) -> None:
    emitter = _Emitter()
    emitter.flag.connect(lambda value: None)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.plain.emit()
        emitter.flag.emit(True)
        emitter.flag.emit(False)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] >= before[0] - 2 and after[1] >= before[1] - 2, (before, after)
