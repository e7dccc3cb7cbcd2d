"""A frame at the detector's three scales (:func:`drivers.scanner.detect.detect_page`): the
full frame, the finer search image (twice as fine as the search image, at most the frame) and
the search image, with the readings of the frame made once and shared by every search."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from drivers.scanner.band import Looks
from drivers.scanner.views import WHITE, pale_even, sensor_noisy


@dataclass(frozen=True)
class Frames:
    frame: np.ndarray
    fine: np.ndarray
    small: np.ndarray
    scale: float
    fine_scale: float
    fine_white: np.ndarray
    """The plain view of ``fine`` (whiteness), made once."""

    @cached_property
    def gray(self) -> np.ndarray:
        """The plain view's grey levels of the whole frame, float32 as the refinement reads
        them: made once a frame, on first use (the frame's per-frame cache; read only)."""
        return np.asarray(WHITE.gray(self.frame), np.float32)

    @cached_property
    def fine_white32(self) -> np.ndarray:
        """``fine_white`` as float32, as the sides' support, "continues to the border", grow
        and carry on read it: made once a frame, on first use (read only; the far cut-off
        check reads the uint8 one)."""
        return np.asarray(self.fine_white, np.float32)

    @cached_property
    def pale(self) -> bool:
        """Whether the frame is pale and even (:func:`drivers.scanner.views.pale_even`):
        read once a frame, on first use."""
        return pale_even(self.small)

    @cached_property
    def noisy(self) -> bool:
        """Whether the frame is under heavy sensor noise
        (:func:`drivers.scanner.views.sensor_noisy`): read once a frame, on first use."""
        return sensor_noisy(self.fine)

    @cached_property
    def looks(self) -> Looks:
        """The first looks for a band of colour beyond a quad's sides
        (:class:`drivers.scanner.band.Looks`, on ``fine``): each quad's read once a frame."""
        return Looks(self.fine)
