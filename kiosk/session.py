"""The citizen's session: idle warning, countdown, and the wipe that ends it.

A session is *personal* from the moment the citizen logs in or types anything, and until it
ends. Nobody touching the screen for ``idle_s`` (away from the idle home screen) raises the
warning: an overlay covering the content with a countdown of ``warning_s`` (at least 20 s,
WCAG 2.2.1) and one tap to continue. When the countdown runs out, the card is removed, or the
citizen taps 退出, the session ends: :attr:`Session.ended` fires and every view-model wipes
what it held (see :class:`kiosk.vm.app.KioskVm.wipe`), and :class:`SessionFolder` deletes the
session's files. Times are longer in care mode.

Time is read from an injectable clock and checked by a 250 ms timer, so tests move the clock
instead of sleeping.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

MIN_WARNING_S = 20.0


class SessionFolder:
    """A private folder (mode 0700) for one session's files, deleted when the session ends."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / f"s-{secrets.token_hex(8)}"
            path.mkdir(mode=0o700)
            self._path = path
        return self._path

    def wipe(self) -> None:
        """Delete this session's folder, and any a crash left behind."""
        self._path = None
        if not self.root.exists():
            return
        for child in self.root.iterdir():
            if child.name.startswith("s-"):
                shutil.rmtree(child, ignore_errors=True)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(child)  # a stray file of that name


class Session(QObject):
    """Idle timing and the end of a session. ``ended(reason)``: ``idle``, ``card_removed``,
    ``exit`` (the citizen), ``home``."""

    changed = Signal()
    ended = Signal(str)

    def __init__(self, idle_s: float, warning_s: float, idle_care_s: float,
                 warning_care_s: float, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._times = {False: (idle_s, max(warning_s, MIN_WARNING_S)),
                       True: (idle_care_s, max(warning_care_s, MIN_WARNING_S))}
        self._clock = clock
        self._care = False
        self._armed = False
        self._personal = False
        self._last = clock()
        self._warning = False
        self._left = 0
        self._remaining = 0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # -- state for QML ------------------------------------------------------------------------
    @Property(bool, notify=changed)
    def personal(self) -> bool:
        return self._personal

    @property
    def is_personal(self) -> bool:
        return self._personal

    @Property(bool, notify=changed)
    def warning(self) -> bool:
        return self._warning

    @Property(int, notify=changed)
    def countdown(self) -> int:
        """Seconds left on the warning (while ``warning``)."""
        return self._left

    @Property(int, notify=changed)
    def secondsLeft(self) -> int:  # noqa: N802
        """Seconds until the session ends by itself if nobody touches the screen."""
        return self._remaining

    @Property(int, notify=changed)
    def warningSeconds(self) -> int:  # noqa: N802
        return round(self._times[self._care][1])

    @property
    def idle_limit(self) -> float:
        """Seconds without a touch before the warning (care mode: longer)."""
        return self._times[self._care][0]

    def stop(self) -> None:
        """No more ticks (the kiosk is closing)."""
        self._timer.stop()

    # -- inputs ---------------------------------------------------------------------------------
    def set_care(self, care: bool) -> None:
        self._care = care
        self.changed.emit()

    def arm(self, armed: bool) -> None:
        """Idle timing runs while the kiosk is away from its idle home screen."""
        if armed != self._armed:
            self._armed = armed
            self._last = self._clock()
            if not armed:
                self._set_warning(False, 0)

    def begin_personal(self) -> None:
        if not self._personal:
            self._personal = True
            self.changed.emit()

    @Slot()
    def touch(self) -> None:
        """Any touch, click or key: the citizen is there."""
        self._last = self._clock()
        if self._warning:
            self._set_warning(False, 0)

    @Slot()
    def extend(self) -> None:
        """The warning's one tap to continue."""
        self.touch()

    @Slot()
    def exit(self) -> None:
        """The citizen's 退出 (end session): wipe everything now."""
        self.end("exit")

    def end(self, reason: str) -> None:
        log.info("kiosk.session.ended %s", reason,
                 extra={"event": "kiosk.session.ended", "reason": reason})
        self._personal = False
        self._set_warning(False, 0)
        self._last = self._clock()
        self.changed.emit()
        self.ended.emit(reason)

    @Slot()
    def tick(self) -> None:
        if not self._armed:
            return
        idle, warning = self._times[self._care]
        quiet = self._clock() - self._last
        remaining = max(0, math.ceil(idle + warning - quiet))
        if remaining != self._remaining:
            self._remaining = remaining
            self.changed.emit()
        if quiet < idle:
            if self._warning:
                self._set_warning(False, 0)
            return
        left = math.ceil(idle + warning - quiet)
        if left <= 0:
            self.end("idle")
        else:
            self._set_warning(True, left)

    def _set_warning(self, on: bool, left: int) -> None:
        if (on, left) != (self._warning, self._left):
            self._warning, self._left = on, left
            self.changed.emit()


class ActivityFilter(QObject):
    """Installed on the application: every press, touch or key counts as activity."""

    KINDS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                       QEvent.Type.KeyPress, QEvent.Type.Wheel})

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in self.KINDS:
            self._session.touch()
        return False
