"""Round 9 of the page detector on desks it was not tuned on: a page over another sheet whose
side over the desk, beside that sheet, is short. The second search's quads are made of the
bright regions' outline sides; the chord of a short side is degrees off, so the corners it
makes with the page's long sides land pixels off, out of the refinement's reach: the sides
are also fitted to every pixel of the outline. And the slivers of a certificate's margin (cut
off by its printed frame in the bright mask) can crowd that short side out of the longest
ones: the longest sides with the shorter of each sliver's left out are combined too. Pinned
with scenes of the held-out generator's *tuning* seeds 9010 and 9011 (looked at frame by frame
while the detector was changed; never a held-out seed), and what must stay as it was."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.candidates import concave_candidates
from drivers.scanner.geometry import order_clockwise
from tests.scanner.tuning import clear_scene, score

BEFORE = DetectParams(fit_outlines=False)
"""The outline quads from the chords between the outline's corners, of the longest sides
only (round 8)."""


def _page_over_sheet() -> tuple[np.ndarray, np.ndarray]:
    """Whiteness: a dark desk (90), a sheet (226) and a slanted page (232) over its top right
    corner; the page's left side shows over the desk for 40 pixels. And the page's corners."""
    white = np.full((180, 320), 90, np.uint8)
    cv2.fillPoly(white, [np.array([[20, 80], [125, 72], [130, 178], [25, 179]], np.int32)], 226)
    page = np.array([[101, 38], [262, 57], [246, 163], [86, 151]], float)
    cv2.fillPoly(white, [page.astype(np.int32)], 232)
    return cv2.GaussianBlur(white, (3, 3), 0), order_clockwise(page)


def test_a_short_sides_fitted_line_gives_the_pages_corners_drawn() -> None:
    white, page = _page_over_sheet()
    limit = 0.01 * white.size

    def nearest(fit: bool) -> float:
        return min(float(np.abs(order_clockwise(q) - page).max())
                   for q in concave_candidates(white, limit, fit=fit))

    assert nearest(False) > 3.0  # the chord's corners: out of the refinement's reach
    assert nearest(True) <= 1.0


@pytest.mark.parametrize(("seed", "index"), [
    (9010, 9),  # wood, a sheet under the certificate's left side: their union, cut off
    (9011, 69),  # gingham, a sheet under the page's bottom left: their union, cut off
    (9011, 94),  # dark desk, a certificate under the page's corner: slivers of its margin
    (9010, 58),  # stripes, a sheet under the page's corner: the union (0.59, seen 0.21)
])
def test_a_page_over_a_sheet_with_a_short_side_over_the_desk(seed: int, index: int) -> None:
    image, truth = clear_scene(seed, index, "two-documents")
    before = detect_page(image, BEFORE)
    assert score(before.corners, truth) < 0.85  # the failure, pinned (#9, #69, #94: cut off)
    det = detect_page(image)
    assert score(det.corners, truth) > 0.97
    assert judge(image, det).ok


def test_a_dented_page_found_before_stays() -> None:
    """9011 two-documents #99: found by the chords' quads before; the fitted ones find it a
    little better."""
    image, truth = clear_scene(9011, 99, "two-documents")
    assert score(detect_page(image, BEFORE).corners, truth) > 0.99
    assert score(detect_page(image).corners, truth) > 0.99


def test_a_page_the_second_search_turns_cut_off_is_looked_for_in_the_other_views() -> None:
    """9010 mix #214 (stripes, motion): the plain view's page, unsure, not at the frame's
    edge; the second search's new quads have one with a stripe for the page's side, running
    off the frame, and it won there (seen 0.85: taken at once, refused as cut off). A page
    the second search turns cut off no longer ends the search: the other views find the
    page."""
    image, truth = clear_scene(9010, 214)
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border
    assert judge(image, det).ok
