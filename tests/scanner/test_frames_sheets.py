"""Round 5 of the page detector on desks it was not tuned on: two documents in view, the page
lying over another sheet. Each failure kind is pinned with scenes of the held-out generator's
*tuning* seeds (9001-9003, ``two-documents``; looked at frame by frame while the detector was
changed; never a held-out seed) and with a drawn picture where the point is the principle,
including the cases that must stay as they were."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.sheets import carry_on
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator
from simulators.camera.metrics import jaccard_smartdoc

BEFORE = DetectParams(carry_on=False, concave=False)

# (seed, scene index, what it shows): a wrong quad before round 5
CARRIED = [
    (9002, 43, "a text column's edge taken for the page's side over the sheet under it"),
    (9002, 1, "a line of text taken for the page's side over the sheet under it"),
    (9003, 17, "a text column's edge; the other sheet under a corner (the side taken parallel)"),
]
UNSURE = [
    # 9002 #82 moved to test_search_cost.py: found, but refused since a quad at the frame's
    # edge is final
    (9003, 63, "nothing found: the page's side over the sheet under it missing from the "
                "candidates"),
]


def _scene(seed: int, index: int, condition: str = "two-documents"
           ) -> tuple[np.ndarray, tuple[tuple[float, float], ...], tuple[float, float]]:
    assert seed in TUNING_SEEDS
    scene = HeldoutGenerator(seed).scene(index, condition)
    t = scene.truth
    assert t.corners is not None
    return scene.image, t.corners, t.page_mm


def _score(found: np.ndarray | None, truth: tuple[tuple[float, float], ...],
           page_mm: tuple[float, float]) -> float:
    return jaccard_smartdoc(found, truth, page_mm)


@pytest.mark.parametrize(("seed", "index", "what"), CARRIED,
                         ids=[f"{s}-{i}" for s, i, _ in CARRIED])
def test_a_part_of_the_page_is_carried_on_to_the_page(seed: int, index: int, what: str) -> None:
    image, truth, mm = _scene(seed, index)
    assert _score(detect_page(image, BEFORE).corners, truth, mm) < 0.8  # the failure, pinned
    assert _score(detect_page(image).corners, truth, mm) > 0.97


@pytest.mark.parametrize(("seed", "index", "what"), UNSURE,
                         ids=[f"{s}-{i}" for s, i, _ in UNSURE])
def test_an_unsure_search_finds_the_page_over_another_sheet(seed: int, index: int, what: str
                                                            ) -> None:
    image, truth, mm = _scene(seed, index)
    assert _score(detect_page(image, BEFORE).corners, truth, mm) < 0.8
    assert _score(detect_page(image).corners, truth, mm) > 0.95


def test_a_page_on_a_sheet_that_runs_off_the_frame_is_not_cut_off() -> None:
    """9001 #0: the sheet under the page runs on to the frame's edge; the page's own sides do
    not carry on past its corners, so the page is whole."""
    image, truth, mm = _scene(9001, 0)
    det = detect_page(image)
    assert _score(det.corners, truth, mm) > 0.94
    assert not det.touches_border


def test_a_cut_page_bounded_by_a_ruled_line_stays_refused() -> None:
    """cut-ruled 9001 #28: the unsure search's stricter inside finds the part of the page
    below a table's rule; paper runs on past that rule to the frame's edge and the page's
    sides carry on: still cut off."""
    image, _, _ = _scene(9001, 28, "cut-ruled")
    assert not judge(image, detect_page(image)).ok


@pytest.mark.parametrize(("index", "condition", "what"), [
    (103, None, "a hand over an edge on a gingham: the desk is no paper to carry on over"),
    (58, "two-documents", "a striped desk as bright as paper beyond every side: nothing moves"),
])
def test_pages_already_found_stay_found(index: int, condition: str | None, what: str) -> None:
    scene = HeldoutGenerator(9001).scene(index, condition)
    t = scene.truth
    assert t.corners is not None
    assert _score(detect_page(scene.image).corners, t.corners, t.page_mm) > 0.97


def _drawn() -> np.ndarray:
    img = np.full((360, 640, 3), 90, np.uint8)
    noise = np.random.default_rng(5500).normal(0, 1.2, img.shape)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    cv2.rectangle(img, (300, 240), (639, 359), (236, 236, 236), -1)  # the sheet under it
    cv2.rectangle(img, (200, 70), (440, 300), (226, 228, 230), -1)  # the page
    for y in range(182, 222, 5):  # lines of text
        cv2.line(img, (215, y), (425, y), (40, 40, 40), 1)
    return np.asarray(cv2.GaussianBlur(img, (0, 0), 0.7))


def test_a_quad_ending_at_text_is_carried_on_to_the_page_edge() -> None:
    white = np.min(_drawn(), axis=2)
    part = np.array([[200.0, 70.0], [440.0, 70.0], [440.0, 180.0], [200.0, 180.0]])
    page = np.array([[200.0, 70.0], [440.0, 70.0], [440.0, 300.0], [200.0, 300.0]])
    assert np.abs(carry_on(white, part, unit=2.0) - page).max() < 2.5
    # the page's own edges: nothing to carry on over (its side over the sheet included)
    assert np.array_equal(carry_on(white, page, unit=2.0), page)
