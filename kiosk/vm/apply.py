"""The apply wizard: 身份 -> 填表 -> 材料 -> 确认 -> 提交 -> 回执.

Identity comes from the city card (a card event) or the resident ID card (the reader is
polled while the identity step is up); it is never typed. The form is generated from the
matter's JSON Schema; materials are scanned (:class:`MaterialsVm`) or reused (Art.22); the
application is submitted on a worker thread; the receipt prints through the print queue, and
the rating screen follows by itself."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from drivers.idcard import mask_id_number
from kiosk.catalogue import Catalogue, Matter
from kiosk.forms import FormModel
from kiosk.images import qr_image
from kiosk.ports import (
    Application,
    CaseRef,
    Fault,
    HallPort,
    Held,
    IdCardPort,
    Identity,
    PrinterPort,
    PrintJob,
    Receipt,
)
from kiosk.receipts import Application as PaperApplication
from kiosk.receipts import application_receipt
from kiosk.tasks import Relay
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.formpart import FormPart
from kiosk.vm.keyboard import KeyboardVm
from kiosk.vm.materials import MaterialsVm
from kiosk.vm.rows import Rows

STEPS = ("identity", "form", "materials", "review", "submit", "receipt")
RATE_AFTER_MS = 8000


class ApplyVm(ScreenVm):
    changed = Signal()
    rateRequested = Signal(object)  # noqa: N815 - (CaseRef) the rating screen follows

    def __init__(self, ctx: Context, hall: HallPort, idcard: IdCardPort | None,
                 printer: PrinterPort, materials: MaterialsVm, keyboard: KeyboardVm,
                 terminal: str = "", parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall, self._idcard, self._printer = hall, idcard, printer
        self.materials_vm, self.keyboard = materials, keyboard
        self._terminal = terminal
        self._matter: Matter | None = None
        self._department = ""
        self._form: FormModel | None = None
        self._identity: Identity | None = None
        self._step = 0
        self._busy = ""
        self._fault = ""
        self._receipt: Receipt | None = None
        self._print: PrintJob | None = None
        self._seen: dict[int, PrintJob] = {}
        self.form = FormPart(keyboard, self.t, self.pick, self)
        self.form.edited.connect(self.ctx.begin_personal)
        self.form.changed.connect(self.changed)
        self._review = Rows(["label", "value"], self)
        self._relay = Relay(self)
        self._relay.arrived.connect(self._on_idcard)
        self._rate_timer = QTimer(self)
        self._rate_timer.setSingleShot(True)
        self._rate_timer.timeout.connect(self.goRate)
        materials.changed.connect(self.changed)

    # -- properties -----------------------------------------------------------------------------
    @Property(int, notify=changed)
    def step(self) -> int:
        return self._step

    @Property(list, notify=changed)
    def stepNames(self) -> list[str]:  # noqa: N802
        return [self.t(f"step_{s}") for s in STEPS]

    @Property(str, notify=changed)
    def stepCode(self) -> str:  # noqa: N802
        return STEPS[self._step]

    @Property(QObject, constant=True)
    def fields(self) -> Rows:
        return self.form.rows

    @Property(QObject, constant=True)
    def formPart(self) -> FormPart:  # noqa: N802
        return self.form

    @Property(QObject, constant=True)
    def review(self) -> Rows:
        return self._review

    @Property(QObject, constant=True)
    def materials(self) -> MaterialsVm:
        return self.materials_vm

    @Property(QObject, constant=True)
    def kb(self) -> KeyboardVm:
        return self.keyboard

    @Property(str, notify=changed)
    def matterName(self) -> str:  # noqa: N802
        return self.pick(self._matter.name) if self._matter else ""

    @Property(str, notify=changed)
    def who(self) -> str:
        """Name in full, ID masked except the last 4 (kiosk-design.md)."""
        i = self._identity
        return f"{i.name} · {mask_id_number(i.id_number)}" if i else ""

    @Property(str, notify=changed)
    def editing(self) -> str:
        return self.form.current

    @Property(str, notify=changed)
    def busy(self) -> str:
        return self._busy

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(bool, notify=changed)
    def canNext(self) -> bool:  # noqa: N802
        code = STEPS[self._step]
        if code == "form":
            return self._form is not None
        if code == "materials":
            return self.materials_vm.is_complete() and not self.materials_vm.scanning
        return code in ("review", "receipt")

    @Property(str, notify=changed)
    def number(self) -> str:
        return self._receipt.number if self._receipt else ""

    @Property(str, notify=changed)
    def promised(self) -> str:
        r = self._receipt
        return f"{r.promised_date:%Y-%m-%d}" if r and r.promised_date else ""

    @Property(str, notify=changed)
    def qr(self) -> str:
        """The receipt's QR code on screen (the same as on paper)."""
        return f"image://pic/receipt_qr?n={self.number}" if self._receipt else ""

    @Property(bool, notify=changed)
    def pending(self) -> bool:
        return bool(self._receipt and self._receipt.pending)

    @Property(str, notify=changed)
    def printStatus(self) -> str:  # noqa: N802
        p = self._print
        if p is None:
            return ""
        if p.state.value == "waiting" and p.reason == "paper_out":
            return self.t("print_waiting_paper_out")
        return self.t(f"print_{p.state.value}")

    # -- flow -----------------------------------------------------------------------------------
    def start(self, code: str, identity: Identity | None) -> None:
        self.reset()
        self._identity = identity

        def got(pair: tuple[Matter, Catalogue]) -> None:
            matter, catalogue = pair
            dept = catalogue.department(matter.department)
            self._department = (dept.name.get("zh", "") if dept else "") or matter.department
            self._matter = matter
            self._form = FormModel(matter.form)
            self.form.load(self._form)
            # the matter's materials now (they do not depend on who logs in): a login then only
            # marks the ones the hall holds, instead of building the list while the form shows
            self.materials_vm.load(matter, ())
            if self._identity is not None:
                self._logged_in()
            else:
                self._watch_idcard()
            self._fill()

        self.ctx.tasks.run(lambda: (self._hall.matter(code), self._hall.catalogue()), got,
                           self._failed)

    def _watch_idcard(self) -> None:
        if self._idcard is not None:
            self._idcard.start(self._relay.post, self._relay.post)

    def _on_idcard(self, item: object) -> None:
        if isinstance(item, Identity):
            self.identity_read(item)
        elif isinstance(item, Fault) and STEPS[self._step] == "identity":
            self._fault = self.fault_words(item)
            self.changed.emit()

    def identity_read(self, identity: Identity) -> None:
        """A verified identity (ID card, or the city card's holder from a card event). While
        the matter is still loading (the identity prompt already shows) it is kept: the login
        happens when the matter arrives (a card tapped at once was ignored before)."""
        if STEPS[self._step] != "identity":
            return
        self._identity = identity
        if self._matter is not None:
            self._logged_in()

    def card_lifted(self) -> None:
        """The city card left before its login took effect (the matter still loading): the
        kept identity goes with it."""
        if STEPS[self._step] == "identity" and self._identity is not None \
                and self._identity.source == "city_card":
            self._identity = None

    def _logged_in(self) -> None:
        if self._idcard is not None:
            self._idcard.stop()
        self.ctx.begin_personal()
        assert self._form is not None and self._identity is not None and self._matter
        self._form.fill_identity(self._identity)
        self._step, self._fault = STEPS.index("form"), ""
        identity, code = self._identity, self._matter.code
        self.ctx.tasks.run(lambda: self._hall.held_materials(identity, code), self._held,
                           lambda exc: self._held(()))
        self._fill(in_place=True)

    def _held(self, held: Sequence[Held]) -> None:
        if self._matter is not None:
            self.materials_vm.load(self._matter, held)

    @Slot(str)
    def edit(self, key: str) -> None:
        self.form.edit(key)

    @Slot(str)
    def choose(self, value: str) -> None:
        self.form.choose(value)

    @Slot()
    def next(self) -> None:
        code = STEPS[self._step]
        if code == "form" and self._form is not None:
            if not self.form.check():
                self._fault = self.t("apply_fix_errors")
                self._fill()
                return
            self._fault = ""
            self._step = STEPS.index("materials")
        elif code == "materials" and self.materials_vm.is_complete():
            self._step = STEPS.index("review")
        elif code == "review":
            self._submit()
            return
        elif code == "receipt":
            self.goRate()
            return
        self._fill()

    @Slot(result=bool)
    def back(self) -> bool:
        """The footer's 上一步 inside the wizard; False = leave the wizard."""
        code = STEPS[self._step]
        if code == "materials" and self.materials_vm.scanning:
            self.materials_vm.finish()
            return True
        if code in ("form", "materials", "review") and self._step > 1:
            self._step -= 1
            self._fill()
            return True
        return False

    def _submit(self) -> None:
        assert self._form and self._identity and self._matter
        application = Application(
            matter_code=self._matter.code, matter_version=self._matter.version,
            identity=self._identity, fields=self.form.values(),
            materials=self.materials_vm.submission(), client_ref=secrets.token_urlsafe(16),
            terminal=self._terminal)
        self._step, self._busy, self._fault = STEPS.index("submit"), self.t("apply_submitting"), ""
        self._fill()
        self.ctx.tasks.run(lambda: self._hall.submit(application), self._submitted, self._refused)

    def _submitted(self, receipt: Receipt) -> None:
        self.ctx.pictures.put("receipt_qr", qr_image(receipt.qr_token))
        self._receipt, self._busy = receipt, ""
        self._step = STEPS.index("receipt")
        self._fill()
        doc = application_receipt(self._paper(receipt))
        self.ctx.tasks.run(lambda: self._printer.submit(doc, key=f"app:{receipt.number}"),
                           self._printed, self._failed)
        self._rate_timer.start(RATE_AFTER_MS)

    def _refused(self, exc: BaseException) -> None:
        self._busy = ""
        self._fault = self.fault_words(exc)
        self._step = STEPS.index("review")
        self._fill()

    def print_update(self, job: PrintJob) -> None:
        """A change of any print job (from the printer's watch): ours is followed."""
        self._seen[job.id] = job
        if self._print is not None and job.id == self._print.id:
            self._print = job
            self.changed.emit()

    def _printed(self, job: PrintJob) -> None:
        """Our job is queued (its changes may have come first)."""
        self._print = self._seen.get(job.id, job)
        self.changed.emit()

    @Slot()
    def goRate(self) -> None:  # noqa: N802
        self._rate_timer.stop()
        if self._receipt is not None:
            self.rateRequested.emit(CaseRef(token=self._receipt.qr_token))

    def _failed(self, exc: BaseException) -> None:
        self._fault = self.fault_words(exc)
        self.changed.emit()

    def _paper(self, r: Receipt) -> PaperApplication:
        m = self._matter
        assert m is not None and self._identity is not None
        return PaperApplication(
            number=r.number, matter=m.name.get("zh", ""), department=self._department,
            accepted=r.submitted_at, promised=r.promised_date,
            promised_days=m.promised_limit_days, applicant=self._identity.name,
            matter_code=m.code, phone=m.phone_enquiry,
            query_url=r.qr_token, pending=r.pending)

    # -- rows -----------------------------------------------------------------------------------
    def _fill(self, *, in_place: bool = False) -> None:
        self.form.fill(in_place=in_place)
        review = self.form.review_rows()
        for row in self.materials_vm.row_list():
            review.append({"label": str(row["name"]), "value": str(row["status"])})
        self._review.update(review)
        self.changed.emit()

    def relabel(self) -> None:
        self._fill()

    def reset(self) -> None:
        if self._idcard is not None:
            self._idcard.stop()
        self._rate_timer.stop()
        self._matter, self._form, self._identity = None, None, None
        self._step = 0
        self._busy, self._fault, self._receipt, self._print = "", "", None, None
        self.form.wipe()
        self.materials_vm.wipe()
        self.ctx.pictures.drop("receipt_qr")
        self._fill()

    def wipe(self) -> None:
        self.reset()
        super().wipe()
