"""Rate the service (好差评, GB/T 39734-2020): five levels, nothing preselected; the last two
(差评) ask for at least one reason from the hall's list (``other`` also asks for words), and
anyone may add a comment typed with the on-screen keyboard. One rating per application: the
back office refuses a second (``Fault.ALREADY_RATED``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.ports import LEVELS, CaseRef, HallPort, Rating, Reason
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.keyboard import KeyboardVm
from kiosk.vm.rows import Rows

LEVEL_ICONS = ("rate", "rate", "check", "warning", "warning")
COMMENT_MAX = 200


class RateVm(ScreenVm):
    changed = Signal()
    done = Signal()

    def __init__(self, ctx: Context, hall: HallPort, keyboard: KeyboardVm,
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall, self.keyboard = hall, keyboard
        self._case: CaseRef | None = None
        self._label = ""
        self._level = ""
        self._reasons: list[Reason] = []
        self._chosen: set[str] = set()
        self._comment = ""
        self._typing = False
        self._busy = False
        self._sent = False
        self._fault = ""
        self._levels = Rows(["code", "text", "icon", "chosen", "bad"], self)
        self._reason_rows = Rows(["code", "text", "chosen"], self)
        keyboard.edited.connect(self._typed)

    # -- properties -----------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def levels(self) -> Rows:
        return self._levels

    @Property(QObject, constant=True)
    def reasons(self) -> Rows:
        return self._reason_rows

    @Property(QObject, constant=True)
    def kb(self) -> KeyboardVm:
        return self.keyboard

    @Property(str, notify=changed)
    def level(self) -> str:
        return self._level

    @Property(bool, notify=changed)
    def bad(self) -> bool:
        return self._level in LEVELS[3:]

    @Property(str, notify=changed)
    def caseLabel(self) -> str:  # noqa: N802
        return self._label

    @Property(str, notify=changed)
    def comment(self) -> str:
        return self._comment

    @Property(bool, notify=changed)
    def typing(self) -> bool:
        return self._typing

    @Property(bool, notify=changed)
    def busy(self) -> bool:
        return self._busy

    @Property(bool, notify=changed)
    def sent(self) -> bool:
        return self._sent

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(str, notify=changed)
    def missing(self) -> str:
        """What still stops the rating being sent, in words ('' = it can be sent)."""
        return self._missing()

    def _missing(self) -> str:
        if not self._level:
            return self.t("rate_choose_level")
        if self.bad and not self._chosen:
            return self.t("rate_choose_reason")
        if "other" in self._chosen and not self._comment.strip():
            return self.t("rate_say_other")
        return ""

    @Property(bool, notify=changed)
    def canSend(self) -> bool:  # noqa: N802
        return self._case is not None and not self._missing() and not self._busy \
            and not self._sent

    # -- flow -----------------------------------------------------------------------------------
    def start(self, case: CaseRef, label: str = "") -> None:
        self.reset()
        self._case, self._label = case, label
        self._fill()
        self.ctx.tasks.run(self._hall.rating_reasons, self._got_reasons,
                           lambda exc: self._got_reasons(()))

    def _got_reasons(self, reasons: Sequence[Reason]) -> None:
        self._reasons = list(reasons)
        self._fill()

    @Slot(str)
    def choose(self, level: str) -> None:
        if level in LEVELS and not self._sent:
            self._level = level
            if not self.bad:
                self._chosen.clear()
            self._fault = ""
            self._fill()

    @Slot(str)
    def toggleReason(self, code: str) -> None:  # noqa: N802
        if code in self._chosen:
            self._chosen.discard(code)
        elif any(r.code == code for r in self._reasons):
            self._chosen.add(code)
        self._fill()

    @Slot()
    def editComment(self) -> None:  # noqa: N802
        self._typing = True
        self.keyboard.begin(self._comment, "pinyin", COMMENT_MAX)
        self.changed.emit()

    @Slot()
    def stopTyping(self) -> None:  # noqa: N802
        self._typing = False
        self.changed.emit()

    def _typed(self, text: str) -> None:
        if self._typing:
            self.ctx.begin_personal()
            self._comment = text
            self.changed.emit()

    @Slot()
    def send(self) -> None:
        if not self.canSend or self._case is None:
            return
        rating = Rating(self._case, self._level,
                        tuple(r.code for r in self._reasons if r.code in self._chosen),
                        self._comment.strip())
        self._busy, self._typing, self._fault = True, False, ""
        self.changed.emit()
        self.ctx.tasks.run(lambda: self._hall.rate(rating), self._rated, self._failed)

    def _rated(self, _: object) -> None:
        self._busy, self._sent = False, True
        self.ctx.speak("rate_thanks")
        self.changed.emit()
        self.done.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._fault = self.fault_words(exc)
        self.changed.emit()

    # -- rows -------------------------------------------------------------------------------------
    def _fill(self) -> None:
        self._levels.replace([
            {"code": code, "text": self.t(f"rate_{code}"), "icon": icon,
             "chosen": code == self._level, "bad": i >= 3}
            for i, (code, icon) in enumerate(zip(LEVELS, LEVEL_ICONS, strict=True))])
        self._reason_rows.replace([
            {"code": r.code, "text": self.pick(r.text), "chosen": r.code in self._chosen}
            for r in self._reasons])
        self.changed.emit()

    def relabel(self) -> None:
        self._fill()

    def reset(self) -> None:
        self._case, self._label, self._level = None, "", ""
        self._chosen.clear()
        self._comment, self._typing, self._busy, self._sent, self._fault = "", False, False, \
            False, ""
        self.keyboard.wipe()

    def wipe(self) -> None:
        self.reset()
        self._fill()
        super().wipe()
