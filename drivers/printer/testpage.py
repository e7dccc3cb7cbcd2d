"""The technician's test page: Chinese text, punctuation, styles, a QR code, width rulers."""

from __future__ import annotations

from datetime import datetime

from drivers.printer.document import BOLD, CENTER, Document, Style
from drivers.printer.profiles import PrinterProfile

SAMPLE = "中文打印测试：一卡通、市民之家。"
PUNCTUATION = "：￥，。（）《》“”"


def ruler(columns: int) -> str:
    """``1234567890123...`` exactly ``columns`` long: the last digit sits in the last column."""
    return "".join(str(i % 10) for i in range(1, columns + 1))


def cjk_ruler(columns: int) -> str:
    """Chinese numerals, two columns each, filling ``columns``."""
    digits = "一二三四五六七八九十"
    return "".join(digits[i % 10] for i in range(columns // 2))


def qr_payload(profile: PrinterProfile, when: datetime) -> str:
    return f"TEST {profile.name} {when:%Y%m%d%H%M%S}"


def test_page(profile: PrinterProfile, url: str, when: datetime | None = None) -> Document:
    when = when or datetime.now().astimezone()
    doc = Document(title=f"test page {profile.name}")
    doc.heading("打印测试")
    doc.text("Printer test page", CENTER)
    doc.rule("=")
    doc.row("型号 Profile：", profile.name)
    doc.row("纸宽 Paper：", f"{profile.paper_mm} mm / {profile.columns} cols")
    doc.row("编码 Encoding：", profile.encoding.upper())
    doc.row("二维码 QR：", "GS ( k" if profile.qr == "native" else "image GS v 0")
    doc.text(f"连接 Link：{url}")
    doc.row("时间 Time：", f"{when:%Y-%m-%d %H:%M:%S}")
    doc.rule()
    doc.text(SAMPLE)
    doc.text(PUNCTUATION)
    doc.text("粗体 Bold", BOLD)
    doc.text("下划线 Underline", Style(underline=True))
    doc.text("倍宽倍高 2x", Style(width=2, height=2))
    doc.text("反白 Inverse", Style(invert=True))
    doc.rule()
    doc.text(ruler(profile.columns))
    doc.text(cjk_ruler(profile.columns))
    doc.qr(qr_payload(profile, when), size=5)
    doc.text("扫码核对二维码 Scan to check the QR", CENTER)
    doc.cut()
    return doc
