"""Kiosk receipts: the application receipt (受理回执) and the matter guide (办事指南).

Templates build :class:`drivers.printer.Document` objects; the kiosk hands them to the print
worker (``worker.submit(doc, key=application_key(app))``) and never waits on the printer. The
application receipt's QR code holds the application number (or ``query_url`` with
``{number}`` filled in), so the case can be looked up from the paper at a kiosk or by phone.
Personal data on paper is kept to the minimum: the applicant's name is masked (``张*三``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from cardsvc.money import yuan
from drivers.printer import BOLD, CENTER, SUBTITLE, Document

HandlingMode = Literal["即办件", "承诺件", "联办件", "报批件", "急办件"]


@dataclass(frozen=True)
class Application:
    number: str
    """The application number (办件编号), also the QR payload."""
    matter: str
    """Matter name (事项名称)."""
    department: str
    accepted: dt.datetime
    promised: dt.date | None
    """Promised completion date (承诺办结日期); None until the back office counts it (from
    the acceptance day): the promised limit in working days is printed instead."""
    promised_days: int | None = None
    """The promised limit in working days, shown beside the date."""
    applicant: str = ""
    matter_code: str = ""
    collect: str = ""
    """How the result is collected (窗口领取, 邮寄, ...)."""
    phone: str = ""
    query_url: str = ""
    """``https://.../q?no={number}``; empty: the QR holds the bare application number."""
    english: bool = True
    pending: bool = False
    """The back office was down: the application waits in the kiosk's outbox; ``number`` is
    the kiosk's provisional reference and the QR code works once it has been sent."""


def mask_name(name: str) -> str:
    """``张三`` -> ``张*``, ``张小三`` -> ``张*三``, ``欧阳小明`` -> ``欧**明``."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def application_key(app: Application) -> str:
    return f"app:{app.number}"


def application_receipt(app: Application, hall: str = "市民之家") -> Document:
    en = app.english
    doc = Document(title=f"application receipt {app.number}")
    doc.heading("受理回执")
    if en:
        doc.text("Application receipt", CENTER)
    doc.text(hall, SUBTITLE)
    doc.rule("=")
    if app.pending:
        doc.text("【待发送】网络恢复后自动提交", BOLD)
        if en:
            doc.text("Pending: sent automatically when the network is back")
        doc.row("临时编号：", app.number, BOLD)
    else:
        doc.row("办件编号：", app.number, BOLD)
    doc.text(f"事项名称：{app.matter}")
    if app.matter_code:
        doc.row("事项编码：", app.matter_code)
    doc.text(f"办理部门：{app.department}")
    if app.applicant:
        doc.row("申请人：", mask_name(app.applicant))
    doc.row("提交时间：" if app.pending else "受理时间：", f"{app.accepted:%Y-%m-%d %H:%M}")
    if app.promised_days is not None:
        doc.row("承诺时限：", "当场办结" if app.promised_days == 0
                else f"{app.promised_days}个工作日（自受理之日起）")
    if app.promised is not None:
        doc.row("承诺办结：", f"{app.promised:%Y-%m-%d}", BOLD)
    if app.collect:
        doc.row("取件方式：", app.collect)
    doc.rule()
    doc.qr(app.query_url.format(number=app.number) if app.query_url else app.number)
    doc.text("扫码查询办理进度", CENTER)
    if en:
        doc.text("Scan to follow your application", CENTER)
    if app.phone:
        doc.text(f"咨询电话：{app.phone}", CENTER)
    doc.cut()
    return doc


@dataclass(frozen=True)
class Material:
    name: str
    form: str = "原件"
    """原件 (original), 复印件 (copy), 原件及复印件."""
    count: int = 1
    required: bool = True


@dataclass(frozen=True)
class Fee:
    item: str
    amount_fen: int | None = None
    standard: str = ""
    """The charging standard in words, when not a fixed amount (``按面积计收``)."""


@dataclass(frozen=True)
class MatterGuide:
    code: str
    name: str
    department: str
    mode: HandlingMode
    statutory_days: int | None
    promised_days: int | None
    conditions: Sequence[str] = ()
    materials: Sequence[Material] = ()
    fees: Sequence[Fee] = ()
    """Empty: the matter is free of charge (不收费)."""
    place: str = ""
    hours: str = ""
    phone: str = ""
    legal_basis: Sequence[str] = field(default_factory=tuple)
    english: bool = True


def _days(days: int | None) -> str:
    return "无" if days is None else ("当场办结" if days == 0 else f"{days}个工作日")


def matter_guide(guide: MatterGuide) -> Document:
    doc = Document(title=f"matter guide {guide.code}")
    doc.heading("办事指南")
    if guide.english:
        doc.text("Service guide", CENTER)
    doc.rule("=")
    doc.text(guide.name, BOLD)
    doc.row("事项编码：", guide.code)
    doc.text(f"办理部门：{guide.department}")
    doc.row("办件类型：", guide.mode)
    doc.row("法定时限：", _days(guide.statutory_days))
    doc.row("承诺时限：", _days(guide.promised_days))
    if guide.legal_basis:
        _section(doc, "设定依据")
        for basis in guide.legal_basis:
            doc.text(basis)
    _section(doc, "办理条件")
    for i, condition in enumerate(guide.conditions or ["无特殊条件"], 1):
        doc.text(f"{i}. {condition}")
    _section(doc, "申请材料")
    for i, m in enumerate(guide.materials, 1):
        need = "必需" if m.required else "视情况"
        doc.text(f"{i}. {m.name}")
        doc.row(f"   {m.form}{m.count}份", need)
    if not guide.materials:
        doc.text("无需提交材料")
    _section(doc, "收费标准")
    if not guide.fees:
        doc.text("不收费")
    for fee in guide.fees:
        doc.row(fee.item, yuan(fee.amount_fen) if fee.amount_fen is not None else fee.standard)
    if guide.place or guide.hours or guide.phone:
        _section(doc, "办理地点")
        if guide.place:
            doc.text(guide.place)
        if guide.hours:
            doc.text(f"时间：{guide.hours}")
        if guide.phone:
            doc.text(f"咨询电话：{guide.phone}")
    doc.rule()
    doc.text("材料齐全可一次办结", CENTER)
    doc.cut()
    return doc


def _section(doc: Document, title: str) -> None:
    doc.text(f"【{title}】", BOLD)
