"""A4 pages and receipts rendered with Pillow: Chinese text (WenQuanYi Micro Hei), rules, a QR.

Rendering is slow next to everything else (~0.1 s a page), so a :class:`PageFactory` renders a
few templates once and hands out copies; it holds no global state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
A4_MM = (210.0, 297.0)

TITLES = (
    "开封市民之家 办事指南",
    "营业执照申请表",
    "市民之家 受理回执",
    "不动产登记申请书",
    "居民身份证申领登记表",
    "社会保障卡补办申请",
)
SENTENCES = (
    "市民之家是市政府设立的为公民、法人和其他组织集中办理行政许可、非许可审批、",
    "公共服务事项、公共资源交易及中介服务等事项的工作平台。",
    "窗口单位应当公开事项的办理依据、办理条件、办理程序、法定期限、承诺时限、",
    "收费标准、常见问题解答以及申请书格式文本和样本。",
    "即办件当场办结；承诺件在承诺时限内办结；联办件实行并联审批。",
    "申请人可通过门户网站和自助查询终端实时查询办理进度和结果。",
    "首问负责，一次性告知，一门受理，一站式服务。",
    "市民卡具有身份识别、小额支付、在线查询、申报和事项办理的互查等功能。",
    "请携带本人有效身份证件原件及复印件一份，复印件须清晰完整。",
    "办理地点：开封市民之家二楼综合受理窗口，工作日上午九时至下午五时。",
    "本回执是领取办理结果的凭证，请妥善保管；扫描二维码可查询办理进度。",
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT), size)


def qr_image(text: str, box: int) -> Image.Image:
    """A black-on-white QR code of about ``box`` pixels, quiet zone included."""
    code = qrcode.QRCode(box_size=1, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    img = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    scale = max(1, box // img.size[0])
    out: Image.Image = img.resize(
        (img.size[0] * scale, img.size[1] * scale), Image.Resampling.NEAREST
    )
    return out


@dataclass(frozen=True)
class Page:
    """A rendered page: RGB pixels and what is printed on it that a test may look for."""

    image: np.ndarray
    """H x W x 3 uint8, RGB."""
    title: str
    qr_text: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


def render_page(seed: int, dpi: int = 100, landscape: bool = False) -> Page:
    """An A4 page: title, paragraphs, a ruled table, a stamp-like box and a receipt QR."""
    rng = random.Random(seed)
    w = round(A4_MM[0] / 25.4 * dpi)
    h = round(A4_MM[1] / 25.4 * dpi)
    if landscape:
        w, h = h, w
    tone = rng.randint(236, 250)
    img = Image.new("RGB", (w, h), (tone, tone, max(0, tone - rng.randint(0, 8))))
    draw = ImageDraw.Draw(img)
    margin = round(dpi * 0.8)
    title = rng.choice(TITLES)
    y = margin
    draw.text((w // 2, y), title, font=_font(round(dpi * 0.28)), fill=(20, 20, 20), anchor="mt")
    y += round(dpi * 0.55)
    body = _font(round(dpi * 0.15))
    line_h = round(dpi * 0.26)
    qr_box = round(dpi * 1.3)
    while y < h - margin - qr_box - line_h * 6:
        draw.text(
            (margin, y), rng.choice(SENTENCES)[: rng.randint(14, 40)], font=body, fill=(30, 30, 30)
        )
        y += line_h
    # a ruled table
    cols = 4
    for r in range(5):
        yy = y + r * line_h
        draw.line((margin, yy, w - margin, yy), fill=(60, 60, 60), width=1)
    for c in range(cols + 1):
        xx = margin + (w - 2 * margin) * c // cols
        draw.line((xx, y, xx, y + 4 * line_h), fill=(60, 60, 60), width=1)
    number = f"KF{rng.randint(2020, 2025)}{rng.randint(1, 999999):06d}"
    qr_text = f"https://hall.example.cn/r/{number}"
    qr = qr_image(qr_text, qr_box)
    img.paste(qr.convert("RGB"), (w - margin - qr.size[0], h - margin - qr.size[1]))
    draw.text((margin, h - margin - line_h), f"受理编号：{number}", font=body, fill=(20, 20, 20))
    draw.ellipse(
        (
            margin + dpi,
            h - margin - qr_box,
            margin + dpi + qr_box * 3 // 4,
            h - margin - qr_box // 4,
        ),
        outline=(200, 40, 40),
        width=max(2, dpi // 40),
    )
    return Page(np.asarray(img, dtype=np.uint8).copy(), title, qr_text)


def render_receipt(number: str, dpi: int = 200) -> Page:
    """A thermal receipt (58 mm wide) with the case number and its QR, as a citizen holds it."""
    w = round(58 / 25.4 * dpi)
    qr_text = f"https://hall.example.cn/r/{number}"
    qr = qr_image(qr_text, w - dpi // 4)
    h = qr.size[1] + round(dpi * 1.1)
    img = Image.new("RGB", (w, h), (250, 250, 247))
    draw = ImageDraw.Draw(img)
    draw.text(
        (w // 2, dpi // 10), "开封市民之家 回执", font=_font(dpi // 8), fill=(0, 0, 0), anchor="mt"
    )
    draw.text((w // 2, dpi // 3), number, font=_font(dpi // 10), fill=(0, 0, 0), anchor="mt")
    img.paste(qr.convert("RGB"), ((w - qr.size[0]) // 2, round(dpi * 0.55)))
    return Page(np.asarray(img, dtype=np.uint8).copy(), "回执", qr_text)


class PageFactory:
    """Renders a few page templates on first use and reuses them (per instance, no globals)."""

    def __init__(self, variants: int = 4, dpi: int = 100, seed: int = 0) -> None:
        self.variants, self.dpi, self.seed = variants, dpi, seed
        self._cache: dict[tuple[int, bool], Page] = {}

    def page(self, index: int, landscape: bool = False) -> Page:
        key = (index % self.variants, landscape)
        if key not in self._cache:
            self._cache[key] = render_page(self.seed * 1000 + key[0], self.dpi, landscape)
        return self._cache[key]
