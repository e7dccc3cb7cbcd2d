"""Ways of looking at a frame in which paper is the bright thing: the page search runs on one
view, and on others when the first finds nothing convincing.

* **white** (the default): the darkest channel of each pixel, high only where the pixel is
  bright and colourless. Paper on almost any desk.
* **smooth**: the same after a blur of about two pixels of the search image. A tablecloth
  whose ground is as white as paper (dots, gingham, checks, a flower print) is paper-white
  between its coloured marks, so the page's edge has "paper" on both sides; blurred, the
  marks and the ground mix into a tint or a grey darker than the page, which stays white.
* **warm** and **cool**: the difference of the red and blue channels (amplified), one sign or
  the other. A white page on a pale laminate can differ from the desk only in colour (a warm
  page on a bluish desk: the darkest channel and the grey steps are a few levels, red minus
  blue steps by 10-20): in one of the two the page is the brighter.

A view turns a BGR (or grey) picture into one channel (uint8) given ``unit``, the size of a
pixel of the search image in that picture's pixels (blurs scale with it).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def whiteness(image: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel: high only where the pixel is bright and colourless."""
    if image.ndim == 2:
        return image
    b, g, r = cv2.split(image)
    return cv2.min(cv2.min(b, g), r)


@dataclass(frozen=True)
class View:
    name: str
    blur: float = 0.0
    """Gaussian sigma in pixels of the search image (0: none)."""
    warmth: int = 0
    """0: the darkest channel; +1: red minus blue (a warm page); -1: blue minus red."""
    gain: float = 3.0
    """How much the red-blue difference is amplified in the warm and cool views."""

    @property
    def plain(self) -> bool:
        return self.blur == 0.0 and self.warmth == 0

    def paper(self, image: np.ndarray, unit: float = 1.0) -> np.ndarray:
        """The view of ``image``: paper bright (uint8)."""
        if self.warmth == 0 or image.ndim == 2:
            if self.warmth != 0:
                return np.zeros(image.shape[:2], np.uint8)
            src = image
            if self.blur > 0:
                src = cv2.GaussianBlur(image, (0, 0), self.blur * unit)
            return whiteness(src)
        b, _, r = cv2.split(image)
        diff = cv2.subtract(r.astype(np.int16), b.astype(np.int16))
        out = np.clip(128.0 + self.warmth * self.gain * diff.astype(np.float32), 0, 255)
        return np.asarray(out.astype(np.uint8))

    def gray(self, image: np.ndarray, unit: float = 1.0) -> np.ndarray:
        """What the edge map and the refinement read: grey levels, or the view itself."""
        if not self.plain:
            return self.paper(image, unit)
        return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))


WHITE = View("white")
SMOOTH = View("smooth", blur=2.0)
WARM = View("warm", warmth=1)
COOL = View("cool", warmth=-1)
