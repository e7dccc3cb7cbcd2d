"""Image files for ``kioskctl scanner detect``: any size, orientation and pixel format.

Read with Pillow (it reports a damaged or cut-short file as an error instead of half a
picture, and it knows EXIF orientation): the picture is turned upright as its EXIF says; grey,
bilevel, palette, CMYK, with alpha (laid on white), 16-bit and floating-point pictures become
8-bit; a picture larger than ``max_side`` on its longer side is shrunk before detection
(a JPEG is decoded at 1/2, 1/4 or 1/8 scale directly), and the corners are given back in the
upright picture's own pixels. What cannot be read raises :class:`UnreadableImage` with its
reason in Chinese and English.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from config.messages import Words

MISSING = Words("找不到图像文件", "no such image file")
FOLDER = Words("这是文件夹，不是图像", "this is a folder, not an image")
DENIED = Words("没有权限读取图像文件", "no permission to read the image file")
NOT_IMAGE = Words("不是可识别的图像文件", "not an image file this tool can read")
DAMAGED = Words("图像文件已损坏或不完整", "the image file is damaged or cut short")
TOO_LARGE = Words("图像过大（{mp} 百万像素，最多 {limit}）",
                  "the image is too large ({mp} megapixels, at most {limit})")
EMPTY = Words("图像没有像素", "the image has no pixels")
CANNOT_READ = Words("无法读取图像", "cannot read the image")


class UnreadableImage(Exception):
    """The file is not a picture that can be read; ``words`` say why."""

    def __init__(self, words: Words) -> None:
        super().__init__(words.en)
        self.words = words


@dataclass(frozen=True)
class LoadedImage:
    frame: np.ndarray
    """8-bit BGR (or grey) picture for the detector."""
    size: tuple[int, int]
    """(width, height) of the upright picture as stored."""
    factor: float
    """Pixels of the upright picture per pixel of ``frame`` (1 unless it was shrunk)."""


def _eight_bit(img: Image.Image) -> np.ndarray:
    """A grey (2-D) or RGB (H x W x 3) uint8 array of any Pillow picture."""
    if img.mode in ("RGBA", "LA", "PA", "P", "RGBa") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"))
    if img.mode.startswith("I;16"):
        return (np.asarray(img, dtype=np.uint16) >> 8).astype(np.uint8)
    if img.mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        arr = np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(arr.min()), float(arr.max())
        if img.mode == "I" and lo >= 0 and hi <= 65535:  # 16-bit stored as 32-bit integers
            lo, hi = 0.0, 65535.0 if hi > 255 else 255.0
        span = hi - lo if hi > lo else 1.0
        return np.clip((arr - lo) * 255.0 / span, 0, 255).astype(np.uint8)
    return np.asarray(img.convert("RGB"))


def load_image(path: Path, max_side: int = 6000, max_megapixels: int = 178) -> LoadedImage:
    """The picture in ``path`` ready for the detector (see the module's notes)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                w, h = img.size
                if w * h > max_megapixels * 1_000_000:
                    raise UnreadableImage(
                        Words(TOO_LARGE.zh.format(mp=round(w * h / 1e6), limit=max_megapixels),
                              TOO_LARGE.en.format(mp=round(w * h / 1e6), limit=max_megapixels)))
                if w == 0 or h == 0:
                    raise UnreadableImage(EMPTY)
                if img.format == "JPEG" and max(w, h) > max_side:
                    img.draft("RGB", (max(1, w * max_side // max(w, h)),
                                      max(1, h * max_side // max(w, h))))
                img.load()
                turned = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation
                full = (h, w) if turned else (w, h)
                upright = ImageOps.exif_transpose(img)
                arr = _eight_bit(upright if upright is not None else img)
    except UnreadableImage:
        raise
    except FileNotFoundError:
        raise UnreadableImage(MISSING) from None
    except IsADirectoryError:
        raise UnreadableImage(FOLDER) from None
    except PermissionError:
        raise UnreadableImage(DENIED) from None
    except UnidentifiedImageError:
        raise UnreadableImage(NOT_IMAGE) from None
    except Image.DecompressionBombError:
        raise UnreadableImage(Words(TOO_LARGE.zh.format(mp="?", limit=max_megapixels),
                                    TOO_LARGE.en.format(mp="?", limit=max_megapixels))) from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise UnreadableImage(DAMAGED) from None
    frame = arr if arr.ndim == 2 else cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    fh, fw = frame.shape[:2]
    if max(fw, fh) > max_side:
        f = max_side / float(max(fw, fh))
        frame = cv2.resize(frame, (max(1, round(fw * f)), max(1, round(fh * f))),
                           interpolation=cv2.INTER_AREA)
        fh, fw = frame.shape[:2]
    factor = full[0] / float(fw) if fw else 1.0
    return LoadedImage(np.ascontiguousarray(frame), full, factor)
