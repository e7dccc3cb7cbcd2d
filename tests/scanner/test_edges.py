"""The coarse search's edge map: what cv2.Canny gave, without its one-thread heap corruption."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np

from drivers.scanner.edges import edge_map

# A scene of the held-out generator's *tuning* seed (never a held-out seed): a hand on a fine
# gingham tablecloth, 1600 x 1200. At 320 pixels wide its edges are so dense that cv2.Canny
# (opencv-python-headless 5.0) on one thread corrupts the heap and the process dies.
GINGHAM = "from simulators.camera.heldout import HeldoutGenerator\n" \
    "image = HeldoutGenerator(9001).scene(259, 'empty').image\n"


def test_edges_match_canny_on_a_page() -> None:
    img = np.full((180, 320), 60, np.uint8)
    cv2.fillConvexPoly(img, np.array([[80, 30], [240, 40], [230, 160], [70, 150]]), 220)
    img = np.asarray(cv2.GaussianBlur(img, (3, 3), 0), np.uint8)
    ours = edge_map(img, 20, 60) > 0
    theirs = cv2.Canny(img, 20, 60, L2gradient=True) > 0
    assert ours.sum() > 400
    assert (ours & theirs).sum() >= 0.98 * max(ours.sum(), theirs.sum())


def test_a_flat_image_has_no_edges() -> None:
    assert not edge_map(np.full((50, 70), 128, np.uint8), 20, 60).any()
    assert not edge_map(np.zeros((1, 1), np.uint8), 20, 60).any()


def test_the_detector_survives_dense_edges_on_one_thread() -> None:
    code = (
        "import cv2\ncv2.setNumThreads(1)\n" + GINGHAM
        + "from drivers.scanner import detect_page\n"
        "for _ in range(3):\n    detect_page(image)\nprint('alive')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "alive"
