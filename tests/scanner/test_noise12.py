"""Round 12, heavy sensor noise: a frame under low light's grain whose first search is unsure of
its page is searched again with the coarse edge map blurred more (``DetectParams.noisy_edges``,
:data:`drivers.scanner.candidates.NOISY_BLUR`). Pinned with scenes of the held-out generator's
*tuning* seeds (never a held-out seed), with the case that must stay as it was."""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner import DetectParams, detect_page
from drivers.scanner.candidates import coarse_edges
from tests.scanner.tuning import assert_found_well, clear_scene, score


def test_grain_is_blurred_away_and_the_page_kept() -> None:
    """A page (a step of 130 levels) under grain of 12 levels: at the usual blur the grain's
    edges cover the frame; at the noisy frame's blur few are left and the page's outline
    holds."""
    page = np.array([[80, 30], [240, 40], [230, 160], [70, 150]])
    img = np.full((180, 320), 90, np.float32)
    cv2.fillConvexPoly(img, page, 220.0)
    grain = np.random.default_rng(12).normal(0.0, 12.0, img.shape)
    noisy = np.clip(img + grain, 0, 255).astype(np.uint8)
    outline = np.zeros(img.shape, np.uint8)
    cv2.polylines(outline, [page.astype(np.int32)], True, 255, 5)  # the outline, +-2 pixels
    usual, blurred = coarse_edges(noisy) > 0, coarse_edges(noisy, True) > 0
    off = outline == 0
    assert usual[off].mean() > 0.1  # the failure: grain edges everywhere
    assert blurred[off].mean() < 0.01
    assert blurred[outline > 0].sum() > 400  # the outline's ~560 pixels, nearly all


def test_a_page_cut_off_by_the_grain_is_found() -> None:
    """Tuning 9010 mix #348: a certificate on a flowered cloth under heavy noise; the plain
    search's edges were all grain and it found a scrap of the page at the frame's edge
    (Jaccard 0.25, refused as cut off). Searched again with the grain blurred away: 0.99.
    (The same round's opened candidates find it too: the failure is pinned without both.)"""
    image, truth = clear_scene(9010, 348)
    before = detect_page(image, DetectParams(noisy_edges=False, opened=0))
    assert score(before.corners, truth) < 0.5 and before.touches_border  # the failure, pinned
    assert_found_well(image, truth, det=detect_page(image, DetectParams(opened=0)))


def test_a_noisy_page_found_well_is_not_searched_again() -> None:
    """Tuning 9014 noise #60: a page on a striped cloth under heavy noise, found well by the
    plain search (0.997). Searched with the grain blurred away the stripes' edges are clean
    lines, and a quad along them spanning the cloth outscores the page (0.56): the second
    search is only for an unsure first one."""
    image, truth = clear_scene(9014, 60, "noise")
    assert_found_well(image, truth, 0.99)
    always = detect_page(image, DetectParams(denoised=True, tinted=0.0))  # every search blurred
    # more (and the too-large quad not told by its sides' tint, drivers.scanner.tint)
    assert score(always.corners, truth) < 0.8
