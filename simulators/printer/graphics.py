"""Bitmaps of what the printer prints for graphics commands (independent of drivers/printer)."""

from __future__ import annotations

import qrcode
from PIL import Image

EC_LEVELS = {
    48: ("L", qrcode.constants.ERROR_CORRECT_L), 49: ("M", qrcode.constants.ERROR_CORRECT_M),
    50: ("Q", qrcode.constants.ERROR_CORRECT_Q), 51: ("H", qrcode.constants.ERROR_CORRECT_H),
}


def raster(data: bytes, width_bytes: int, rows: int, scale_x: int = 1,
           scale_y: int = 1) -> Image.Image:
    """A ``GS v 0`` / ``GS ( L`` raster: rows of ``width_bytes`` bytes, MSB left, 1 = black."""
    image = Image.frombytes("1", (width_bytes * 8, rows), bytes(b ^ 0xFF for b in data))
    if scale_x != 1 or scale_y != 1:
        image = image.resize((image.width * scale_x, image.height * scale_y),
                             Image.Resampling.NEAREST)
    return image


def column(data: bytes, width: int, dots_high: int, scale_x: int = 1) -> Image.Image:
    """An ``ESC *`` strip: ``width`` columns of ``dots_high // 8`` bytes, MSB at the top."""
    per = dots_high // 8
    image = Image.new("1", (width, dots_high), 1)
    pixels = image.load()
    assert pixels is not None
    for x in range(width):
        for k in range(per):
            byte = data[x * per + k]
            for bit in range(8):
                if byte & (0x80 >> bit):
                    pixels[x, k * 8 + bit] = 0
    if scale_x != 1:
        image = image.resize((width * scale_x, dots_high), Image.Resampling.NEAREST)
    return image


def qr_symbol(data: bytes, module: int, ec: int) -> Image.Image:
    """The symbol a printer draws for ``GS ( k`` QR: smallest version, no quiet zone."""
    # one fixed mask: a printer picks the best of eight, which changes no module's meaning and
    # would cost the simulator ~5 ms per symbol in the path that answers the status
    code = qrcode.QRCode(error_correction=EC_LEVELS.get(ec, EC_LEVELS[48])[1],
                         box_size=max(1, module), border=0, mask_pattern=0)
    code.add_data(data, optimize=0)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image().convert("1")
    return image


def stack(top: Image.Image, bottom: Image.Image) -> Image.Image:
    """Two strips one above the other (consecutive ``ESC *`` lines make one picture)."""
    image = Image.new("1", (max(top.width, bottom.width), top.height + bottom.height), 1)
    image.paste(top, (0, 0))
    image.paste(bottom, (0, top.height))
    return image
