"""Round 5 of the page detector on desks it was not tuned on: curled certificates, hands over
an edge and busy desks (tablecloths, stripes, newspapers). Each kind is pinned with scenes of
the held-out generator's *tuning* seeds 9001-9003 (looked at frame by frame while the detector
was changed; never a held-out seed) and with drawn pictures where the point is the principle,
including the cases that must stay as they were."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.scanner import DetectParams, detect_page, judge
from drivers.scanner.grow import grow_quad
from drivers.scanner.refine import refine_corners
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator
from simulators.camera.metrics import jaccard_smartdoc

NO_GROWING = DetectParams(grow_sides=0)

# (seed, scene index, condition, Jaccard before round 5, what it shows)
FRAMED = [
    # 9001 #93 and #123 moved to test_search_cost.py: found, but refused since a quad at the
    # frame's edge is final
    (9003, 21, "curled", 0.846, "a certificate with two curled corners on a flowered "
     "tablecloth: the blurred view found its frame"),
    (9003, 65, "busy", 0.784, "a certificate on a newspaper"),
]
KEPT_SIDE = [
    (9001, 171, "occlusion", 0.925, "a hand over an edge and a band of colour: one side cannot "
     "be refined, the other three are"),
]
STAY = [
    (9002, 343, "occlusion", "a pen over an edge on wood: a coarse side on the wood's grain, "
     "beyond the page, must not be kept"),
]


def _scene_score(seed: int, index: int, condition: str,
                 params: DetectParams | None = None) -> tuple[float, bool]:
    assert seed in TUNING_SEEDS
    scene = HeldoutGenerator(seed).scene(index, condition)
    t = scene.truth
    assert t.visibility == "clear" and t.corners is not None
    det = detect_page(scene.image, params)
    return jaccard_smartdoc(det.corners, t.corners, t.page_mm), judge(scene.image, det).ok


@pytest.mark.parametrize(("seed", "index", "condition", "before", "what"), FRAMED,
                         ids=[f"{s}-{i}" for s, i, _, _, _ in FRAMED])
def test_a_certificate_on_a_patterned_desk_is_found_by_its_edges(
    seed: int, index: int, condition: str, before: float, what: str
) -> None:
    assert _scene_score(seed, index, condition, NO_GROWING)[0] < 0.9  # the frame, not the page
    assert _scene_score(seed, index, condition)[0] > 0.96


@pytest.mark.parametrize(("seed", "index", "condition", "before", "what"), KEPT_SIDE,
                         ids=[f"{s}-{i}" for s, i, _, _, _ in KEPT_SIDE])
def test_a_side_that_cannot_be_refined_keeps_its_line(
    seed: int, index: int, condition: str, before: float, what: str
) -> None:
    assert _scene_score(seed, index, condition)[0] > 0.97


@pytest.mark.parametrize(("seed", "index", "condition", "what"), STAY,
                         ids=[f"{s}-{i}" for s, i, _, _ in STAY])
def test_what_was_found_well_stays_so(seed: int, index: int, condition: str, what: str) -> None:
    assert _scene_score(seed, index, condition)[0] > 0.99


PAGE = np.array([[200.0, 70.0], [440.0, 70.0], [440.0, 300.0], [200.0, 300.0]])


def _striped(light: int, dark: int = 70) -> np.ndarray:
    """A desk of vertical stripes, 3 px light and 3 px dark."""
    img = np.full((360, 640, 3), dark, np.uint8)
    for x in range(0, 640, 6):
        img[:, x: x + 3] = light
    noise = np.random.default_rng(5500).normal(0, 1.2, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _certificate_on(desk: np.ndarray) -> np.ndarray:
    img = desk.copy()
    cv2.rectangle(img, (200, 70), (440, 300), (226, 228, 230), -1)
    cv2.rectangle(img, (210, 80), (430, 290), (40, 40, 150), 2)  # its frame, 10 px inside
    return np.asarray(cv2.GaussianBlur(img, (0, 0), 0.7))


def test_a_printed_frame_grows_to_the_page_edge_on_a_striped_desk() -> None:
    """Beyond the page's edge the desk is not flat, but it stays darker than the margin."""
    white = np.min(_certificate_on(_striped(150)), axis=2)
    frame = np.array([[212.0, 82.0], [428.0, 82.0], [428.0, 288.0], [212.0, 288.0]])
    grown = grow_quad(white, frame, unit=2.0)
    assert np.abs(grown - PAGE).max() < 2.0
    assert np.array_equal(grow_quad(white, PAGE, unit=2.0), PAGE)


def test_a_page_on_a_white_ground_stripe_is_not_grown() -> None:
    """A desk whose light stripes are as bright as paper: past the page's edge, stripe, white,
    stripe is no frame and margin (what lies beyond does not stay darker)."""
    img = _striped(226)
    cv2.rectangle(img, (200, 70), (440, 300), (226, 228, 230), -1)
    white = np.min(np.asarray(cv2.GaussianBlur(img, (0, 0), 0.7)), axis=2)
    assert np.array_equal(grow_quad(white, PAGE, unit=2.0), PAGE)


