"""Where the virtual camera puts its frames, so that ``cv2.VideoCapture`` can read them.

A camera folder holds ``frames/frame_000000.jpg ...`` (or ``clip.avi``), ``truth.json`` (the
ground truth, one entry per frame) and, while ``simulators camera serve`` runs, ``camera.json``
(pid, source, fps): the driver's ``sim:`` URL reads that manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2

from config.files import atomic_write
from simulators.camera.sequence import ClipFrame

MANIFEST = "camera.json"
TRUTH = "truth.json"
FRAMES = "frames"
PATTERN = "frame_%06d.jpg"


def _atomic_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def write_clip(
    folder: Path,
    frames: Iterable[ClipFrame],
    fps: float = 15.0,
    video: bool = False,
    quality: int = 92,
) -> dict[str, Any]:
    """Write the frames as numbered JPEGs (and an MJPEG ``clip.avi`` if ``video``) with their
    ground truth; returns the truth document."""
    folder = Path(folder)
    (folder / FRAMES).mkdir(parents=True, exist_ok=True)
    for old in (folder / FRAMES).glob("frame_*.jpg"):
        old.unlink()
    writer = None
    entries = []
    size = (0, 0)
    for index, frame in enumerate(frames):
        h, w = frame.image.shape[:2]
        size = (w, h)
        cv2.imwrite(
            str(folder / FRAMES / (PATTERN % index)),
            frame.image,
            [cv2.IMWRITE_JPEG_QUALITY, quality],
        )
        if video:
            if writer is None:
                writer = cv2.VideoWriter(
                    str(folder / "clip.avi"), cv2.VideoWriter.fourcc(*"MJPG"), fps, size
                )
            writer.write(frame.image)
        entries.append(frame.truth(index))
    if writer is not None:
        writer.release()
    truth = {
        "fps": fps,
        "size": list(size),
        "page_mm": [210, 297],
        "corners": "page top-left, top-right, bottom-right, bottom-left; image pixels, "
        "pixel centres at integers",
        "frames": entries,
    }
    _atomic_json(folder / TRUTH, truth)
    return truth


def load_truth(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(folder) / TRUTH).read_text())
    return data


def write_manifest(folder: Path, source: str, fps: float) -> Path:
    path = Path(folder) / MANIFEST
    _atomic_json(path, {"pid": os.getpid(), "source": source, "fps": fps})
    return path


def remove_manifest(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (Path(folder) / MANIFEST).unlink()
