"""Progress (进度查询): find an application by its number and the last 6 characters of the ID
number (typed on the on-screen keypad), by the receipt's QR code shown to the camera, or by
tapping the city card (every application of its holder); then its status, timeline, promised
date and whether it is overdue.

The same screen finds the application to rate when the citizen comes from the home screen's
评价 tile (``purpose == "rate"``): the primary action is then 评价 and ``rateRequested`` carries
how to reach the application (:class:`kiosk.ports.CaseRef`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.images import bgr_to_qimage
from kiosk.ports import CaseRef, Fault, HallPort, Identity, Progress, ScanFrame, ScannerPort
from kiosk.tasks import Relay
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.rows import Rows

WAYS = ("", "number", "qr")
NUMBER_LEN, TAIL_LEN = 14, 6
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,64}")


def token_of(qr_text: str) -> str:
    """The QR token in what a receipt's QR code says (the token, or a link ending in it)."""
    text = qr_text.strip()
    tail = re.split(r"[/=?#]", text)[-1] if text else ""
    return tail if _TOKEN.fullmatch(tail) else ""


class ProgressVm(ScreenVm):
    changed = Signal()
    frameChanged = Signal()  # noqa: N815
    rateRequested = Signal(object)  # noqa: N815 - (CaseRef) rate the application shown

    def __init__(self, ctx: Context, hall: HallPort, scanner: ScannerPort,
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall, self._scanner = hall, scanner
        self._purpose = "progress"
        self._way = ""
        self._number = ""
        self._tail = ""
        self._editing = "number"
        self._busy = False
        self._fault = ""
        self._found: list[tuple[Progress, CaseRef]] = []
        self._shown: int = -1
        self._frames = 0
        self._live = False
        self._cases = Rows(["index", "number", "matter", "status", "promised", "overdue"], self)
        self._timeline = Rows(["at", "status", "note"], self)
        self._relay = Relay(self)
        self._relay.arrived.connect(self._on_camera)

    # -- properties -----------------------------------------------------------------------------
    @Property(str, notify=changed)
    def purpose(self) -> str:
        return self._purpose

    @Property(str, notify=changed)
    def way(self) -> str:
        return self._way

    @Property(str, notify=changed)
    def number(self) -> str:
        return self._number

    @Property(str, notify=changed)
    def tail(self) -> str:
        return self._tail

    @Property(str, notify=changed)
    def editing(self) -> str:
        return self._editing

    @Property(bool, notify=changed)
    def canLookUp(self) -> bool:  # noqa: N802
        return len(self._number) == NUMBER_LEN and len(self._tail) == TAIL_LEN and not self._busy

    @Property(bool, notify=changed)
    def busy(self) -> bool:
        return self._busy

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(QObject, constant=True)
    def cases(self) -> Rows:
        """Every application of the card holder (when more than one)."""
        return self._cases

    @Property(QObject, constant=True)
    def timeline(self) -> Rows:
        return self._timeline

    @Property(bool, notify=changed)
    def hasResult(self) -> bool:  # noqa: N802
        return bool(self._found)

    @Property(bool, notify=changed)
    def showingOne(self) -> bool:  # noqa: N802
        return 0 <= self._shown < len(self._found)

    def _one(self) -> Progress | None:
        return self._found[self._shown][0] if self.showingOne else None

    @Property(str, notify=changed)
    def caseNumber(self) -> str:  # noqa: N802
        p = self._one()
        return p.number if p else ""

    @Property(str, notify=changed)
    def matter(self) -> str:
        p = self._one()
        return self.pick(p.matter) if p else ""

    @Property(str, notify=changed)
    def department(self) -> str:
        p = self._one()
        return self.pick(p.department) if p else ""

    @Property(str, notify=changed)
    def status(self) -> str:
        p = self._one()
        return self.t(f"status_{p.status}") if p else ""

    @Property(str, notify=changed)
    def statusCode(self) -> str:  # noqa: N802
        p = self._one()
        return p.status if p else ""

    @Property(str, notify=changed)
    def promised(self) -> str:
        p = self._one()
        return f"{p.promised_date:%Y-%m-%d}" if p and p.promised_date else ""

    @Property(bool, notify=changed)
    def overdue(self) -> bool:
        p = self._one()
        return bool(p and p.overdue)

    @Property(str, notify=changed)
    def missing(self) -> str:
        p = self._one()
        return "\n".join(f"{i}. {m}" for i, m in enumerate(p.missing, 1)) if p else ""

    @Property(bool, notify=changed)
    def canRate(self) -> bool:  # noqa: N802
        p = self._one()
        return bool(p and p.can_rate)

    @Property(str, notify=frameChanged)
    def live(self) -> str:
        return f"image://pic/live?n={self._frames}" if self._live else ""

    def title_code(self, screen: str) -> str:
        return "title_rate" if self._purpose == "rate" else "title_progress"

    # -- flow -----------------------------------------------------------------------------------
    def start(self, purpose: str, identity: Identity | None) -> None:
        """The screen comes up (from the home screen's 进度查询 or 评价 tile)."""
        self.reset()
        self._purpose = purpose if purpose in ("progress", "rate") else "progress"
        self.changed.emit()
        if identity is not None:
            self.identity_read(identity)

    @Slot(str)
    def choose(self, way: str) -> None:
        self._stop_camera()
        self._way = way if way in WAYS else ""
        self._fault = ""
        if self._way == "qr":
            self._live = False
            self._scanner.start(self._relay.post, self._relay.post, qr=True)
        self.changed.emit()
        self.frameChanged.emit()

    @Slot(str)
    def edit(self, which: str) -> None:
        self._editing = "tail" if which == "tail" else "number"
        self.changed.emit()

    @Slot(str)
    def key(self, key: str) -> None:
        self.ctx.begin_personal()
        if self._editing == "number":
            if key.isdigit() and len(self._number) < NUMBER_LEN:
                self._number += key
                if len(self._number) == NUMBER_LEN:
                    self._editing = "tail"
        elif (key.isdigit() or (key.upper() == "X" and len(self._tail) == TAIL_LEN - 1)) \
                and len(self._tail) < TAIL_LEN:
            self._tail += key.upper()
        self._fault = ""
        self.changed.emit()

    @Slot()
    def backspace(self) -> None:
        if self._editing == "tail":
            if self._tail:
                self._tail = self._tail[:-1]
            else:
                self._editing = "number"
        elif self._number:
            self._number = self._number[:-1]
        self.changed.emit()

    @Slot()
    def lookUp(self) -> None:  # noqa: N802
        if len(self._number) == NUMBER_LEN and len(self._tail) == TAIL_LEN:
            self._find([CaseRef(number=self._number, id_tail=self._tail)])

    def identity_read(self, identity: Identity) -> None:
        """The city card was tapped (its holder verified): every application of theirs."""
        self.ctx.begin_personal()
        self._stop_camera()
        self._way, self._busy, self._fault = "card", True, ""
        self.changed.emit()
        tail = identity.id_number[-TAIL_LEN:]

        def got(found: Sequence[Progress]) -> None:
            self._show([(p, CaseRef(number=p.number, id_tail=tail)) for p in found])

        self.ctx.tasks.run(lambda: self._hall.progress_by_identity(identity), got, self._failed)

    def _find(self, refs: list[CaseRef]) -> None:
        ref = refs[0]
        self._busy, self._fault = True, ""
        self.changed.emit()
        self.ctx.tasks.run(lambda: self._hall.progress(ref), lambda p: self._show([(p, ref)]),
                           self._failed)

    def _show(self, found: list[tuple[Progress, CaseRef]]) -> None:
        self._busy = False
        self._found = found
        self._shown = 0 if len(found) == 1 else -1
        if not found:
            self._fault = self.t("progress_none")
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._fault = self.fault_words(exc)
        if self._way == "qr":  # let them try again with the camera
            self._scanner.start(self._relay.post, self._relay.post, qr=True)
        self.changed.emit()

    @Slot(int)
    def open(self, index: int) -> None:
        if 0 <= index < len(self._found):
            self._shown = index
            self._fill()

    @Slot()
    def rate(self) -> None:
        if self.showingOne and self._found[self._shown][0].can_rate:
            self.rateRequested.emit(self._found[self._shown][1])

    @Slot(result=bool)
    def back(self) -> bool:
        """上一步 inside the screen: from one case to the list, from a way to the choice."""
        if self.showingOne and len(self._found) > 1:
            self._shown = -1
            self._fill()
            return True
        if self._found or self._way:
            self._found, self._shown = [], -1
            self.choose("")
            self._fill()
            return True
        return False

    # -- the camera (QR) --------------------------------------------------------------------------
    def _on_camera(self, item: object) -> None:
        if self._way != "qr" or self._busy:
            return
        if isinstance(item, Fault):
            self._fault = self.fault_words(item)
            self.changed.emit()
            return
        if not isinstance(item, ScanFrame):
            return
        self.ctx.pictures.put("live", bgr_to_qimage(item.image))
        self._live, self._frames = True, self._frames + 1
        self.frameChanged.emit()
        token = token_of(item.qr)
        if token:
            self.ctx.begin_personal()
            self._stop_camera()
            self._find([CaseRef(token=token)])

    def _stop_camera(self) -> None:
        self._scanner.stop()
        if self._live:
            self.ctx.pictures.drop("live")
            self._live = False
            self.frameChanged.emit()

    # -- rows -------------------------------------------------------------------------------------
    def _fill(self) -> None:
        self._cases.replace([
            {"index": i, "number": p.number, "matter": self.pick(p.matter),
             "status": self.t(f"status_{p.status}"), "overdue": p.overdue,
             "promised": f"{p.promised_date:%Y-%m-%d}" if p.promised_date else ""}
            for i, (p, _) in enumerate(self._found)])
        p = self._one()
        self._timeline.replace([
            {"at": f"{e.at:%Y-%m-%d %H:%M}", "status": self.t(f"status_{e.status}"),
             "note": self.pick(e.note)} for e in (p.timeline if p else ())])
        self.changed.emit()

    def relabel(self) -> None:
        self._fill()

    def reset(self) -> None:
        self._stop_camera()
        self._way, self._number, self._tail, self._editing = "", "", "", "number"
        self._busy, self._fault, self._found, self._shown = False, "", [], -1
        self._cases.clear()
        self._timeline.clear()

    def wipe(self) -> None:
        self.reset()
        self._purpose = "progress"
        super().wipe()
