"""Round 6 of the page detector on desks it was not tuned on: a white or cream page on a light
desk. Each failure kind is pinned with scenes of the held-out generator's *tuning* seeds
(looked at frame by frame while the detector was changed; never a held-out seed) and with drawn
pictures where the point is the principle, including the cases that must stay as they were."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.grow import grow, grow_quad, paperness
from drivers.scanner.views import (
    COOL,
    DIM,
    FAINT,
    GREEN,
    PINK,
    SMOOTH,
    WARM,
    pale_even,
    percentiles,
)
from simulators.camera.metrics import jaccard_smartdoc
from tests.scanner.tuning import clear_scene

PALE = "white-on-light"
# round 5's pale views: the check at the finer resolution read across 3 of its pixels
ROUND5 = DetectParams(fallback=(SMOOTH, WARM, COOL, *(
    replace(v, reading=1.0) for v in (FAINT, DIM, GREEN, PINK))))

# (seed, scene index, what it shows): nothing was found before round 6
READ_WIDER = [
    (9004, 58, "found by the green view, its sides' 2-level step spread over 6 pixels"),
]
# another view took a small wrong quad confidently, a later one sees the page
SETTLED = [
    (9003, 1, "a grey page with printed boxes: the cool view takes a box"),
    (9005, 91, "the cool view takes a part of the page and the desk, the green view the page"),
]
# a cream certificate whose margin stands 2-6 levels above the desk in whiteness
CREAM = [
    (9005, 97, "a double frame; the margin differs from the greenish desk in tint only"),
    (9005, 90, "a wide margin, a landscape page; was refused as cut off"),
]


def _scene(seed: int, index: int) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    image, t = clear_scene(seed, index, PALE)
    return image, np.asarray(t.corners), t.page_mm


def _found(image: np.ndarray, truth: np.ndarray, page_mm: tuple[float, float]) -> None:
    det = detect_page(image)
    assert jaccard_smartdoc(det.corners, truth, page_mm) > 0.97
    assert not det.touches_border
    assert judge(image, det).ok or "blurred" in [r.value for r in judge(image, det).reasons]


@pytest.mark.parametrize(("seed", "index", "what"), READ_WIDER,
                         ids=[f"{s}-{i}" for s, i, _ in READ_WIDER])
def test_a_faint_page_is_checked_as_the_search_image_reads_it(seed: int, index: int, what: str
                                                              ) -> None:
    image, truth, page_mm = _scene(seed, index)
    assert jaccard_smartdoc(detect_page(image, ROUND5).corners, truth, page_mm) < 0.8
    _found(image, truth, page_mm)


@pytest.mark.parametrize(("seed", "index", "what"), CREAM, ids=[f"{s}-{i}" for s, i, _ in CREAM])
def test_a_cream_certificate_grows_to_its_edges_in_colour(seed: int, index: int, what: str
                                                          ) -> None:
    image, truth, page_mm = _scene(seed, index)
    _found(image, truth, page_mm)


@pytest.mark.parametrize(("seed", "index", "what"), SETTLED,
                         ids=[f"{s}-{i}" for s, i, _ in SETTLED])
def test_a_small_page_of_another_view_does_not_end_the_search(seed: int, index: int, what: str
                                                              ) -> None:
    image, truth, page_mm = _scene(seed, index)
    first = DetectParams(fallback_settled=0.0)  # round 5: the first view believed ends it
    assert jaccard_smartdoc(detect_page(image, first).corners, truth, page_mm) < 0.8
    _found(image, truth, page_mm)


PAGE = np.array([[200.0, 70.0], [440.0, 70.0], [440.0, 300.0], [200.0, 300.0]])
INNER = np.array([[212.0, 82.0], [428.0, 82.0], [428.0, 288.0], [212.0, 288.0]])
CREAM_PAPER = (197, 214, 224)
"""B, G, R: the darkest channel (blue) 197."""
BLUISH_DESK = (206, 200, 194)
"""The darkest channel (red) 194: 3 levels under the paper's, a step in tint only."""


def _cream(desk: tuple[int, int, int], shift: int = 0) -> np.ndarray:
    """A cream certificate (its frame 10 pixels inside its edges) on a desk, 360 x 640, moved
    ``shift`` pixels right; camera noise and blur."""
    img = np.empty((360, 640, 3), np.float32)
    img[:] = desk
    cv2.rectangle(img, (200 + shift, 70), (440 + shift, 300), CREAM_PAPER, -1)
    cv2.rectangle(img, (210 + shift, 80), (430 + shift, 290), (60, 60, 70), 2)
    img += np.random.default_rng(5601).normal(0, 1.2, img.shape).astype(np.float32)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 0.8), 0, 255).astype(np.uint8)


def test_a_cream_margin_on_a_bluish_desk_grows_in_colour_only() -> None:
    image = _cream(BLUISH_DESK)
    white = np.min(image, axis=2)
    assert np.array_equal(grow_quad(white, INNER, unit=2.0), INNER)  # round 5: the frame
    grown, seen_on = grow(white, INNER, colour=image, unit=2.0)
    assert np.abs(grown - PAGE).max() < 2.0
    assert seen_on is not white  # the grown sides read on the paperness
    paper = paperness(image, np.array(CREAM_PAPER, np.float64))
    assert paper[185, 320] - paper[185, 100] > 40  # the desk's tint a step down


def test_a_cream_certificate_is_found_whole() -> None:
    image = _cream(BLUISH_DESK)
    det = detect_page(image)
    assert jaccard_smartdoc(det.corners, PAGE, (210.0, 297.0)) > 0.97
    assert not det.touches_border


def test_a_cream_certificate_cut_off_by_the_frame_is_still_refused() -> None:
    image = _cream(BLUISH_DESK, shift=260)  # its right side past the frame's edge
    assert not judge(image, detect_page(image)).ok


def test_a_frame_on_a_desk_of_the_paper_own_colour_does_not_grow() -> None:
    image = _cream(CREAM_PAPER)  # no page edge at all: paper goes on past the frame
    white = np.min(image, axis=2)
    grown, _ = grow(white, INNER, colour=image, unit=2.0)
    assert np.array_equal(grown, INNER)


def test_the_pale_frame_test_reads_the_percentiles_off_the_histogram() -> None:
    rng = np.random.default_rng(5602)
    q = (10, 25, 50, 75, 90)
    for _ in range(200):
        lo, hi = sorted(int(v) for v in rng.integers(0, 256, 2))
        image = rng.integers(lo, hi + 1, (int(rng.integers(1, 60)), 37)).astype(np.uint8)
        assert np.allclose(percentiles(image, q), np.percentile(image, q))
    pale = np.full((180, 320, 3), 200, np.uint8)
    assert pale_even(pale) and all(v.applies(pale) for v in (FAINT, DIM, GREEN, PINK))
    assert not pale_even(np.full((180, 320, 3), 120, np.uint8))
