"""Round 9 of the page detector on desks it was not tuned on: a table printed on a white page on
a light desk, one of its cells taken for the page (sure, and too small), while the page's own
outline, a few levels above the desk, was followed by no contour; a white page on a light desk
that the faint view found, refused as not standing out, its print holding its mean under the
desk's; and a page on a white-ground flowered cloth under heavy sensor noise, found by the
smooth view, its sides read too finely to be seen through the noise. Pinned with scenes of the
held-out generator's *tuning* seeds 9010 and 9008 (looked at while the detector was changed;
never a held-out seed), and the cases that must stay as they were."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from drivers.scanner import DetectParams, Reason, detect_page, judge
from drivers.scanner.cell import holds
from drivers.scanner.support import stands_out
from drivers.scanner.views import SMOOTH, sensor_noisy
from tests.scanner.tuning import assert_found_well, clear_scene, score


@pytest.mark.parametrize(("index", "condition", "what"), [
    (13, "white-on-light", "a table on a white page; the plain view saw one cell all round"),
    (62, None, "the same in the mix (a landscape table on a 1920 x 1080 frame)"),
], ids=["9010-wol-13", "9010-mix-62"])
def test_a_tables_cell_is_not_taken_for_the_page(index: int, condition: str | None,
                                                  what: str) -> None:
    image, truth = clear_scene(9010, index, condition)
    assert_found_well(image, truth)
    before = detect_page(image, DetectParams(cell_below=0.0))  # the failure, pinned
    assert score(before.corners, truth) < 0.1
    assert Reason.TOO_SMALL in judge(image, before).reasons


def test_a_quad_holds_another_only_round_all_its_corners() -> None:
    page = np.array([[10, 10], [110, 10], [110, 80], [10, 80]], float)
    cell = np.array([[40, 30], [60, 30], [60, 50], [40, 50]], float)
    assert holds(page, cell, 2.0)
    assert not holds(cell, page, 2.0)  # smaller: never
    assert not holds(page, cell + np.array([60, 0]), 2.0)  # two corners outside
    assert holds(page, cell + np.array([51, 0]), 2.0)  # a pixel outside: within the slack
    assert not holds(None, cell, 2.0) and not holds(page, None, 2.0)


@pytest.mark.parametrize(("index", "what"), [
    (40, "text, two grey photos: the faint view's mean 3 levels under the desk's, median 14 over"),
    (55, "a ruled form under a lamp: mean 2 over, median 6 over"),
], ids=["9010-40", "9010-55"])
def test_a_pale_page_stands_out_by_its_median(index: int, what: str) -> None:
    image, truth = clear_scene(9010, index, "white-on-light")
    assert_found_well(image, truth)
    assert detect_page(image, DetectParams(pale_median=False, faint_again=False, lamp=False)  # (12
                       ).corners is None  # the failure: the faint re-read finds #40 alone too


def test_the_median_counts_only_where_asked_and_a_pattern_does_not_stand_out() -> None:
    # a page 10 levels over its desk, a third of its middle printed 100 levels darker
    desk = np.full((120, 160), 150, np.uint8)
    desk[30:90, 40:120] = 160
    desk[40:60, 50:110] = 60
    quad = np.array([[40, 30], [119, 30], [119, 89], [40, 89]], float)
    assert not stands_out(desk, quad, 3.0)
    assert stands_out(desk, quad, 3.0, median=True)
    # a dotted cloth: the same inside and out, by the mean and by the median
    cloth = np.full((120, 160), 200, np.uint8)
    cloth[::8, ::8] = 90
    assert not stands_out(cloth, quad, 3.0, median=True)


def test_a_page_on_a_flowered_cloth_under_heavy_noise_is_read_wider_in_the_smooth_view() -> None:
    # 9008 mix #128: the smooth view found the page (J 0.99), its sides seen 0.36 read across 3
    # pixels of the finer image; across 3 pixels of the search image, 1.0
    image, truth = clear_scene(9008, 128)
    det = detect_page(image)
    assert score(det.corners, truth) > 0.98 and not det.touches_border
    assert judge(image, det).ok
    p = DetectParams(cloth_radius=0.0)  # round 11's cloth view finds it too (J 0.97)
    before = replace(p, fallback=tuple(replace(v, noisy_reading=0.0) if v is SMOOTH else v
                                       for v in p.fallback))
    assert detect_page(image, before).corners is None  # the failure, pinned


def test_sensor_noise_is_told_from_a_clean_frame_and_a_pattern() -> None:
    rng = np.random.default_rng(9)
    clean = np.full((360, 640, 3), 200, np.uint8)
    clean[::16, :] = 60  # a ruled pattern: sharp, but no noise
    assert not sensor_noisy(clean)
    noise = rng.normal(0.0, 12.0, clean.shape)
    assert sensor_noisy(np.clip(clean + noise, 0, 255).astype(np.uint8))
    assert SMOOTH.on(False, True).readings == (1.0, 2.0)
    assert SMOOTH.on(False, False).readings == (1.0,)
