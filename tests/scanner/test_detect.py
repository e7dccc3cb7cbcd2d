"""Page detection against the virtual camera's ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.scanner import detect_page, open_camera
from drivers.scanner.geometry import convex_and_open, order_clockwise, quad_area
from simulators.camera.metrics import jaccard_image, jaccard_smartdoc
from simulators.camera.scene import Scene, SceneGenerator
from simulators.camera.sequence import empty_desk


def page_mm(landscape: bool) -> tuple[float, float]:
    return (297.0, 210.0) if landscape else (210.0, 297.0)


def test_order_clockwise_from_top_left() -> None:
    square = np.array([[10, 10], [0, 10], [10, 0], [0, 0]], float)
    assert order_clockwise(square).tolist() == [[0, 0], [10, 0], [10, 10], [0, 10]]
    diamond = np.array([[5, 0], [10, 5], [5, 10], [0, 5]], float)
    ordered = order_clockwise(diamond)
    assert quad_area(ordered) == pytest.approx(50.0)
    assert bool(convex_and_open(ordered[None], 45.0)[0])
    bow_tie = np.array([[[0, 0], [10, 10], [10, 0], [0, 10]]], float)
    assert not bool(convex_and_open(bow_tie, 45.0)[0])


def test_jaccard_smartdoc_style() -> None:
    truth = [(100.0, 100.0), (300.0, 120.0), (290.0, 400.0), (90.0, 380.0)]
    assert jaccard_smartdoc(truth, truth) == pytest.approx(1.0)
    assert jaccard_smartdoc(None, truth) == 0.0
    shifted = [(x + 4.0, y) for x, y in truth]
    j = jaccard_smartdoc(shifted, truth)
    assert 0.9 < j < 1.0
    assert jaccard_image(shifted, truth) == pytest.approx(j, abs=0.02)
    # corner order does not matter, the polygon does
    assert jaccard_smartdoc(truth[::-1], truth) == pytest.approx(1.0)


def test_detection_matches_the_truth_through_video_capture(dataset: Path) -> None:
    """Frames written by the virtual camera, read back through cv2.VideoCapture (file:)."""
    truth = json.loads((dataset / "truth.json").read_text())["frames"]
    scores, image_scores = [], []
    with open_camera(f"file:{dataset / 'frames'}", realtime=False) as camera:
        for entry in truth:
            frame = camera.read()
            assert frame.index == entry["index"]
            det = detect_page(frame.image)
            scores.append(
                jaccard_smartdoc(det.corners, entry["corners"], page_mm(entry["landscape"]))
            )
            image_scores.append(jaccard_image(det.corners, entry["corners"]))
    assert np.mean(scores) >= 0.97, scores
    assert np.median(scores) >= 0.99
    assert np.mean(image_scores) >= 0.97


def test_the_video_file_gives_the_same_pages(dataset: Path) -> None:
    truth = json.loads((dataset / "truth.json").read_text())["frames"]
    with open_camera(f"file:{dataset / 'clip.avi'}", realtime=False) as camera:
        for entry in truth[:6]:
            det = detect_page(camera.read().image)
            assert (
                jaccard_smartdoc(det.corners, entry["corners"], page_mm(entry["landscape"])) > 0.9
            )


def test_corners_are_clockwise_from_top_left(scenes: dict[str, list[Scene]]) -> None:
    for scene in scenes["clean"]:
        det = detect_page(scene.image)
        assert det.corners is not None
        c = det.corners
        assert int(np.argmin(c.sum(axis=1))) == 0
        u, v = c[1] - c[0], c[2] - c[1]
        assert u[0] * v[1] - u[1] * v[0] > 0  # clockwise on screen (y down)
        true = np.array(scene.spec.corners)
        # each detected corner is within 3 px of a true one
        assert max(np.min(np.linalg.norm(true - p, axis=1)) for p in c) < 3.0


def test_a_cut_off_page_touches_the_border(scenes: dict[str, list[Scene]]) -> None:
    for scene in scenes["cut"]:
        det = detect_page(scene.image)
        assert det.found and det.touches_border


def test_an_empty_desk_has_no_page(generator: SceneGenerator) -> None:
    frame = next(empty_desk(generator, generator.draw("clean"), 1))
    assert detect_page(frame.image).corners is None
    assert detect_page(np.zeros((720, 1280, 3), np.uint8)).corners is None


def test_grey_input_and_small_frames(scenes: dict[str, list[Scene]]) -> None:
    scene = scenes["clean"][0]
    gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)
    det = detect_page(gray)
    assert jaccard_smartdoc(det.corners, scene.spec.corners, page_mm(scene.spec.landscape)) > 0.97
    half = cv2.resize(scene.image, (640, 360), interpolation=cv2.INTER_AREA)
    det = detect_page(half)
    truth = np.array(scene.spec.corners) * 0.5
    assert jaccard_smartdoc(det.corners, truth, page_mm(scene.spec.landscape)) > 0.95
