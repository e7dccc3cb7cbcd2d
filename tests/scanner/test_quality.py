"""Quality gates: each kind of bad page is refused with its reason in plain words."""

from __future__ import annotations

import cv2
import numpy as np

from drivers.scanner import Reason, Thresholds, detect_page, judge
from drivers.scanner.quality import sharpness
from simulators.camera.scene import Scene


def verdicts(scenes: list[Scene]):
    return [judge(s.image, detect_page(s.image)) for s in scenes]


def test_clean_pages_pass(scenes: dict[str, list[Scene]]) -> None:
    for v in verdicts(scenes["clean"]):
        assert v.ok and v.reasons == () and v.words == "page ok"


def test_blurred_pages_are_refused_as_blurred(scenes: dict[str, list[Scene]]) -> None:
    for v in verdicts(scenes["blurred"]):
        assert not v.ok and Reason.BLURRED in v.reasons
        assert "blurred" in v.words and "hold it still" in v.words


def test_glaring_pages_are_refused_for_glare(scenes: dict[str, list[Scene]]) -> None:
    for v in verdicts(scenes["glare"]):
        assert not v.ok and v.reasons[0] is Reason.GLARE
        assert "glare on the page" in v.words and v.measures.glare > 0.02


def test_small_and_cut_off_pages(scenes: dict[str, list[Scene]]) -> None:
    for v in verdicts(scenes["small"]):
        assert Reason.TOO_SMALL in v.reasons and "too small" in v.words
    for v in verdicts(scenes["cut"]):
        assert Reason.CUT_OFF in v.reasons and "cut off" in v.words


def test_no_page_is_a_verdict_too() -> None:
    blank = np.full((720, 1280, 3), 40, np.uint8)
    v = judge(blank, detect_page(blank))
    assert v.reasons == (Reason.NO_PAGE,) and "no page found" in v.words
    assert v.as_dict()["ok"] is False


def test_sharpness_does_not_depend_on_lighting() -> None:
    rng = np.random.default_rng(1)
    text = (rng.random((594, 420)) > 0.9).astype(np.float32)
    bright = 230 - 180 * text
    dim = 0.5 * bright
    assert abs(sharpness(bright) - sharpness(dim)) / sharpness(bright) < 0.05
    blurred = np.asarray(cv2.GaussianBlur(bright, (0, 0), 3.0))
    assert sharpness(blurred) < sharpness(bright) / 4


def test_thresholds_round_trip() -> None:
    t = Thresholds(min_sharpness=7.5, max_glare=0.05)
    assert Thresholds.from_dict(t.as_dict() | {"unknown": 1}) == t


def _notice(seed: int = 5) -> np.ndarray:
    """A near-blank page: two short lines of print near its top, the rest paper."""
    rng = np.random.default_rng(seed)
    page = np.full((594, 420), 225, np.float32)
    for row in (60, 78):
        x = 40
        while x < 260:
            w = int(rng.integers(4, 9))
            page[row : row + 10, x : x + w] = 60
            x += w + int(rng.integers(2, 6))
    return page


def test_sharpness_is_read_where_the_print_is() -> None:
    """A notice with two lines of print is as sharp as its print (the whole page's variance
    counted the blank paper too); smeared along any direction, or out of focus, it is not."""
    page = _notice()
    bar = Thresholds().min_sharpness
    assert sharpness(page) > 3 * bar
    along = np.full((1, 15), 1 / 15, np.float32)
    diagonal = np.eye(15, dtype=np.float32) / 15
    for kernel in (along, along.T, diagonal):
        assert sharpness(cv2.filter2D(page, -1, kernel)) < bar / 2
    assert sharpness(np.asarray(cv2.GaussianBlur(page, (0, 0), 2.5))) < bar / 2


def test_a_bgra_or_16_bit_frame_is_judged_as_its_8_bit_bgr(scenes: dict[str, list[Scene]]) -> None:
    image = scenes["clean"][0].image
    det = detect_page(image)
    plain = judge(image, det)
    assert plain.ok
    bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)  # alpha 255 was read as the brightest channel
    deep = image.astype(np.uint16) * 257  # 16-bit was held to the 8-bit saturation level
    for other in (bgra, deep):
        verdict = judge(other, det)
        assert verdict.ok and verdict.measures == plain.measures
