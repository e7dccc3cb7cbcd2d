"""The page a search found, finished, and the cut-off decision on it.

* :func:`finish`: its corners in order, and whether it is cut off as the search sees it: a
  corner at the frame's edge (``border_margin``; or the coarse quad's within a search pixel),
  or paper running on past a side near the frame's edge, just beyond it
  (:func:`drivers.scanner.support.continues_to_border`, with the page's own edge read point by
  point: :func:`drivers.scanner.cutoff.stepped`).
* :func:`beyond`: the plain view's page grown past a frame printed inside its edges (whose
  margin is paper running on past the quad's sides, "cut off" as it stands:
  :mod:`drivers.scanner.grow`), or extended over a band of colour printed to its edge
  (:mod:`drivers.scanner.band`), or carried on to where its neighbouring sides end
  (:mod:`drivers.scanner.sheets`); :func:`grown_plain` another view's page grown so.
* :func:`cut_off_far`: the last look, on the page reported only: a side along the frame's edge
  (:func:`drivers.scanner.cutoff.along_edge`), or paper running on, unbroken, from a side far
  from the frame's edge out to it (:func:`drivers.scanner.cutoff.runs_off`), or (round 11)
  paper far brighter than the quad running off the frame beside it: the page in view is cut
  off and the quad is something else (:func:`drivers.scanner.beside.paper_beside`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np

from drivers.scanner.band import extend_over_band, runs_off_frame
from drivers.scanner.beside import paper_beside
from drivers.scanner.cutoff import along_edge, runs_off, stepped
from drivers.scanner.detection import Detection, near_edge
from drivers.scanner.frames import Frames
from drivers.scanner.geometry import corners_within, order_clockwise
from drivers.scanner.grow import grow, sides_seen
from drivers.scanner.params import DetectParams
from drivers.scanner.refine import refine_corners
from drivers.scanner.sheets import carry_on
from drivers.scanner.support import continues_to_border, seen_finely


def finish(
    fine_white: np.ndarray, size: tuple[int, int], corners: np.ndarray, coarse: np.ndarray,
    coarse_size: tuple[int, int], support: float, p: DetectParams,
) -> Detection:
    corners = order_clockwise(corners)
    fine_scale = fine_white.shape[1] / float(size[0])
    touches = (
        near_edge(corners, size, p.border_margin)
        or near_edge(coarse, coarse_size, 1.0)
        or paper_runs_on(fine_white, corners * fine_scale, coarse_size[0], p)
    )
    return Detection(corners, size, touches, support)


def paper_runs_on(fine_white: np.ndarray, corners: np.ndarray, coarse_width: int,
                  p: DetectParams) -> bool:
    """Whether paper runs on past a side of the quad ``corners`` (the finer image's pixels) to
    the frame's edge (:func:`drivers.scanner.support.continues_to_border`, read with the
    search's unit: the finer image's width over the search image's ``coarse_width``)."""
    return continues_to_border(fine_white, corners,
                               unit=fine_white.shape[1] / float(coarse_width),
                               facing=p.facing,
                               stepped=partial(stepped, margin=p.margin_desk) if p.stepped
                               else None,
                               own=p.own_paper)


def beyond(
    f: Frames, gray: np.ndarray, fine_white: np.ndarray, page: Detection, coarse: np.ndarray,
    coarse_size: tuple[int, int], p: DetectParams,
) -> tuple[Detection, bool]:
    """The page found in the plain view, grown past a frame printed inside its edges (whose
    margin is paper running on past the quad's sides: "cut off" as it stands) or extended over
    a band of colour printed to its edge, or carried on to where its neighbouring sides end;
    ``page`` itself when none is seen. And whether it was carried on."""
    assert page.corners is not None
    if p.grow_sides > 0:
        grown, seen, seen_on = _grown(gray, fine_white, page.corners, f, p)
        if grown is not None:
            return finish(seen_on, page.frame_size, grown, coarse, coarse_size, seen,
                           p), False
    if p.bands:
        start = page.corners * f.fine_scale
        banded = extend_over_band(f.fine, start, curled=p.curled_bands, looks=f.looks)
        if not np.array_equal(banded, start):
            # the band's own side is not paper: whether the page goes on past the frame's
            # edge is read on the quad before (and the band's corners must be in view)
            corners = order_clockwise(banded / f.fine_scale)
            return replace(page, corners=corners, touches_border=page.touches_border
                           or near_edge(corners, page.frame_size, p.border_margin)), False
    if p.carry_on:
        start = page.corners * f.fine_scale
        carried = carry_on(fine_white, start, unit=f.fine_scale / f.scale, contrast=p.contrast)
        if not np.array_equal(carried, start):
            refined = order_clockwise(refine_corners(gray, carried / f.fine_scale,
                                                     radius=max(2.5, 1.0 / f.fine_scale),
                                                     samples=p.refine_samples))
            if not corners_within(refined, page.corners, 3.0, strict=True):  # it only grows
                refined = order_clockwise(carried / f.fine_scale)
            seen = seen_finely(fine_white, refined * f.fine_scale, p.contrast, (1.0,))
            return finish(fine_white, page.frame_size, refined, coarse, coarse_size, seen,
                           p), True
    return page, False


def grown_plain(f: Frames, page: Detection, p: DetectParams) -> Detection:
    """Another view's page grown past a frame printed inside it, read in the plain view (a
    certificate on a tablecloth: the blurred view finds its frame); ``page`` when it does not
    grow, or a corner is at the frame's edge."""
    if page.corners is None or p.grow_sides <= 0 or near_edge(page.corners, page.frame_size,
                                                                p.border_margin):
        return page
    fine_white = f.fine_white32
    grown, seen, seen_on = _grown(f.gray, fine_white, page.corners, f, p)
    if grown is None:
        return page
    small = f.small.shape[1::-1]
    return finish(seen_on, page.frame_size, grown, grown * f.scale, small, seen, p)


def _grown(
    gray: np.ndarray, fine_white: np.ndarray, corners: np.ndarray, f: Frames, p: DetectParams,
) -> tuple[np.ndarray | None, float, np.ndarray]:
    """The page's corners grown out where paper goes on past its sides
    (:mod:`drivers.scanner.grow`, in colour too), refined again at full resolution, their
    support and the picture (finer search image) it was read on; None when nothing grew."""
    fine_scale, scale = f.fine_scale, f.scale
    start = corners * fine_scale
    grown, seen_on = grow(fine_white, start, colour=f.fine, unit=fine_scale / scale,
                          contrast=p.contrast, min_sides=p.grow_sides, far=p.far_desk)
    if np.array_equal(grown, start):
        return None, 0.0, fine_white
    refined = order_clockwise(refine_corners(gray, grown / fine_scale,
                                             radius=max(2.5, 1.0 / fine_scale),
                                             samples=p.refine_samples))
    seen = float(np.prod(sides_seen(seen_on, refined * fine_scale, p.contrast, slack=1)))
    return refined, seen, seen_on


def cut_off_far(f: Frames, page: Detection, p: DetectParams,
                white: np.ndarray | None = None) -> Detection:
    """``page``, judged cut off also when paper runs on, unbroken, from a side far from the
    frame's edge out to it (:func:`drivers.scanner.cutoff.runs_off`: a cut page's part
    bounded by a printed rule), or when paper far brighter than it runs off the frame beside
    it (:func:`drivers.scanner.beside.paper_beside`). Read on the page reported only, in
    ``white`` (the finer search image's paper picture: the plain view's unless given)."""
    if page.corners is None or page.touches_border or not p.far_cut:
        return page
    seen = f.fine_white if white is None else white
    if along_edge(page.corners, page.frame_size, p.along_edge / f.scale):
        return replace(page, touches_border=True)
    if runs_off(seen, page.corners * f.fine_scale, unit=f.fine_scale / f.scale,
                facing=p.facing, each_desk=p.each_desk, deep=p.deep_margins,
                flanked=p.flanked, inked=p.ink_beyond, printed=p.printed_frame,
                faint=p.faint_ink):
        return replace(page, touches_border=True)
    if p.paper_beside and paper_beside(seen, page.corners * f.fine_scale,
                                       unit=f.fine_scale / f.scale):
        return replace(page, touches_border=True)
    if p.band_off and runs_off_frame(f.fine, page.corners * f.fine_scale, looks=f.looks):
        return replace(page, touches_border=True)  # (round 12) a band out of the frame
    return page
