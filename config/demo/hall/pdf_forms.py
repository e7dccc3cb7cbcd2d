"""The application form of a matter as an A4 PDF: blank (申请书格式文本) or filled (样本)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .model import Json, Text
from .pdf_draw import A4, Document, OutlineFont, Page

MARGIN = 50.0
LABEL_W = 170.0
BLUE = (0.05, 0.2, 0.6)
GREY = (0.4, 0.4, 0.4)
_FORM_ZH = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
_FORM_EN = {"original": "original", "copy": "copy", "original_and_copy": "original and copy"}


@lru_cache(maxsize=1)
def _font() -> OutlineFont:
    return OutlineFont()


class _Layout:
    def __init__(self, doc: Document, watermark: bool) -> None:
        self.doc = doc
        self.watermark = watermark
        self.page = self._new_page()
        self.y = A4[1] - MARGIN

    def _new_page(self) -> Page:
        page = self.doc.new_page()
        if self.watermark:
            for y in (200.0, 520.0):
                self.doc.rotated_text(page, 120, y, "样本 SAMPLE", 60, True, 0.88)
        return page

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 30:
            self.page = self._new_page()
            self.y = A4[1] - MARGIN

    def centred(self, text: str, size: float, rgb: tuple[float, float, float] = (0, 0, 0)) -> None:
        for line in self.doc.wrap(text, size, A4[0] - 2 * MARGIN):
            self.need(size * 1.5)
            self.y -= size * 1.3
            width = self.doc.font.width(line, size)
            self.doc.text(self.page, (A4[0] - width) / 2, self.y, line, size, rgb)

    def para(self, text: str, size: float, rgb: tuple[float, float, float] = (0, 0, 0),
             indent: float = 0.0) -> None:
        for line in self.doc.wrap(text, size, A4[0] - 2 * MARGIN - indent):
            self.need(size * 1.5)
            self.y -= size * 1.45
            self.doc.text(self.page, MARGIN + indent, self.y, line, size, rgb)

    def gap(self, points: float) -> None:
        self.y -= points


def _blank(prop: Json) -> tuple[str, tuple[float, float, float]]:
    ui = prop["x-ui"]
    if ui.get("identity"):
        return "（刷身份证或市民卡自动填写 filled from your ID or city card）", GREY
    kind = ui["input"]
    if kind == "choice":
        return "    ".join(f"□ {c['label']['zh']} {c['label']['en']}" for c in ui["choices"]), (0, 0, 0)
    if kind == "checkbox":
        return "□ 是 Yes    □ 否 No", (0, 0, 0)
    if kind == "date":
        return "        年      月      日", (0, 0, 0)
    if kind == "money":
        return "                              元 yuan", (0, 0, 0)
    return "", (0, 0, 0)


def _pack(items: list[str], doc: Document, width: float) -> list[str]:
    """Choices side by side, a line broken only between two choices."""
    lines: list[str] = []
    for item in items:
        if lines and doc.font.width(lines[-1] + "    " + item, 10) <= width:
            lines[-1] += "    " + item
        else:
            lines.append(item)
    return lines


def _field_rows(lay: _Layout, form: Json, filled: dict[str, Any] | None) -> None:
    doc = lay.doc
    props = sorted(form["properties"].items(), key=lambda kv: kv[1]["x-ui"]["order"])
    value_w = A4[0] - 2 * MARGIN - LABEL_W - 12
    for key, prop in props:
        ui = prop["x-ui"]
        if filled is not None:
            value = filled.get(key)
            if isinstance(value, bool):
                value = "是" if value else "否"
            text, rgb = ("" if value is None else str(value)), BLUE
        else:
            text, rgb = _blank(prop)
        if filled is None and ui["input"] == "choice" and not ui.get("identity"):
            lines = _pack([f"□ {c['label']['zh']} {c['label']['en']}" for c in ui["choices"]],
                          doc, value_w)
        else:
            lines = doc.wrap(text, 10, value_w) if text else [""]
        label_lines = doc.wrap(ui["label"]["en"], 7.5, LABEL_W - 8)
        rows = max(len(lines), 1) * 14 + (28 if ui["input"] == "multiline" else 0)
        height = max(30.0, rows + 12, 16 + 9.5 * len(label_lines) + 4)
        lay.need(height)
        top = lay.y
        doc.rect(lay.page, MARGIN, top - height, A4[0] - 2 * MARGIN, height)
        doc.line(lay.page, MARGIN + LABEL_W, top, MARGIN + LABEL_W, top - height)
        star = "*" if key in form.get("required", []) else ""
        doc.text(lay.page, MARGIN + 5, top - 13, star + ui["label"]["zh"], 10)
        for i, line in enumerate(label_lines):
            doc.text(lay.page, MARGIN + 5, top - 24 - 9.5 * i, line, 7.5, GREY)
        for i, line in enumerate(lines):
            doc.text(lay.page, MARGIN + LABEL_W + 6, top - 15 - 14 * i, line, 10, rgb)
        lay.y = top - height


def render_form(title: Text, matter: Json, filled: dict[str, Any] | None) -> bytes:
    """The matter's application form; ``filled`` given makes the sample (样本)."""
    if filled is not None:
        unknown = set(filled) - set(matter["form"]["properties"])
        if unknown:
            raise ValueError(f"{matter['code']}: sample values for unknown fields {sorted(unknown)}")
    doc = Document(_font(), title["zh"] + ("（样本）" if filled is not None else ""))
    lay = _Layout(doc, watermark=filled is not None)
    lay.para("开封市民之家  Kaifeng Citizens' Home", 8.5, GREY)
    lay.gap(6)
    lay.centred(title["zh"] + ("（样本）" if filled is not None else ""), 18)
    lay.centred(title["en"] + (" (sample)" if filled is not None else ""), 10.5, GREY)
    lay.gap(8)
    lay.para(f"事项 Matter：{matter['name']['zh']}", 9.5)
    lay.para(matter["name"]["en"], 8, GREY, indent=52)
    lay.para(f"事项编码 Code：{matter['code']}", 8.5, GREY)
    lay.gap(8)
    lay.para("一、申请信息  Application details（带 * 为必填 * = required）", 11)
    lay.gap(6)
    _field_rows(lay, matter["form"], filled)
    lay.gap(12)
    lay.para("二、所需材料  Materials", 11)
    for i, mat in enumerate(matter["materials"], start=1):
        need = "必需" if mat["required"] else "视情况"
        lay.para(f"{i}. {mat['name']['zh']}（{_FORM_ZH[mat['form']]}，{mat['copies']}份，{need}）", 9.5, indent=8)
        lay.para(f"{mat['name']['en']} ({_FORM_EN[mat['form']]}, {mat['copies']}, "
                 f"{'required' if mat['required'] else 'if applicable'})", 7.5, GREY, indent=22)
    lay.gap(12)
    lay.need(110)  # the declaration stays on one page with the signature
    lay.para("三、申请人承诺  Declaration", 11)
    lay.para("本人承诺以上填写的信息和提交的材料真实、准确、完整，如有不实，愿意承担相应的法律责任。", 9.5, indent=8)
    lay.para("I declare that the information and materials above are true, accurate and complete, "
             "and accept the legal consequences if they are not.", 7.5, GREY, indent=8)
    lay.gap(16)
    lay.need(30)
    x = doc.text(lay.page, MARGIN + 8, lay.y, "申请人（签字）Signature：", 10)
    if filled is not None:
        doc.text(lay.page, x + 6, lay.y, str(filled.get("applicant_name", "")), 12, BLUE)
        doc.text(lay.page, MARGIN + 300, lay.y, "日期 Date：2026年3月2日", 10, BLUE)
    else:
        doc.line(lay.page, x + 4, lay.y - 3, x + 130, lay.y - 3)
        doc.text(lay.page, MARGIN + 300, lay.y, "日期 Date：      年    月    日", 10)
    lay.gap(26)
    lay.para(f"办理地点 Place：{matter['place']['zh']}    咨询电话 Enquiries：{matter['phones']['enquiry']}    "
             f"监督投诉 Complaints：{matter['phones']['complaint']}", 8, GREY)
    lay.para("本表可在自助终端上填写：身份信息由读卡自动填入，无需手写。This form can be filled in at a kiosk; "
             "your identity details come from your card.", 8, GREY)
    return doc.to_bytes()
