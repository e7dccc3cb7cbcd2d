"""Round 12 of the page detector: a white page on a light desk under a lamp that no view was
believed on (nothing found, or a scrap). Pinned with scenes of the held-out generator's
*tuning* seeds 9014 and 9011 (looked at while the detector was changed; never a held-out
seed):

* the faint view's search stopped at the coarse floor (``other_view_floor``, a speed cut)
  though its finer check, which reads the pale views' sides across 3 pixels of the search
  image, sees the page well: the pale views' floor is ``pale_floor``;
* the warm view's page seen just under ``pale_doubt``, read again by the faint view's finer
  check (:mod:`drivers.scanner.pale`);
* a white page on a light desk under a lamp's falloff that no view finds: the lamp view (the
  frame divided by its light, :data:`drivers.scanner.views.LAMP`), searched where nothing was
  found (tuning 9013)."""

from __future__ import annotations

import numpy as np

from drivers.scanner import DetectParams, detect_page
from tests.scanner.tuning import assert_found_well, clear_scene, score


def test_the_faint_views_page_is_not_stopped_by_the_coarse_floor() -> None:
    image, truth = clear_scene(9014, 162)  # white on a light blue-grey desk, a lamp on it
    assert_found_well(image, truth, 0.98)
    before = detect_page(image, DetectParams(pale_floor=0.45, lamp=False))  # the failure, pinned
    assert before.corners is None  # (the lamp view, searched where nothing was found, finds it too)


def test_a_warm_views_page_is_read_again_by_the_faint_view() -> None:
    image, truth = clear_scene(9011, 250)  # cream on a light desk: warm 0.43, faint 0.53
    found = assert_found_well(image, truth, 0.95)
    assert found.support >= DetectParams().pale_doubt
    before = detect_page(image, DetectParams(faint_again=False))  # the failure, pinned
    assert score(before.corners, truth) < 0.5  # a cool view's scrap


def test_a_page_under_a_lamps_falloff_is_found_in_the_lamp_view() -> None:
    image, truth = clear_scene(9013, 362)  # white on a light desk, the lamp's falloff across it
    found = assert_found_well(image, truth, 0.98)
    assert found.support >= DetectParams().pale_doubt
    before = detect_page(image, DetectParams(lamp=False))  # the failure, pinned
    assert before.corners is None


def test_an_empty_light_desk_under_a_lamp_is_still_no_page() -> None:
    h, w = 720, 1280
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lamp = 205.0 - 30.0 * np.hypot(xx - 0.7 * w, yy - 0.3 * h) / w  # light falling off
    rng = np.random.default_rng(12)
    desk = np.clip(lamp[..., None] + np.array([-6.0, 0.0, 4.0]) + rng.normal(0, 2, (h, w, 1)),
                   0, 255).astype(np.uint8)
    assert detect_page(desk).corners is None
