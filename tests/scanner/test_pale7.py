"""Round 7 of the page detector on desks it was not tuned on: a white page on a light desk under
heavy sensor noise, found in the warm or cool view. Pinned with scenes of the held-out
generator's *tuning* seeds 9006 and 9007 (looked at while the detector was changed; never a
held-out seed), and the cases that must stay as they were."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.views import COOL, DIM, FAINT, GREEN, PINK, SMOOTH, WARM, WHITE
from tests.scanner.tuning import clear_scene, score

PALE = "white-on-light"
# round 6: the warm and cool views' finer check read across 3 of its pixels on every frame
ROUND6 = DetectParams(fallback=(SMOOTH, replace(WARM, pale_reading=0.0),
                                replace(COOL, pale_reading=0.0), FAINT, DIM, GREEN, PINK))

# (seed, scene index, what it shows): nothing was found before round 7
NOISY_COLOUR = [
    (9007, 16, "a white page on a bluish laminate, found by the warm view; sides seen 0.16"),
    (9007, 71, "a bluish page on a warm laminate, found by the cool view; sides seen 0.26"),
]
# found in round 6 by the cool view read across 3 pixels of the finer image (0.62), which
# reads it better than across 3 of the search image (0.58): the better reading counts
KEPT = [
    (9006, 41, "a page found by the cool view at the finer reading"),
]


def _found(image: np.ndarray, det_score: float, det: object) -> None:
    assert det_score > 0.97
    verdict = judge(image, det)  # type: ignore[arg-type]
    assert verdict.ok or [r.value for r in verdict.reasons] == ["blurred"]


@pytest.mark.parametrize(("seed", "index", "what"), NOISY_COLOUR,
                         ids=[f"{s}-{i}" for s, i, _ in NOISY_COLOUR])
def test_a_noisy_colour_page_is_also_checked_as_the_search_image_reads_it(
        seed: int, index: int, what: str) -> None:
    image, truth = clear_scene(seed, index, PALE)
    assert score(detect_page(image, ROUND6).corners, truth) < 0.8
    det = detect_page(image)
    assert not det.touches_border
    _found(image, score(det.corners, truth), det)


@pytest.mark.parametrize(("seed", "index", "what"), KEPT, ids=[f"{s}-{i}" for s, i, _ in KEPT])
def test_the_finer_reading_still_counts(seed: int, index: int, what: str) -> None:
    image, truth = clear_scene(seed, index, PALE)
    det = detect_page(image)
    assert not det.touches_border
    _found(image, score(det.corners, truth), det)


def test_only_the_colour_views_read_twice_and_only_on_a_pale_frame() -> None:
    for view in (WARM, COOL):
        assert view.on(False) is view and view.on(False).readings == (1.0,)
        assert view.on(True).readings == (1.0, 2.0)
    for view in (WHITE, SMOOTH, FAINT, DIM, GREEN, PINK):
        assert view.on(True) is view and view.on(False) is view
    assert FAINT.readings == (2.0,)
