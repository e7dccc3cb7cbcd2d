"""Round 6 of the page detector on desks it was not tuned on: the page and the sheet under it
taken as one quad. Each failure is pinned with scenes of the held-out generator's *tuning*
seeds (9002, 9004, 9005, ``two-documents``; looked at frame by frame while the detector was
changed; never a held-out seed), and the cases that must stay as they were."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import drivers.scanner.finish as finish
from drivers.scanner import DetectParams, detect_page, judge, sheets
from drivers.scanner.support import continues_to_border, corner_share
from simulators.camera.heldout import HeldoutGenerator
from simulators.camera.metrics import jaccard_smartdoc
from tests.scanner.tuning import clear_scene

NO_SECOND_SEARCH = DetectParams(concave=False)

# (seed, index, what): the union of the page and the sheet under it, the sheet running off the
# frame, was refused as cut off (a quad at the frame's edge was final)
AT_THE_EDGE = [
    (9005, 13, "on wood, the sheet under the page's lower side running off the frame"),
    (9005, 74, "on wood, the sheet under a corner running off the frame"),
    (9004, 95, "on stone, the sheet under the page's upper corner"),
    (9002, 82, "given up for speed in round 5 (test_search_cost.py), found again"),
]
# the page's quad was among the dented outlines' but the union still won: a corner on the desk
CORNER_ON_DESK = [
    (9004, 50, "on a dotted tablecloth, the sheet under the page's left side"),
]


def _scene(seed: int, index: int, condition: str = "two-documents"
           ) -> tuple[np.ndarray, tuple[tuple[float, float], ...], tuple[float, float]]:
    image, t = clear_scene(seed, index, condition)
    assert t.corners is not None
    return image, t.corners, t.page_mm


@pytest.mark.parametrize(("seed", "index", "what"), AT_THE_EDGE,
                         ids=[f"{s}-{i}" for s, i, _ in AT_THE_EDGE])
def test_a_union_at_the_frames_edge_is_searched_again_for_the_page(
        seed: int, index: int, what: str) -> None:
    image, truth, mm = _scene(seed, index)
    before = detect_page(image, NO_SECOND_SEARCH)
    # refused as cut off: the failure, pinned; but 9004 #95's first page is the page itself
    # (0.996), at the frame's edge: since round 10 (support._along: the stone's blotches beyond
    # a part of its side are not the page going on) it is not cut off without the second
    # search either
    assert before.touches_border or (seed, index) == (9004, 95)
    det = detect_page(image)
    assert jaccard_smartdoc(det.corners, truth, mm) > 0.98
    assert judge(image, det).ok


def test_a_page_seen_much_worse_than_the_quad_at_the_edge_is_not_taken() -> None:
    """9002 #85 (flowered tablecloth, a large sheet under the page): the second search finds
    the union of the two sheets clear of the frame's edge, seen far worse than the quad at the
    edge (a fifth of its score): the quad at the edge stays, refused as cut off, rather than a
    wrong quad accepted."""
    image, truth, mm = _scene(9002, 85)
    det = detect_page(image)
    assert det.touches_border and not judge(image, det).ok
    taken = detect_page(image, replace(DetectParams(), edge_again=0.0))
    assert not taken.touches_border and jaccard_smartdoc(taken.corners, truth, mm) < 0.8


@pytest.mark.parametrize(("seed", "index", "what"), CORNER_ON_DESK,
                         ids=[f"{s}-{i}" for s, i, _ in CORNER_ON_DESK])
def test_a_quad_with_a_corner_on_the_desk_loses_to_the_page(seed: int, index: int, what: str
                                                            ) -> None:
    image, truth, mm = _scene(seed, index)
    before = detect_page(image, replace(DetectParams(), concave_corner=0.0))
    assert jaccard_smartdoc(before.corners, truth, mm) < 0.8 or before.touches_border
    det = detect_page(image)
    assert jaccard_smartdoc(det.corners, truth, mm) > 0.98
    assert not det.touches_border


def test_a_sheet_with_an_edge_in_line_with_the_pages_is_not_a_cut_page() -> None:
    """9005 #8 (gingham): the sheet under the page's left side runs off the frame, its lower
    edge in line with the page's: that flank runs on past the page's corner, the other does
    not. The page was found (dented outlines) but judged cut off."""
    image, truth, mm = _scene(9005, 8)
    det = detect_page(image)
    assert jaccard_smartdoc(det.corners, truth, mm) > 0.98
    assert judge(image, det).ok


def _drawn_sheet(cut: bool) -> tuple[np.ndarray, np.ndarray]:
    white = np.full((400, 600), 60, np.uint8)
    if cut:
        white[100:300, 0:450] = 210  # a page running off the frame, a rule at x = 250
    else:
        white[150:300, 100:260] = 215  # a sheet under the page's left side, lower edges in line
        white[100:300, 250:450] = 210
    return white, np.array([[250, 100], [449, 100], [449, 299], [250, 299]], np.float64)


def test_paper_past_a_side_far_from_the_frames_edge_needs_both_flanks_drawn() -> None:
    """Far from the frame's edge, paper past a side is the page going on (a part of a cut page
    was found) only if both neighbouring sides carry on; one does along an in-line sheet."""
    white, quad = _drawn_sheet(cut=False)
    assert not continues_to_border(white, quad, facing=1.0)
    white, quad = _drawn_sheet(cut=True)
    assert continues_to_border(white, quad, facing=1.0)


def test_a_page_carried_on_short_is_carried_on_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """9005 #34 (stone): a strip of the page above a table's rule won; carried on, its flank
    along the blotchy stone lost its edge for a few pixels and ended early (0.56): the moved
    side still had paper beyond it, so it is carried on again, to the page's lower side."""
    image, truth, mm = _scene(9005, 34)
    assert jaccard_smartdoc(detect_page(image).corners, truth, mm) > 0.98

    def carry_once(white: np.ndarray, quad: np.ndarray, unit: float, contrast: float = 6.0
                   ) -> np.ndarray:
        return sheets.carry_on(white, quad, unit, contrast, rounds=1)

    monkeypatch.setattr(finish, "carry_on", carry_once)
    assert jaccard_smartdoc(detect_page(image).corners, truth, mm) < 0.8  # round 5's


