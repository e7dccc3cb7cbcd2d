"""The captured page, flattened to A4 at 200 dpi, written as JPEG and as a multi-page PDF.

Files are replaced atomically (:func:`config.files.atomic_path`), so a reader never sees half
a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from config.files import atomic_path
from drivers.scanner.errors import OutputError

A4_MM = (210.0, 297.0)
DPI = 200


def a4_pixels(dpi: int = DPI, landscape: bool = False) -> tuple[int, int]:
    """(width, height) of an A4 page at ``dpi`` (1654 x 2339 at 200 dpi)."""
    w = round(A4_MM[0] / 25.4 * dpi)
    h = round(A4_MM[1] / 25.4 * dpi)
    return (h, w) if landscape else (w, h)


def is_landscape(corners: np.ndarray) -> bool:
    """Whether the page lies landscape: its top side longer than its left side."""
    c = np.asarray(corners, np.float64)
    top = (np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2
    left = (np.linalg.norm(c[3] - c[0]) + np.linalg.norm(c[2] - c[1])) / 2
    return bool(top > left)


def flatten_page(image: np.ndarray, corners: np.ndarray, dpi: int = DPI) -> np.ndarray:
    """The page seen between ``corners`` (clockwise from top-left) as a flat A4 image."""
    w, h = a4_pixels(dpi, is_landscape(corners))
    src = np.asarray(corners, np.float32).reshape(4, 2)
    dst = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    return cv2.warpPerspective(
        image,
        cv2.getPerspectiveTransform(src, dst),
        (w, h),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _pil(page: np.ndarray) -> Image.Image:
    if page.ndim == 2:
        return Image.fromarray(page)
    return Image.fromarray(np.ascontiguousarray(page[..., ::-1]))


def _atomic_save(path: Path, write: Callable[[Path], None]) -> Path:
    try:
        with atomic_path(path) as tmp:
            write(tmp)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return Path(path)


def save_jpeg(page: np.ndarray, path: Path, dpi: int = DPI, quality: int = 90) -> Path:
    """Write one page as JPEG with its resolution recorded (so it prints at A4 size)."""
    image = _pil(page)
    return _atomic_save(
        Path(path), lambda p: image.save(p, "JPEG", quality=quality, dpi=(dpi, dpi))
    )


def save_pdf(pages: Sequence[np.ndarray], path: Path, dpi: int = DPI) -> Path:
    """Write every page, in order, into one PDF whose pages are A4."""
    if not pages:
        raise OutputError("no page to write into the PDF")
    images = [_pil(p).convert("RGB") for p in pages]
    return _atomic_save(
        Path(path),
        lambda p: images[0].save(
            p, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:]
        ),
    )
