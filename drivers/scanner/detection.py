"""What the detector reports for one frame (:class:`Detection`), whether a quad's corner is at
the frame's edge (:func:`near_edge`), and the frames it reads (:func:`as_frame`): the page
search itself is :mod:`drivers.scanner.detect`."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner.geometry import quad_area


@dataclass(frozen=True)
class Detection:
    """What the detector found in one frame."""

    corners: np.ndarray | None
    """4 x 2 float pixels, clockwise from the top-left one; None when no page was found."""
    frame_size: tuple[int, int]
    """(width, height) of the frame."""
    touches_border: bool = False
    """A corner is at (or beyond) the frame's edge: the page is probably cut off."""
    support: float = 0.0
    """How well the sides are seen (product of the four sides' shares, 0..1)."""

    @property
    def found(self) -> bool:
        return self.corners is not None

    @property
    def area_share(self) -> float:
        if self.corners is None:
            return 0.0
        w, h = self.frame_size
        return quad_area(self.corners) / float(w * h)

    def as_list(self) -> list[list[float]] | None:
        if self.corners is None:
            return None
        return [[round(float(x), 2), round(float(y), 2)] for x, y in self.corners]


def near_edge(corners: np.ndarray, size: tuple[int, int], margin: float) -> bool:
    """Whether a corner of ``corners`` lies within ``margin`` of the edge of a frame of
    ``size`` (width, height) or beyond it."""
    w, h = size
    return bool(
        np.any(corners < margin)
        or np.any(corners[:, 0] > w - 1 - margin)
        or np.any(corners[:, 1] > h - 1 - margin)
    )


def as_frame(image: np.ndarray) -> np.ndarray:
    """A frame the detector can read: 8-bit, grey or BGR (BGRA loses alpha, 16-bit is scaled)."""
    img = np.asarray(image)
    if img.dtype != np.uint8:
        if img.dtype == np.uint16:
            img = (img >> 8).astype(np.uint8)
        else:
            img = np.clip(np.nan_to_num(img.astype(np.float64)), 0, 255).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
        raise ValueError(f"not an image: shape {img.shape}")
    return np.ascontiguousarray(img)
