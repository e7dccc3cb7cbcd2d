"""Round 7 of the page detector on desks it was not tuned on: the page and the sheet under it on
a tablecloth. Each failure is pinned with scenes of the held-out generator's *tuning* seeds
(9006, 9007, ``two-documents``; looked at frame by frame while the detector was changed; never
a held-out seed), and the cases that must stay as they were."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import drivers.scanner.candidates as candidates
import drivers.scanner.detect as detect
from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.support import continues_to_border, flanks_go_on
from simulators.camera.heldout import HeldoutGenerator
from tests.scanner.tuning import clear_scene, score


def _checked_cloth(height: int, width: int) -> np.ndarray:
    """A checked tablecloth (whiteness): squares of 8 px, 150 and 60, a row boundary at y=100."""
    yy, xx = np.mgrid[0:height, 0:width]
    return np.where(((yy + 4) // 8 + xx // 8) % 2 == 0, 150, 60).astype(np.uint8)


def _drawn(cut: bool) -> tuple[np.ndarray, np.ndarray]:
    white = _checked_cloth(400, 600)
    if cut:
        white[100:300, 100:600] = 210  # a page running off the frame, a rule at x = 300
    else:
        white[140:260, 300:420] = 205  # a sheet under the page's right side, edges not in line
        white[100:300, 100:300] = 210
    return white, np.array([[100, 100], [299, 100], [299, 299], [100, 299]], np.float64)


def test_a_flank_over_a_checked_cloth_does_not_carry_on_drawn() -> None:
    """Past the page's corners, the line of its top and bottom sides runs over the cloth's
    squares: the step across it is a square's edge half the time (the flank "carried on" and
    the sheet under the page made it a cut page). A flank carries on only with paper inside."""
    white, quad = _drawn(cut=False)
    img = white.astype(np.float32)
    assert flanks_go_on(img, quad, 1, 300.0, 60.0, 1.0, both=True)  # round 6's reading
    assert not flanks_go_on(img, quad, 1, 300.0, 60.0, 1.0, both=True, paper=True)
    assert not continues_to_border(white, quad, facing=1.0)
    white, quad = _drawn(cut=True)
    assert flanks_go_on(white.astype(np.float32), quad, 1, 300.0, 60.0, 1.0, both=True,
                        paper=True)
    assert continues_to_border(white, quad, facing=1.0)


def test_a_page_over_a_sheet_on_gingham_is_not_cut_off() -> None:
    """9006 #85: the page found by the second search (dented outlines), its flanks' lines run
    on over the gingham's squares past its corners: it was refused as cut off (0.64)."""
    image, truth = clear_scene(9006, 85, "two-documents")
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98
    assert not det.touches_border and judge(image, det).ok


def test_a_quad_over_a_cut_page_and_gingham_stays_cut_off() -> None:
    """9004 cut-ruled #15: a quad over part of a cut form and the gingham beside it, its side
    near the frame's edge with the form running on past it. Of its flanks one runs on over
    the gingham (light squares inside, paper enough), the other not: a near side stays cut
    off with either flank carrying on (with both needed there, it was accepted)."""
    scene = HeldoutGenerator(9004).scene(15, "cut-ruled")
    assert scene.truth.expected == "cut off"
    assert not judge(scene.image, detect_page(scene.image)).ok


def test_the_coarse_best_refined_again_when_a_union_at_the_edge_beat_it() -> None:
    """9006 #22 (gingham): the page was the coarse search's best quad (every side seen), but
    its refinement gave up (the quad 10 px off the page's sides) and, refined, it was not seen
    at all; the union with the sheet under it, running off the frame, won and was refused as
    cut off (0.53). Refined once more reaching twice as far, the page is seen."""
    image, truth = clear_scene(9006, 22, "two-documents")
    before = detect_page(image, replace(DetectParams(), refine_again=0.0))
    assert before.touches_border and score(before.corners, truth) < 0.8
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and judge(image, det).ok


def test_a_coarse_best_at_the_frames_edge_is_not_refined_again() -> None:
    """9002 #43 (stone): the coarse search's best was a quad over the page and the sheet under
    it reaching past the frame's edge; refined again it beat the part of the page that is
    carried on to the page (0.999 -> 0.74, refused as cut off). The coarse best is refined
    again only clear of the frame's edge, and taken only when it is then not cut off."""
    image, truth = clear_scene(9002, 43, "two-documents")
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border


def test_the_second_search_keeps_its_page_when_nothing_is_cut_off() -> None:
    """9007 #57 (stone): in the second search the union's refinement gave up too; refined
    again it narrowly beat the page found there (0.996 -> 0.873). There the coarse best is
    refined again only against a page refused as cut off."""
    image, truth = clear_scene(9007, 57, "two-documents")
    assert score(detect_page(image).corners, truth) > 0.98


def test_the_pages_short_side_over_the_desk_is_among_the_dented_outlines_sides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """9007 #22 (dark desk, a certificate under the page's right side running off the frame):
    the page's side over the desk is 4.3 % of the bright region's outline and the certificate's
    printed frame breaks the outline into many long sides: among the eight longest it was not,
    and the union at the frame's edge was refused as cut off (0.85)."""
    image, truth = clear_scene(9007, 22, "two-documents")
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border
    eight = candidates.concave_candidates

    def with_eight(white: np.ndarray, min_area: float, max_sides: int = 8, fit: bool = True
                   ) -> list[np.ndarray]:
        return eight(white, min_area, 8, fit=False)  # round 9's sides find it with eight

    monkeypatch.setattr(detect, "concave_candidates", with_eight)
    assert detect_page(image).touches_border
