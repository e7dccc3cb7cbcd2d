"""Round 5 of the page detector on desks it was not tuned on: a white page on a light desk.
Each failure kind is pinned with scenes of the held-out generator's *tuning* seeds 9002 and 9003
(looked at frame by frame while the detector was changed; never a held-out seed) and with drawn
pictures where the point is the principle, including the cases that must stay as they were."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.scanner import DetectParams, Reason, detect_page, judge
from drivers.scanner.grow import grow_quad
from drivers.scanner.views import COOL, DIM, FAINT, GREEN, PINK, SMOOTH, WARM, whiteness
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator
from simulators.camera.metrics import jaccard_smartdoc

# round 4's search: without round 5's views, the second search with dented outlines (which
# finds 9002 #58 too, once merged) and carrying a side on over another sheet
ROUND4 = DetectParams(fallback=(SMOOTH, WARM, COOL), concave=False, carry_on=False,
                      lamp=False)
UNGROWN = DetectParams(grow_sides=0, bands=False)
PALE = "white-on-light"

# (seed, scene index, what it shows): nothing was found before round 5
FAINT_PAGES = [
    (9003, 34, "a page 17 levels above a pale laminate: no closed edge, no Hough line"),
    (9002, 58, "a landscape page 17 levels above a pale desk, lamp falloff across it"),
    (9003, 79, "a page 5 levels above a grey desk in low light"),
]
DIM_PAGES = [
    (9002, 90, "a grey page on a brighter, whiter desk: paper is the darker one"),
]
TINTED_PAGES = [
    (9002, 57, "a greenish page on a pinkish laminate, the same whiteness and grey"),
    (9003, 45, "a pinkish page on a greenish laminate, 640 x 480"),
]
# a certificate whose quad lay half on its printed frame, half on the page's edges
MIXED_FRAMES = [
    (9003, 29, "two sides on the frame, two on the page's edges; was refused as cut off"),
    (9003, 41, "the same, a dark frame; was refused as cut off"),
    (9003, 91, "the same, lamp falloff: the margin is darker than the page's middle"),
    (9002, 65, "a frame a few pixels inside the edges: the grown sides' narrow margin"),
]


def _check(seed: int, index: int, before: float, params: DetectParams = ROUND4) -> None:
    assert seed in TUNING_SEEDS
    scene = HeldoutGenerator(seed).scene(index, PALE)
    t = scene.truth
    assert t.visibility == "clear" and t.corners is not None

    def score(found: np.ndarray | None) -> float:
        assert t.corners is not None
        return jaccard_smartdoc(found, t.corners, t.page_mm)

    assert score(detect_page(scene.image, params).corners) < before  # the failure, pinned
    det = detect_page(scene.image)
    assert score(det.corners) > 0.97
    assert Reason.CUT_OFF not in judge(scene.image, det).reasons
    assert not det.touches_border


@pytest.mark.parametrize(("seed", "index", "what"), FAINT_PAGES,
                         ids=[f"{s}-{i}" for s, i, _ in FAINT_PAGES])
def test_a_page_a_few_levels_above_a_pale_desk_is_found(seed: int, index: int, what: str) -> None:
    _check(seed, index, 0.8)


@pytest.mark.parametrize(("seed", "index", "what"), DIM_PAGES,
                         ids=[f"{s}-{i}" for s, i, _ in DIM_PAGES])
def test_a_page_darker_than_its_desk_is_found(seed: int, index: int, what: str) -> None:
    _check(seed, index, 0.8)


@pytest.mark.parametrize(("seed", "index", "what"), TINTED_PAGES,
                         ids=[f"{s}-{i}" for s, i, _ in TINTED_PAGES])
def test_a_page_that_differs_from_its_desk_in_green_is_found(seed: int, index: int, what: str
                                                             ) -> None:
    _check(seed, index, 0.8)


@pytest.mark.parametrize(("seed", "index", "what"), MIXED_FRAMES,
                         ids=[f"{s}-{i}" for s, i, _ in MIXED_FRAMES])
def test_a_quad_half_on_a_printed_frame_grows_to_the_page(seed: int, index: int, what: str
                                                          ) -> None:
    _check(seed, index, 0.95, UNGROWN)  # as round 4 did: no growing, the frame's quad


PAGE = ((190, 60), (450, 80), (430, 310), (170, 290))


def _drawn(page: int, desk: int, slope: float = 0.0, noise: float = 1.5,
           quad: tuple[tuple[int, int], ...] = PAGE) -> np.ndarray:
    """A grey page on a grey desk (360 x 640; no page when ``quad`` is empty), lit ``slope``
    levels brighter from left to right, camera noise and blur."""
    rng = np.random.default_rng(5500)
    img = np.empty((360, 640, 3), np.float32)
    img[:] = desk
    if quad:
        mask = np.zeros((360, 640), np.uint8)
        cv2.fillConvexPoly(mask, np.array(quad, np.int32), 1)
        img[mask > 0] = page
    img += np.linspace(0.0, slope, 640, dtype=np.float32)[None, :, None]
    img += rng.normal(0, noise, img.shape).astype(np.float32)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 1.2), 0, 255).astype(np.uint8)


def _score(image: np.ndarray, params: DetectParams | None = None) -> float:
    return jaccard_smartdoc(detect_page(image, params).corners, PAGE, (210.0, 297.0))


def test_a_faint_page_with_light_falling_off_across_the_desk() -> None:
    image = _drawn(222, 212, slope=-20.0)
    assert _score(image, ROUND4) < 0.8
    assert _score(image) > 0.97


def test_a_pale_page_darker_than_a_white_desk() -> None:
    image = _drawn(200, 222)
    assert _score(image, ROUND4) < 0.8
    assert _score(image) > 0.97


@pytest.mark.parametrize("level", [150, 90], ids=["grey-folder", "dark-card"])
def test_a_grey_object_on_a_white_desk_is_not_a_page(level: int) -> None:
    """The dim view believes only paper within a fifth of the desk's brightness."""
    image = _drawn(level, 225)
    det = detect_page(image)
    assert not det.found


