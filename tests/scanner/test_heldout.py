"""The held-out scene generator: reproducible scenes, ground truth that means what it says, and
held-out seeds that the bench refuses to tune on. Scenes here use test seeds (5xxx), at
640 x 360 where the size does not matter, so that they render fast."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from simulators.camera.heldout import (
    CLEAR,
    CONDITIONS,
    HELDOUT_SEEDS,
    REFUSE,
    TUNING_SEEDS,
    HeldoutGenerator,
    SeedPolicyError,
    check_use,
)
from simulators.camera.heldout.scene import ODD_FRAMES, SCHEDULE

SMALL = (640, 360)


def _clockwise(q: np.ndarray) -> bool:
    area2 = sum(q[i][0] * q[(i + 1) % 4][1] - q[(i + 1) % 4][0] * q[i][1] for i in range(4))
    return bool(area2 > 0)  # y down: positive shoelace sum is clockwise on screen


def test_a_scene_is_the_same_every_time_and_seeds_differ() -> None:
    a = HeldoutGenerator(5300).scene(3, "busy", frame=SMALL)
    b = HeldoutGenerator(5300).scene(3, "busy", frame=SMALL)
    c = HeldoutGenerator(5301).scene(3, "busy", frame=SMALL)
    assert np.array_equal(a.image, b.image) and a.truth == b.truth
    assert not np.array_equal(a.image, c.image)
    assert a.image.shape == (360, 640, 3) and a.image.dtype == np.uint8


def test_the_schedule_gives_every_condition_its_share() -> None:
    assert set(SCHEDULE) == set(CONDITIONS) and len(SCHEDULE) == 20
    assert all(SCHEDULE.count(c) == 2 for c in CLEAR)
    assert all(SCHEDULE.count(c) == 1 for c in REFUSE)
    gen = HeldoutGenerator(5302)
    assert [gen.condition_of(i) for i in range(20)] == list(SCHEDULE)
    with pytest.raises(ValueError, match="unknown condition"):
        gen.scene(0, "sunny")


@pytest.mark.parametrize("condition", ["noise", "curled", "occlusion", "white-on-light"])
def test_a_clear_page_lies_wholly_in_view_in_page_order(condition: str) -> None:
    scene = HeldoutGenerator(5303).scene(1, condition, frame=SMALL)
    t = scene.truth
    assert t.visibility == "clear" and t.expected in ("ok", "blurred")
    assert t.corners is not None and t.frame_size == (scene.image.shape[1], scene.image.shape[0])
    q = np.array(t.corners)
    w, h = t.frame_size
    assert np.all(q >= 0) and np.all(q[:, 0] < w) and np.all(q[:, 1] < h)
    assert _clockwise(q)
    assert t.page_mm[0] > 50 and t.page_mm[1] > 50


def test_odd_frames_include_portrait_and_square_ones() -> None:
    assert any(h > w for w, h in ODD_FRAMES) and any(h == w for w, h in ODD_FRAMES)
    assert any(w % 2 or h % 2 for w, h in ODD_FRAMES)  # the sensor model takes odd sizes
    scene = HeldoutGenerator(5304).scene(0, "noise", frame=(333, 501))
    assert scene.image.shape == (501, 333, 3) and scene.truth.frame_size == (333, 501)


def test_a_cut_page_reaches_beyond_the_frame() -> None:
    gen = HeldoutGenerator(5305)
    for condition in ("cut", "cut-ruled"):
        t = gen.scene(0, condition, frame=SMALL).truth
        q = np.array(t.corners)
        w, h = t.frame_size
        outside = (q[:, 0] < 0) | (q[:, 0] > w - 1) | (q[:, 1] < 0) | (q[:, 1] > h - 1)
        assert t.visibility == "cut" and t.expected == "cut off" and outside.any()
    assert "rule_mm" in gen.scene(0, "cut-ruled", frame=SMALL).truth.details


def test_no_page_small_page_and_two_documents() -> None:
    gen = HeldoutGenerator(5306)
    empty = gen.scene(0, "empty", frame=SMALL).truth
    assert empty.corners is None and empty.expected == "no page"
    small = gen.scene(0, "small", frame=SMALL).truth
    area = _area(np.array(small.corners))
    assert small.expected == "too small" and area < 0.05 * 640 * 360
    two = gen.scene(1, "two-documents", frame=SMALL).truth
    assert len(two.others) == 1 and two.corners is not None
    target, other = _area(np.array(two.corners)), _area(np.array(two.others[0]))
    if other >= 0.8 * target:  # nearly the same size: the target is the more central one
        centre = np.array([320.0, 180.0])
        assert np.linalg.norm(np.mean(two.corners, axis=0) - centre) < np.linalg.norm(
            np.mean(two.others[0], axis=0) - centre)
    else:
        assert target > other


def _area(q: np.ndarray) -> float:
    x, y = q[:, 0], q[:, 1]
    return float(0.5 * abs(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


def test_held_out_seeds_are_never_tuned_on() -> None:
    assert not set(HELDOUT_SEEDS) & set(TUNING_SEEDS)
    check_use(TUNING_SEEDS[0], tune=True)
    check_use(HELDOUT_SEEDS[0], tune=False)
    with pytest.raises(SeedPolicyError, match="held out"):
        check_use(HELDOUT_SEEDS[0], tune=True)


@pytest.mark.parametrize("which", ["heldout", "all"])
def test_the_bench_refuses_to_tune_on_held_out_seeds(which: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scanner", "--set", which, "--tune"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert "--tune is refused on the held-out seeds" in done.stderr
    assert "Traceback" not in done.stderr
