"""The technician exit: a gesture (five quick taps on the hall's name, top left) opens a PIN
pad; the PIN is checked against ``[kiosk] technician_pin_hash`` (scrypt, off the UI thread).
Three wrong PINs lock the pad for :data:`LOCK_S`. Unlocked, the technician may close the
kiosk (``quitRequested``) or go back to service. Without a configured hash there is no exit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.pin import pin_ok
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.pinpad import PinEntry

log = logging.getLogger(__name__)

TAPS = 5
TAP_WINDOW_S = 4.0
TRIES = 3
LOCK_S = 300.0


class TechnicianVm(ScreenVm):
    changed = Signal()
    openRequested = Signal()  # noqa: N815 - the gesture was made: show the PIN pad
    quitRequested = Signal()  # noqa: N815 - the technician closes the kiosk

    def __init__(self, ctx: Context, pin_hash: str, clock: Callable[[], float] = time.monotonic,
                 outbox: Callable[[], Mapping[str, int]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hash, self._clock, self._outbox_counts = pin_hash, clock, outbox
        self._outbox = ""
        self._taps: list[float] = []
        self._failures = 0
        self._locked_until = 0.0
        self._checking = False
        self._unlocked = False
        self._fault = ""
        self.entry = PinEntry(6, 12, self)

    @Property(QObject, constant=True)
    def pin(self) -> PinEntry:
        return self.entry

    @Property(bool, notify=changed)
    def unlocked(self) -> bool:
        return self._unlocked

    @Property(bool, notify=changed)
    def checking(self) -> bool:
        return self._checking

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(str, notify=changed)
    def outbox(self) -> str:
        """The outbox's count for staff, once unlocked (applications waiting to be sent)."""
        return self._outbox

    @Slot()
    def refreshOutbox(self) -> None:  # noqa: N802 - QML name
        if not self._unlocked:
            return
        if self._outbox_counts is None:
            self._outbox = self.t("technician_outbox_none")
            self.changed.emit()
            return
        self.ctx.tasks.run(self._outbox_counts, self._counted, self._uncounted)

    def _counted(self, counts: Mapping[str, int]) -> None:
        self._outbox = self.t("technician_outbox", waiting=counts.get("waiting", 0),
                              refused=counts.get("refused", 0), sent=counts.get("sent", 0))
        self.changed.emit()

    def _uncounted(self, exc: BaseException) -> None:
        log.warning("kiosk.technician.outbox_unreadable: %s", type(exc).__name__,
                    extra={"event": "kiosk.technician.outbox_unreadable"})
        self._outbox = self.t("technician_outbox_unreadable")
        self.changed.emit()

    @property
    def enabled(self) -> bool:
        return bool(self._hash)

    @Slot()
    def tap(self) -> None:
        """One tap on the hall's name; five within a few seconds open the PIN pad."""
        if not self._hash:
            return
        now = self._clock()
        self._taps = [t for t in self._taps if now - t <= TAP_WINDOW_S] + [now]
        if len(self._taps) >= TAPS:
            self._taps.clear()
            self.reset()
            log.info("kiosk.technician.gesture", extra={"event": "kiosk.technician.gesture"})
            self.openRequested.emit()

    @Slot()
    def enter(self) -> None:
        if self._checking or not self.entry.complete:
            return
        if self._clock() < self._locked_until:
            self.entry.take()
            self._fault = self.t("technician_locked")
            self.changed.emit()
            return
        pin, stored = self.entry.take(), self._hash
        self._checking, self._fault = True, ""
        self.changed.emit()
        self.ctx.tasks.run(lambda: pin_ok(pin, stored), self._checked)

    def _checked(self, ok: bool) -> None:
        self._checking = False
        if ok:
            self._failures, self._unlocked = 0, True
            log.warning("kiosk.technician.unlocked", extra={"event": "kiosk.technician.unlocked"})
            self.refreshOutbox()
        else:
            self._failures += 1
            log.warning("kiosk.technician.wrong_pin",
                        extra={"event": "kiosk.technician.wrong_pin", "tries": self._failures})
            if self._failures >= TRIES:
                self._failures = 0
                self._locked_until = self._clock() + LOCK_S
                self._fault = self.t("technician_locked")
            else:
                self._fault = self.t("technician_wrong", n=TRIES - self._failures)
        self.changed.emit()

    @Slot()
    def quit(self) -> None:
        if self._unlocked:
            log.warning("kiosk.technician.quit", extra={"event": "kiosk.technician.quit"})
            self.quitRequested.emit()

    def reset(self) -> None:
        self.entry.take()
        self._unlocked, self._checking, self._fault, self._outbox = False, False, "", ""
        self.changed.emit()

    def wipe(self) -> None:
        self.reset()
        super().wipe()