def test_a_cut_page_is_not_carried_from_one_column_rule_to_the_next() -> None:
    """9002 cut-ruled #79 (a form running off the frame's left edge, striped cloth): the
    part right of a column rule was carried on to the next rule, where paper is still beyond;
    carried on again regardless, it reached the rule 80 px from the frame's edge and the cut
    page was accepted. A further round is kept only when it ends the carrying."""
    scene = HeldoutGenerator(9002).scene(79, "cut-ruled")
    assert scene.truth.expected == "cut off"
    detection = detect_page(scene.image)
    assert not judge(scene.image, detection).ok
    assert detection.corners is not None and detection.corners[:, 0].min() > 120


def test_corner_share_drawn() -> None:
    """A page's corners are paper; a quad reaching out over the desk has a corner that is not."""
    white = np.full((200, 300), 60, np.uint8)
    white[40:160, 50:200] = 210
    page = np.array([[[50, 40], [199, 40], [199, 159], [50, 159]]], np.float64)
    union = np.array([[[50, 40], [199, 40], [199, 159], [0, 199]]], np.float64)
    level = np.array([210.0])
    assert corner_share(white, page, level)[0] == 1.0
    assert corner_share(white, union, level)[0] < 0.5


@pytest.mark.parametrize(("index", "condition"), [(28, "cut-ruled"), (11, "cut"), (0, "cut")])
def test_cut_pages_stay_refused(index: int, condition: str) -> None:
    """The second search at the frame's edge keeps a cut page refused (9001 #11: its outline is
    dented, the search runs, finds nothing clear of the frame's edge)."""
    scene = HeldoutGenerator(9001).scene(index, condition)
    assert not judge(scene.image, detect_page(scene.image)).ok
