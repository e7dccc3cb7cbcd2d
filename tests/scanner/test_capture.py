"""Auto-capture, output and QR through the virtual camera (sim: URLs, cv2.VideoCapture)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from drivers.scanner import (
    AutoCapture,
    CameraUnavailable,
    Reason,
    a4_pixels,
    decode_qr,
    open_camera,
    save_jpeg,
    save_pdf,
)
from simulators.camera.store import MANIFEST, load_truth


def run(camera_root: Path, name: str, frames: int, auto: AutoCapture | None = None):
    auto = auto or AutoCapture()
    statuses = []
    with open_camera(f"sim:{name}", sim_root=camera_root, realtime=False) as camera:
        for _ in range(frames):
            frame = camera.read()
            statuses.append((frame, auto.feed(frame)))
    return statuses


def test_a_still_clean_page_is_captured_once_and_flattened(cameras: Path) -> None:
    truth = load_truth(cameras / "place")["frames"]
    statuses = run(cameras, "place", len(truth))
    captured = [(f, s) for f, s in statuses if s.capture is not None]
    assert len(captured) == 2  # two pages laid down, each kept exactly once
    for frame, status in captured:
        cap = status.capture
        assert cap is not None and cap.verdict.ok
        page = truth[frame.index]["page"]
        first_still = min(e["index"] for e in truth if e["page"] == page and e["still"])
        assert first_still <= frame.index <= first_still + 5  # 5 still frames, minus easing
        assert 0 < cap.wait_s <= 5 / 15 + 1e-9
        assert cap.page.shape[:2] in ((2339, 1654), (1654, 2339))  # A4 at 200 dpi
    flat = cv2.cvtColor(captured[0][1].capture.page, cv2.COLOR_BGR2GRAY)
    margins = [flat[:150].std(), flat[-150:, :].std(), flat[:, :150].std()]
    assert max(margins) < 25  # no desk left at the edges: the page fills the output


def test_the_flattened_page_is_the_true_page(cameras: Path) -> None:
    truth = load_truth(cameras / "place")["frames"]
    statuses = run(cameras, "place", len(truth))
    cap = next(s.capture for _, s in statuses if s.capture is not None)
    entry = truth[cap.frame.index]
    corners = np.array(entry["corners"], np.float32)
    # warp the true quad to the same A4 raster and compare: the flattened page should agree
    w, h = a4_pixels(landscape=entry["landscape"])
    dst = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    reference = cv2.warpPerspective(
        cap.frame.image, cv2.getPerspectiveTransform(corners, dst), (w, h)
    )
    a = cv2.resize(
        cv2.cvtColor(cap.page, cv2.COLOR_BGR2GRAY), (w // 8, h // 8), interpolation=cv2.INTER_AREA
    ).astype(np.float32)
    b = cv2.resize(
        cv2.cvtColor(reference, cv2.COLOR_BGR2GRAY), (w // 8, h // 8), interpolation=cv2.INTER_AREA
    ).astype(np.float32)
    corr = np.corrcoef(a.ravel(), b.ravel())[0, 1]
    assert corr > 0.95


@pytest.mark.parametrize(
    ("name", "reason", "words"),
    [
        ("blurred", Reason.BLURRED, "blurred"),
        ("glare", Reason.GLARE, "glare"),
    ],
)
def test_a_bad_page_is_never_captured(cameras: Path, name: str, reason: Reason, words: str) -> None:
    statuses = run(cameras, name, 23)
    assert all(s.capture is None for _, s in statuses)
    refused = [s for _, s in statuses if s.state == "refused"]
    assert refused and all(reason in s.verdict.reasons for s in refused if s.verdict)
    assert refused[-1].verdict is not None and words in refused[-1].verdict.words


def test_pdf_and_jpeg_are_a4_at_200_dpi(tmp_path: Path, cameras: Path) -> None:
    statuses = run(cameras, "place", 60)
    pages = [s.capture.page for _, s in statuses if s.capture is not None]
    jpeg = save_jpeg(pages[0], tmp_path / "p1.jpg")
    with Image.open(jpeg) as im:
        assert im.format == "JPEG" and round(im.info["dpi"][0]) == 200
        assert im.size in ((1654, 2339), (2339, 1654))
    pdf = save_pdf(pages, tmp_path / "scan.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == 2
    for w, h in boxes:  # A4 is 595 x 842 points
        assert sorted((round(float(w)), round(float(h)))) == [595, 842]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_receipt_qr_held_to_the_camera_is_read(cameras: Path) -> None:
    truth = load_truth(cameras / "qr")["frames"]
    with open_camera("sim:qr", sim_root=cameras, realtime=False) as camera:
        texts = decode_qr(camera.read().image)
    assert texts == [truth[0]["qr"]] == ["https://hall.example.cn/r/KF2024000123"]


def test_missing_or_stopped_virtual_camera(tmp_path: Path, cameras: Path) -> None:
    with pytest.raises(CameraUnavailable, match="not running"):
        open_camera("sim:nothing", sim_root=tmp_path)
    folder = tmp_path / "gone"
    (folder / "frames").mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (folder / MANIFEST).write_text(
        json.dumps({"pid": dead.pid, "source": "frames/x_%06d.jpg", "fps": 15})
    )
    with pytest.raises(CameraUnavailable, match="has stopped"):
        open_camera("sim:gone", sim_root=tmp_path)
    with pytest.raises(CameraUnavailable, match="unknown camera URL"):
        open_camera("http://x")
    with pytest.raises(CameraUnavailable, match="does not exist"):
        open_camera(f"file:{tmp_path / 'no.avi'}")
    assert os.getpid()  # the session cameras name this live process


def test_file_cameras_loop_and_pace(cameras: Path) -> None:
    frames = len(load_truth(cameras / "qr")["frames"])
    with open_camera(f"file:{cameras / 'qr' / 'frames'}", realtime=False) as camera:
        seen = [camera.read() for _ in range(frames + 2)]
    assert [f.index for f in seen] == list(range(frames + 2))
    assert np.array_equal(seen[0].image, seen[frames].image)  # played again from the start
    assert seen[3].timestamp == pytest.approx(3 / 15)
