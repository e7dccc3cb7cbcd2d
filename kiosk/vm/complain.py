"""Complain (Art.15, GB/T 36113-2018): what it is about, what happened, and how to reach the
citizen, on the kiosk's own form (the same form component as an application's). The name comes
from the card when the citizen has tapped it; otherwise it is typed. The back office answers a
complaint number, shown on screen and printed with how to follow it up."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from drivers.printer import BOLD, CENTER, Document
from kiosk.catalogue import Catalogue
from kiosk.forms import FormModel
from kiosk.ports import Complaint, HallPort, Identity, PrinterPort, PrintJob
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.formpart import FormPart
from kiosk.vm.keyboard import KeyboardVm

SUBJECTS = ("waiting", "attitude", "materials", "slow", "fees", "kiosk", "other")


class ComplainVm(ScreenVm):
    changed = Signal()

    def __init__(self, ctx: Context, hall: HallPort, printer: PrinterPort,
                 keyboard: KeyboardVm, parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall, self._printer = hall, printer
        self.form = FormPart(keyboard, self.t, self.pick, self)
        self.form.edited.connect(self.ctx.begin_personal)
        self.form.changed.connect(self.changed)
        self._catalogue: Catalogue | None = None
        self._identity: Identity | None = None
        self._number = ""
        self._busy = False
        self._fault = ""
        self._print: PrintJob | None = None
        self._seen: dict[int, PrintJob] = {}

    @Property(QObject, constant=True)
    def formPart(self) -> FormPart:  # noqa: N802
        return self.form

    @Property(str, notify=changed)
    def number(self) -> str:
        return self._number

    @Property(bool, notify=changed)
    def busy(self) -> bool:
        return self._busy

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(str, notify=changed)
    def printStatus(self) -> str:  # noqa: N802
        return self.t(f"print_{self._print.state.value}") if self._print else ""

    # -- flow -----------------------------------------------------------------------------------
    def start(self, identity: Identity | None) -> None:
        self.reset()
        self._identity = identity
        self._build()
        self.ctx.tasks.run(self._hall.catalogue, self._got_catalogue, lambda exc: None)

    def _got_catalogue(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        if not self._number:
            values = {f.key: f.value for f in self.form.model.fields} if self.form.model else {}
            self._build(values)

    def identity_read(self, identity: Identity) -> None:
        """The card was tapped: the name comes from it."""
        if not self._number:
            self._identity = identity
            self.form.set_value("name", identity.name)
            self._build({f.key: f.value for f in self.form.model.fields}
                        if self.form.model else {})

    def _schema(self) -> dict[str, Any]:
        def label(code: str) -> dict[str, str]:
            zh, en = self.ctx.words.both(code)
            return {"zh": zh, "en": en}

        departments = [{"value": d.code, "label": dict(d.name)}
                       for d in (self._catalogue.departments if self._catalogue else ())]
        props: dict[str, Any] = {
            "subject": {"type": "string", "enum": list(SUBJECTS), "x-ui": {
                "label": label("complain_subject"), "input": "choice", "order": 1,
                "choices": [{"value": s, "label": label(f"complain_subject_{s}")}
                            for s in SUBJECTS]}},
            "text": {"type": "string", "minLength": 5, "maxLength": 500, "x-ui": {
                "label": label("complain_text"), "input": "multiline", "order": 2}},
            "name": {"type": "string", "minLength": 1, "maxLength": 40, "x-ui": {
                "label": label("complain_name"), "input": "text", "order": 3,
                **({"identity": "name"} if self._identity else {})}},
            "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$", "x-ui": {
                "label": label("complain_phone"), "input": "phone", "order": 4}},
        }
        if departments:
            props["department"] = {"type": "string", "enum": [d["value"] for d in departments],
                                   "x-ui": {"label": label("complain_department"),
                                            "input": "choice", "order": 5,
                                            "choices": departments}}
        return {"type": "object", "required": ["subject", "text", "name", "phone"],
                "properties": props}

    def _build(self, values: dict[str, str] | None = None) -> None:
        model = FormModel(self._schema())
        if self._identity is not None:
            model.fill_identity(self._identity)
        for f in model.fields:
            if values and values.get(f.key) and not f.readonly:
                f.value = values[f.key]
        editing = self.form.current
        self.form.load(model)
        if editing:
            self.form.edit(editing)

    @Slot()
    def send(self) -> None:
        if self._busy or self._number or not self.form.check():
            if not self._number:
                self._fault = self.t("apply_fix_errors") if not self._busy else ""
                self.changed.emit()
            return
        v = self.form.values()
        subject = self.ctx.words.text(f"complain_subject_{v['subject']}", "zh")
        complaint = Complaint(subject=subject, text=v["text"], name=v["name"], phone=v["phone"],
                              department=v.get("department", ""))
        self._busy, self._fault = True, ""
        self.changed.emit()
        self.ctx.tasks.run(lambda: self._hall.complain(complaint), self._filed, self._failed)

    def _filed(self, number: str) -> None:
        self._busy, self._number = False, number
        self.form.wipe()  # the complaint is filed: nothing personal stays on screen
        self.changed.emit()
        doc = complaint_slip(number)
        self.ctx.tasks.run(lambda: self._printer.submit(doc, key=f"complaint:{number}"),
                           self._printed, lambda exc: None)

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

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._fault = self.fault_words(exc)
        self.changed.emit()

    def reset(self) -> None:
        self.form.wipe()
        self._identity, self._number, self._busy, self._fault, self._print = None, "", False, \
            "", None

    def wipe(self) -> None:
        self.reset()
        super().wipe()


def complaint_slip(number: str, hall: str = "市民之家") -> Document:
    """The paper a citizen takes away: the complaint number and how to follow it up."""
    doc = Document(title=f"complaint {number}")
    doc.heading("投诉受理凭条")
    doc.text("Complaint receipt", CENTER)
    doc.text(hall, CENTER)
    doc.rule("=")
    doc.row("投诉编号：", number, BOLD)
    doc.text("我们会尽快与您联系并答复。")
    doc.text("凭投诉编号和手机号后四位可查询处理进度。")
    doc.text("We will contact you and answer.")
    doc.cut()
    return doc