def _page_beside(right: int) -> np.ndarray:
    """A page on a dark desk whose right side meets something as bright as paper from
    ``right`` on (a pale card laid against it: no edge to see there)."""
    img = np.full((360, 640), 90, np.uint8)
    img[70:301, 200:441] = 226
    img[40:331, right:600] = 226
    noise = np.random.default_rng(5501).normal(0, 1.2, img.shape)
    return np.asarray(cv2.GaussianBlur(np.clip(img + noise, 0, 255).astype(np.uint8),
                                       (0, 0), 0.7))


def test_refinement_keeps_the_line_of_a_side_it_cannot_see() -> None:
    gray = _page_beside(441)
    coarse = PAGE + np.array([[-3.0, -2.0], [1.0, -3.0], [2.0, 3.0], [-2.0, 2.0]])
    out = refine_corners(gray, coarse, radius=6.0)
    assert np.abs(out[:, 1] - PAGE[:, 1]).max() < 0.8  # top and bottom found
    assert np.abs(out[[0, 3], 0] - PAGE[[0, 3], 0]).max() < 0.8  # left found
    # the right side stays on its line (through the coarse corners)
    assert np.abs(out[[1, 2], 0] - coarse[[1, 2], 0]).max() < 1.0


def test_refinement_leaves_a_quad_whose_blind_side_has_no_paper_inside() -> None:
    """The coarse right side lies on the desk 25 px beyond the page: that is not the page's
    side, and the quad is left as it was (the other hypotheses will do better)."""
    img = np.full((360, 640), 90, np.uint8)
    img[70:301, 200:441] = 226
    gray = np.asarray(cv2.GaussianBlur(img, (0, 0), 0.7))
    coarse = PAGE + np.array([[-2.0, 0.0], [25.0, 0.0], [25.0, 0.0], [-2.0, 0.0]])
    assert np.array_equal(refine_corners(gray, coarse, radius=6.0), coarse)


# (seed, scene index, condition, Jaccard before, what): bent sheets, whose bowed sides were
# fitted through their middles (a few pixels out) instead of between their corners
BENT = [
    (9002, 12, "curled", 0.988, "bent 1.5 %, one curled corner, on a tablecloth"),
    (9002, 21, "curled", 0.988, "bent 1.5 %, one curled corner, on a dark desk"),
    (9001, 273, "curled", 0.986, "bent, two curled corners, a landscape page on a dark desk"),
]


@pytest.mark.parametrize(("seed", "index", "condition", "before", "what"), BENT,
                         ids=[f"{s}-{i}" for s, i, _, _, _ in BENT])
def test_a_bent_sheet_has_its_corners_where_its_sides_end(
    seed: int, index: int, condition: str, before: float, what: str
) -> None:
    assert _scene_score(seed, index, condition)[0] > before + 0.005


BENT_PAGE = np.array([[120.0, 40.0], [520.0, 40.0], [520.0, 320.0], [120.0, 320.0]])


def _bent(bow: float) -> np.ndarray:
    """A page whose top and bottom sides bow outward by ``bow`` pixels in the middle (a sheet
    bulging toward the camera), its corners where they were."""
    x = np.linspace(120.0, 520.0, 200)
    lift = bow * np.sin(np.pi * (x - 120.0) / 400.0)
    outline = np.concatenate([np.stack([x, 40.0 - lift], axis=1),
                              np.stack([x[::-1], 320.0 + lift[::-1]], axis=1)])
    img = np.full((360, 640), 80, np.uint8)
    cv2.fillPoly(img, [np.round(outline * 16).astype(np.int32)], 225, cv2.LINE_AA, shift=4)
    noise = np.random.default_rng(5502).normal(0, 1.2, img.shape)
    return np.asarray(cv2.GaussianBlur(np.clip(img + noise, 0, 255).astype(np.uint8),
                                       (0, 0), 0.7))


def test_a_bowed_side_is_the_chord_between_its_ends() -> None:
    coarse = BENT_PAGE + np.array([[-2.0, -3.0], [2.0, -3.0], [2.0, 3.0], [-2.0, 3.0]])
    out = refine_corners(_bent(5.0), coarse, radius=8.0)
    assert np.abs(out - BENT_PAGE).max() < 1.0  # a line through the middle: 4.5 px out


def test_a_straight_side_is_fitted_as_before() -> None:
    gray = _bent(0.0)
    coarse = BENT_PAGE + np.array([[-2.0, -3.0], [2.0, -3.0], [2.0, 3.0], [-2.0, 3.0]])
    assert np.abs(refine_corners(gray, coarse, radius=8.0) - BENT_PAGE).max() < 0.8