@pytest.mark.parametrize("level", [222, 200], ids=["pale", "grey"])
def test_an_empty_desk_lit_unevenly_is_still_empty(level: int) -> None:
    image = _drawn(level, level, slope=-25.0, noise=2.5, quad=())
    det = detect_page(image)
    assert not det.found
    assert not judge(image, det).ok


def test_a_faint_page_cut_off_by_the_frame_is_still_refused() -> None:
    cut = ((420, 60), (700, 80), (680, 310), (400, 290))
    image = _drawn(222, 212, quad=cut)
    assert not judge(image, detect_page(image)).ok


@pytest.mark.parametrize(("page", "desk"), [((206, 222, 206), (214, 206, 214)),
                                            ((214, 206, 214), (206, 222, 206))],
                         ids=["green-page-pink-desk", "pink-page-green-desk"])
def test_a_page_that_differs_in_green_only(page: tuple[int, int, int],
                                           desk: tuple[int, int, int]) -> None:
    rng = np.random.default_rng(5502)
    img = np.empty((360, 640, 3), np.float32)
    img[:] = desk
    cv2.fillConvexPoly(img, np.array(PAGE, np.int32), page)
    img += rng.normal(0, 1.5, img.shape).astype(np.float32)
    image = np.clip(cv2.GaussianBlur(img, (0, 0), 0.8), 0, 255).astype(np.uint8)
    assert _score(image, ROUND4) < 0.8  # the same whiteness, red minus blue flat
    assert _score(image) > 0.95
    inside, outside = (185, 310), (20, 20)
    green, pink = GREEN.paper(image).astype(int), PINK.paper(image).astype(int)
    assert (green[inside] - green[outside]) * (pink[inside] - pink[outside]) < 0


def test_the_faint_and_dim_views() -> None:
    image = _drawn(200, 222, slope=-30.0)
    inside, outside = (185, 310), (185, 100)
    dim, faint = DIM.paper(image).astype(int), FAINT.paper(image).astype(int)
    assert dim[inside] - dim[outside] > 25  # paper turned bright, the step amplified
    assert faint[inside] - faint[outside] < -25
    edges = FAINT.gray(image).astype(int)
    assert abs(int(np.median(edges)) - 128) < 6  # the slow light change taken out
    assert DIM.least_paper(whiteness(image)) > 150 and FAINT.least_paper(whiteness(image)) == 0


def test_the_pale_views_are_searched_on_pale_even_frames_only() -> None:
    pale = _drawn(222, 212, slope=-20.0)
    assert all(v.applies(pale) for v in (FAINT, DIM, GREEN, PINK))
    dark = _drawn(222, 60)  # a page on a dark desk: the quartiles far apart
    grey = _drawn(120, 120, quad=())  # an empty grey desk
    for image in (dark, grey):
        assert not any(v.applies(image) for v in (FAINT, DIM, GREEN, PINK))
        assert SMOOTH.applies(image) and WARM.applies(image)


def _certificate(half: bool) -> tuple[np.ndarray, np.ndarray]:
    """A certificate on a pale desk and a quad on its frame on two sides (left, top) and on
    its edges on the other two (``half``), or on one side only."""
    img = np.full((360, 640, 3), 196, np.uint8)
    img = np.clip(img + np.random.default_rng(5501).normal(0, 1.2, img.shape), 0, 255)
    img = img.astype(np.uint8)
    cv2.rectangle(img, (200, 70), (440, 300), (226, 228, 230), -1)
    cv2.rectangle(img, (210, 80), (430, 290), (40, 40, 150), 2)
    white = np.min(np.asarray(cv2.GaussianBlur(img, (0, 0), 0.7)), axis=2)
    top = 82.0 if half else 70.0
    quad = np.array([[212.0, top], [440.0, top], [440.0, 300.0], [212.0, 300.0]])
    return white, quad


def test_a_quad_on_the_frame_on_two_sides_and_the_edges_on_two_grows() -> None:
    white, quad = _certificate(half=True)
    grown = grow_quad(white, quad, unit=2.0)
    page = np.array([[200.0, 70.0], [440.0, 70.0], [440.0, 300.0], [200.0, 300.0]])
    assert np.abs(grown - page).max() < 2.0


def test_a_quad_on_the_frame_on_one_side_only_still_does_not_grow() -> None:
    white, quad = _certificate(half=False)
    assert np.array_equal(grow_quad(white, quad, unit=2.0), quad)
