"""Round 8 of the page detector on desks it was not tuned on: a page on a striped, dotted or
checked cloth whose light ground passes as paper (the page merges with the whole cloth, or with
the sheet under it, in the bright regions), and a page's part bounded by a printed rule on
stripes. Each failure is pinned with scenes of the held-out generator's *tuning* seeds (9004,
9006-9009; looked at frame by frame while the detector was changed; never a held-out seed),
and the cases that must stay as they were."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest

import drivers.scanner.finish as finish
from drivers.scanner import Reason, detect_page, judge
from drivers.scanner.candidates import contour_candidates
from drivers.scanner.geometry import order_clockwise
from drivers.scanner.levels import upper_candidates
from drivers.scanner.sheets import carry_on
from simulators.camera.heldout import HeldoutGenerator
from tests.scanner.tuning import clear_scene, score, without_round8_candidates

BEFORE = without_round8_candidates()
"""Without the brightest regions' quads (levels.upper_candidates), and without the paler view
(views.PALER), which finds the pages of 9007 #51 and 9008 curled #34 too."""


def _striped(height: int, width: int) -> np.ndarray:
    """A striped cloth (whiteness): a light ground (190) with dark stripes (70), 6 px in 16,
    slanting, and a page (228) at (100, 60) - (220, 150) with a sheet (226) under its right."""
    yy, xx = np.mgrid[0:height, 0:width]
    white = np.where(((xx + yy // 2) % 16) < 6, 70, 190).astype(np.uint8)
    white[40:110, 190:280] = 226
    white[60:150, 100:220] = 228
    return white


def test_the_brightest_regions_give_the_page_on_a_light_striped_cloth_drawn() -> None:
    """Otsu's threshold puts the cloth's ground with the paper: no bright region is the page.
    The threshold taken again over what passed it leaves the two sheets, and the page's quad
    is among the quads of their (dented) outline."""
    white = _striped(180, 320)
    page = order_clockwise(np.array([[100, 60], [219, 60], [219, 149], [100, 149]], float))
    edges = np.zeros_like(white)
    limit = 0.01 * white.size

    def nearest(quads: list[np.ndarray]) -> float:
        return min(float(np.abs(order_clockwise(q) - page).max()) for q in quads)

    assert nearest(contour_candidates(white, edges, limit) or [np.zeros((4, 2))]) > 10
    assert nearest(upper_candidates(white, limit)) <= 3.0
    assert upper_candidates(white, limit, least=0.9) == []  # only when most of it passed


@pytest.mark.parametrize(("seed", "index", "condition"), [
    (9007, 51, "two-documents"),  # stripes, a sheet under the page's corner: nothing found
    (9008, 34, "curled"),  # stripes, the lamp lifting the ground: nothing found
])
def test_a_page_on_a_light_striped_cloth_is_found(seed: int, index: int, condition: str
                                                  ) -> None:
    image, truth = clear_scene(seed, index, condition)
    assert detect_page(image, BEFORE).corners is None  # the failure, pinned
    det = detect_page(image)
    assert score(det.corners, truth) > 0.99
    assert judge(image, det).ok


@pytest.mark.parametrize("index", [19, 15])
def test_a_page_over_a_sheet_on_stripes_at_the_frames_edge(index: int) -> None:
    """9006 #19, 9004 #15 (two-documents): the page and the sheet under it merged with the
    stripes' ground; their union, at the frame's edge, was final and refused as cut off."""
    seed = 9006 if index == 19 else 9004
    image, truth = clear_scene(seed, index, "two-documents")
    before = detect_page(image, BEFORE)
    assert score(before.corners, truth) < 0.75 and before.touches_border  # pinned
    det = detect_page(image)
    assert score(det.corners, truth) > 0.99
    assert not det.touches_border and judge(image, det).ok


def test_a_part_of_the_page_on_stripes_is_carried_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """9009 two-documents #79: the page's part above a table's rule won (seen 0.75); beyond
    its flanks the stripes' light ground lifts the desk to 23 levels under the paper (25
    needed), so it was not carried on. Flanks seen as edges all along count as the page's."""
    image, truth = clear_scene(9009, 79, "two-documents")
    with monkeypatch.context() as m:
        m.setattr(finish, "carry_on", functools.partial(carry_on, seen=1.1))
        assert score(detect_page(image).corners, truth) < 0.4  # the failure, pinned
    det = detect_page(image)
    assert score(det.corners, truth) > 0.99
    assert judge(image, det).ok


def test_an_empty_cloth_stays_empty() -> None:
    """9001 mix #59 (an empty tablecloth): the brightest regions' quads found a patch seen
    0.09 when the first search had found nothing; it is not taken (it was refused as cut off)."""
    scene = HeldoutGenerator(9001).scene(59)
    assert scene.truth.visibility == "none"
    det = detect_page(scene.image)
    assert det.corners is None
    assert Reason.NO_PAGE in judge(scene.image, det).reasons


def test_a_drawn_page_is_not_moved_by_the_new_reading() -> None:
    """A page on a plain dark desk: the brightest regions are not read (its bright part is
    not most of the frame) and nothing is carried on."""
    white = np.full((180, 320), 60, np.uint8)
    white[40:140, 80:240] = 220
    assert upper_candidates(white, 0.01 * white.size) == []
    quad = np.array([[80, 40], [239, 40], [239, 139], [80, 139]], float)
    assert np.array_equal(carry_on(cv2.GaussianBlur(white, (3, 3), 0), quad, unit=1.0), quad)
