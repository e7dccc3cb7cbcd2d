"""A matter's guide (办事指南): every Art.21 field, the materials with their blank form and
filled sample shown on screen, and "print this guide" on the receipt printer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.catalogue import Catalogue, Matter, Text
from kiosk.images import Pictures
from kiosk.pdfpages import is_pdf, pdf_picture
from kiosk.ports import HallPort, PrinterPort, PrintJob
from kiosk.receipts import Fee, MatterGuide, matter_guide
from kiosk.receipts import Material as GuideMaterial
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.rows import Rows

FORM_CODES = {"original": "form_original", "copy": "form_copy",
              "original_and_copy": "form_original_and_copy"}


class GuideVm(ScreenVm):
    changed = Signal()
    applyRequested = Signal(str)  # noqa: N815 - QML name

    def __init__(self, ctx: Context, hall: HallPort, printer: PrinterPort, pictures: Pictures,
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall, self._printer, self._pictures = hall, printer, pictures
        self._file: tuple[str, str] | None = None
        self._file_state = ""
        self._file_n = 0
        self._matter: Matter | None = None
        self._catalogue: Catalogue | None = None
        self._print: PrintJob | None = None
        self._seen: dict[int, PrintJob] = {}
        self._fault = ""
        self._materials = Rows(["id", "name", "form", "required", "source", "notes",
                                "template", "sample"], self)
        self._sections = Rows(["title", "body"], self)

    @Property(QObject, constant=True)
    def materials(self) -> Rows:
        return self._materials

    @Property(QObject, constant=True)
    def sections(self) -> Rows:
        """The guide as (title, body) blocks, in the order Art.21 lists them."""
        return self._sections

    @Property(bool, notify=changed)
    def loaded(self) -> bool:
        return self._matter is not None

    @Property(str, notify=changed)
    def code(self) -> str:
        return self._matter.code if self._matter else ""

    @Property(str, notify=changed)
    def name(self) -> str:
        return self.pick(self._matter.name) if self._matter else ""

    @Property(str, notify=changed)
    def facts(self) -> str:
        """One line: department · handling mode · promised limit · fee."""
        m = self._matter
        if m is None:
            return ""
        return " · ".join((self._department(m), self.t(f"mode_{m.handling_mode}"),
                           self._days(m.promised_limit_days),
                           self.t("guide_free") if m.fees_free else self.t("guide_fee_charged")))

    @Property(bool, notify=changed)
    def canApply(self) -> bool:  # noqa: N802
        return bool(self._matter and self._matter.online)

    @Property(str, notify=changed)
    def printStatus(self) -> str:  # noqa: N802
        if self._fault:
            return self._fault
        if self._print is None:
            return ""
        return self.t(f"print_{self._print.state.value}")

    # -- actions --------------------------------------------------------------------------------
    def load(self, code: str) -> None:
        self._matter, self._print, self._fault = None, None, ""
        self._materials.clear()
        self._sections.clear()
        self.changed.emit()

        def got(pair: tuple[Matter, Catalogue]) -> None:
            self._matter, self._catalogue = pair
            self._fill()

        self.ctx.tasks.run(lambda: (self._hall.matter(code), self._hall.catalogue()), got,
                           self._failed)

    @Slot()
    def apply(self) -> None:
        if self._matter is not None:
            self.applyRequested.emit(self._matter.code)

    # -- template and sample on screen --------------------------------------------------------
    @Property(bool, notify=changed)
    def fileShown(self) -> bool:  # noqa: N802
        return self._file is not None

    @Property(str, notify=changed)
    def fileTitle(self) -> str:  # noqa: N802
        return self._file[1] if self._file else ""

    @Property(str, notify=changed)
    def fileImage(self) -> str:  # noqa: N802
        if self._file is None or self._file_state != "shown":
            return ""
        return f"image://pic/file?n={self._file_n}"

    @Property(str, notify=changed)
    def fileMessage(self) -> str:  # noqa: N802
        return {"": "", "shown": "", "loading": self.t("common_loading"),
                "unshowable": self.t("guide_file_at_window")}.get(self._file_state,
                                                                   self._file_state)

    @Slot(str, str)
    def open(self, ref: str, title: str) -> None:
        self._file, self._file_state = (ref, title), "loading"
        self.changed.emit()

        def got(image: QImage) -> None:
            if self._file is None or self._file[0] != ref:
                return
            if image.isNull():
                self._file_state = "unshowable"
            else:
                self._pictures.put("file", image)
                self._file_n += 1
                self._file_state = "shown"
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self._file_state = self.fault_words(exc)
            self.changed.emit()

        self.ctx.tasks.run(lambda: _picture(self._hall.file(ref)), got, failed)

    @Slot()
    def closeFile(self) -> None:  # noqa: N802
        self._file, self._file_state = None, ""
        self._pictures.drop("file")
        self.changed.emit()

    @Slot()
    def printGuide(self) -> None:  # noqa: N802
        m = self._matter
        if m is None:
            return
        doc = matter_guide(self._paper(m))
        self.ctx.tasks.run(lambda: self._printer.submit(doc, key=None), self._printed,
                           self._failed)

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
        self._fault = self.fault_words(exc)
        self.changed.emit()

    # -- words ----------------------------------------------------------------------------------
    def _department(self, m: Matter) -> str:
        dept = self._catalogue.department(m.department) if self._catalogue else None
        return self.pick(dept.name) if dept else m.department

    def _days(self, days: int) -> str:
        return self.t("guide_days_immediate") if days == 0 else self.t("guide_days", n=days)

    def _lines(self, texts: Any, numbered: bool = True) -> str:
        items = [self.pick(t) for t in texts if t]
        if not numbered:
            return "\n".join(items)
        return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))

    def _fill(self) -> None:
        m = self._matter
        if m is None:
            return
        self._materials.replace([{
            "id": x.id, "name": self.pick(x.name),
            "form": self.t(FORM_CODES.get(x.form, "form_copy")) + self.t("guide_copies",
                                                                        n=x.copies),
            "required": self.t("guide_required") if x.required else self.t("guide_optional"),
            "source": self.pick(x.source), "notes": self.pick(x.notes),
            "template": x.template.sha256 if x.template else "",
            "sample": x.sample.sha256 if x.sample else "",
        } for x in m.materials])
        s = self._section_rows(m)
        self._sections.replace([{"title": self.t(f"guide_{k}"), "body": v} for k, v in s if v])
        self.changed.emit()

    def _section_rows(self, m: Matter) -> list[tuple[str, str]]:
        fees = (self.t("guide_free") if m.fees_free else "\n".join(
            f"{self.pick(f.item)}: {f.standard_fen / 100:.2f} {self.t('guide_yuan')}"
            f"{' / ' + self.pick(f.unit) if f.unit else ''}" for f in m.fees))
        limits = (f"{self.t('guide_statutory')}: {self._days(m.statutory_limit_days)}\n"
                  f"{self.t('guide_promised')}: {self._days(m.promised_limit_days)}")
        basis = "\n".join(f"{self.pick(law)} {article}".strip() for law, article in m.legal_basis)
        procedure = "\n".join(
            f"{i}. {self.pick(s.step)}" + (f" ({self.pick(s.who)})" if s.who else "")
            for i, s in enumerate(m.procedure, 1))
        where = "\n".join(x for x in (self.pick(m.place), self.pick(m.hours),
                                      self.pick(m.route)) if x)
        faq = "\n".join(f"{self.t('guide_q')} {self.pick(q)}\n{self.t('guide_a')} {self.pick(a)}"
                        for q, a in m.faq)
        contact = (f"{self.t('guide_enquiry')}: {m.phone_enquiry}\n"
                   f"{self.t('guide_complaint_phone')}: {m.phone_complaint}")
        about = "\n".join((f"{self.t('guide_code')}: {m.code}",
                           f"{self.t('guide_type')}: {self.t(f'type_{m.type}')}",
                           f"{self.t('guide_body')}: {self.pick(m.implementing_body)}",
                           f"{self.t('guide_visits')}: {m.visits}",
                           f"{self.t('guide_version')}: {m.version} "
                           f"({m.effective_date:%Y-%m-%d})"))
        return [("conditions", self._lines(m.conditions)), ("procedure", procedure),
                ("limits", limits), ("fees", fees), ("where", where), ("basis", basis),
                ("faq", faq), ("contact", contact), ("about", about)]

    def _paper(self, m: Matter) -> MatterGuide:
        """The printed guide is in Chinese (the hall's paper language), whatever the screen."""
        def zh(t: Text | None) -> str:
            return (t or {}).get("zh", "")
        mode = {"immediate": "即办件", "promised": "承诺件", "joint": "联办件",
                "approval": "报批件", "urgent": "急办件"}.get(m.handling_mode, "承诺件")
        dept = self._catalogue.department(m.department) if self._catalogue else None
        return MatterGuide(
            code=m.code, name=zh(m.name), department=zh(dept.name) if dept else m.department,
            mode=mode,  # type: ignore[arg-type]
            statutory_days=m.statutory_limit_days, promised_days=m.promised_limit_days,
            conditions=[zh(c) for c in m.conditions],
            materials=[GuideMaterial(zh(x.name), {"original": "原件", "copy": "复印件"}.get(
                x.form, "原件及复印件"), x.copies, x.required) for x in m.materials],
            fees=[Fee(zh(f.item), f.standard_fen) for f in m.fees],
            place=zh(m.place), hours=zh(m.hours), phone=m.phone_enquiry,
            legal_basis=[f"{zh(law)} {a}".strip() for law, a in m.legal_basis],
        )

    def relabel(self) -> None:
        self._fill()
        super().relabel()

    def wipe(self) -> None:
        self.closeFile()
        self._print, self._fault = None, ""
        super().wipe()


def _picture(data: bytes) -> QImage:
    """A template or sample file as a picture (PNG, JPEG, SVG, or a PDF's pages rendered with
    PDFium: :mod:`kiosk.pdfpages`); a null image if it is none of these."""
    if is_pdf(data):
        return pdf_picture(data)
    image = QImage()
    image.loadFromData(data)
    return image
