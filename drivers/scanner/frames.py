"""A frame at the detector's three scales (:func:`drivers.scanner.detect.detect_page`): the
full frame, the finer search image (twice as fine as the search image, at most the frame) and
the search image, with the readings of the frame made once and shared by every search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from drivers.scanner.band import Looks
from drivers.scanner.candidates import coarse_edges, line_candidates
from drivers.scanner.views import WHITE, View, pale_even, sensor_noisy


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

    @cached_property
    def _made(self) -> dict[tuple[object, ...], np.ndarray]:
        """The views' pictures made so far (:meth:`paper`, :meth:`gray_of`, :meth:`edges`)."""
        return {}

    def paper(self, view: View, fine: bool = False) -> np.ndarray:
        """``view``'s paper picture (:meth:`drivers.scanner.views.View.paper`) of the search
        image, or with ``fine`` of the finer one: made once a frame (read only)."""
        return self._once(("paper", fine, *view.picture_key), lambda: view.paper(
            self.fine, self.fine_scale / self.scale) if fine else view.paper(self.small))

    def gray_of(self, view: View, fine: bool = False) -> np.ndarray:
        """``view``'s grey levels (:meth:`drivers.scanner.views.View.gray`) of the search image,
        or with ``fine`` of the finer one: made once a frame (read only; the faint and lamp
        views' are one picture)."""
        if view.gray_key is None:
            return self.paper(view, fine)
        return self._once(("gray", fine, *view.gray_key), lambda: view.gray(
            self.fine, self.fine_scale / self.scale) if fine else view.gray(self.small))

    def _once(self, key: tuple[object, ...], make: Callable[[], np.ndarray]) -> np.ndarray:
        """The picture made under ``key`` this frame, made by ``make`` the first time."""
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = make()
        return made

    @cached_property
    def _edge_maps(self) -> dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]]:
        """The edge maps and line quads made so far (:meth:`edges`)."""
        return {}

    def edges(self, view: View, noisy: bool) -> tuple[np.ndarray, np.ndarray]:
        """The coarse search's edge map of ``view``'s grey levels (:meth:`gray_of`;
        :func:`drivers.scanner.candidates.coarse_edges`, ``noisy`` as there) and the quads of
        its Hough lines (:func:`drivers.scanner.candidates.line_candidates`): made once a
        frame (read only; the lamp view's are the faint view's)."""
        gray_key = view.gray_key
        key = (noisy, *(("paper", *view.picture_key) if gray_key is None else gray_key))
        made = self._edge_maps.get(key)
        if made is None:
            edges = coarse_edges(self.gray_of(view), noisy)
            made = edges, line_candidates(edges)
            self._edge_maps[key] = made
        return made

    @cached_property
    def seen_coarsely(self) -> dict[str, float]:
        """Per view searched so far (by name): how well the best of its shortlisted quads had
        its sides seen (coarse support), 0 where none was scored (``detect._scored`` writes
        it; the lamp view is searched only where the faint view saw something:
        ``DetectParams.lamp_after``)."""
        return {}
