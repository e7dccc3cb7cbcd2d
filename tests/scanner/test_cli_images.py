"""``kioskctl scanner detect`` on any picture a technician may hand it: tiny, huge, one pixel
wide, grey, with alpha, 16-bit, palette, turned by EXIF, and files that are no pictures at all
(one line in Chinese and English each, exit 1, the other files still done, no traceback)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from kiosk.ctl import main as kioskctl
from simulators.camera.heldout import HeldoutGenerator


@pytest.fixture(scope="module")
def page() -> tuple[np.ndarray, np.ndarray]:
    """A clear page on a wood desk, 640 x 360 (test seed), and its true corners."""
    scene = HeldoutGenerator(5200).scene(1, "busy", frame=(640, 360))
    assert scene.truth.corners is not None
    return scene.image, np.array(scene.truth.corners)


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def _run(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = kioskctl(["scanner", "detect", *map(str, paths), "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def _near(found: list[list[float]] | None, truth: np.ndarray, tol: float) -> bool:
    if found is None:
        return False
    return all(float(np.min(np.linalg.norm(truth - np.array(p), axis=1))) < tol for p in found)


def test_pixel_formats_give_the_same_page(
    page: tuple[np.ndarray, np.ndarray], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image, truth = page
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    files: dict[str, Callable[[Path], object]] = {
        "colour.png": lambda p: cv2.imwrite(str(p), image),
        "grey.png": lambda p: cv2.imwrite(str(p), grey),
        "grey16.png": lambda p: cv2.imwrite(str(p), grey.astype(np.uint16) * 257),
        "colour16.png": lambda p: cv2.imwrite(str(p), image.astype(np.uint16) * 257),
        "alpha.png": lambda p: Image.fromarray(np.dstack([_rgb(image), np.full(grey.shape, 255,
                                                          np.uint8)])).save(p),
        "palette.gif": lambda p: Image.fromarray(_rgb(image)).convert("P").save(p),
        "photo.jpg": lambda p: cv2.imwrite(str(p), image, [cv2.IMWRITE_JPEG_QUALITY, 90]),
    }
    paths = []
    for name, write in files.items():
        write(tmp_path / name)
        paths.append(tmp_path / name)
    code, results = _run(paths, capsys)
    assert code == 0
    for r in results:
        assert r["size"] == [640, 360], r["image"]
        assert _near(r["corners"], truth, 4.0), r["image"]


def test_exif_orientation_and_huge_pictures(
    page: tuple[np.ndarray, np.ndarray], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image, truth = page
    # stored turned a quarter, EXIF orientation 6 says: turn it back (as phones write photos)
    turned = Image.fromarray(_rgb(image)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    turned.save(tmp_path / "exif.jpg", exif=exif, quality=92)
    # 7680 x 4320: decoded at a quarter of its size, corners given in its own pixels
    huge = cv2.resize(image, (7680, 4320), interpolation=cv2.INTER_LINEAR)
    cv2.imwrite(str(tmp_path / "huge.jpg"), huge, [cv2.IMWRITE_JPEG_QUALITY, 85])
    code, (exif_r, huge_r) = _run([tmp_path / "exif.jpg", tmp_path / "huge.jpg"], capsys)
    assert code == 0
    assert exif_r["size"] == [640, 360] and _near(exif_r["corners"], truth, 4.0)
    assert huge_r["size"] == [7680, 4320]
    assert _near(huge_r["corners"], (truth + 0.5) * 12 - 0.5, 4.0 * 12)


@pytest.mark.parametrize("size", [(1, 1), (1, 900), (900, 1), (15, 15), (3000, 2)])
def test_tiny_and_one_pixel_wide_pictures_have_no_page(
    size: tuple[int, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.png"
    Image.new("RGB", size, (200, 190, 180)).save(path)
    code, (result,) = _run([path], capsys)
    assert code == 0
    assert result["size"] == list(size) and result["corners"] is None
    assert result["quality"]["reasons"] == ["no page"]


def test_files_that_are_no_pictures(
    page: tuple[np.ndarray, np.ndarray], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image, _ = page
    good = tmp_path / "good.jpg"
    cv2.imwrite(str(good), image)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:3000])  # a JPEG cut short in transit
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    folder = tmp_path / "folder.png"
    folder.mkdir()
    paths = [cut, good, text, empty, folder, tmp_path / "missing.jpg"]
    code = kioskctl(["scanner", "detect", *map(str, paths)])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    lines = captured.out.strip().splitlines()
    assert len(lines) == len(paths)
    good_line = lines.pop(1)
    assert "page" in good_line and "错误" not in good_line
    for line, why in zip(lines, ["damaged", "not an image", "not an image", "folder",
                                 "no such image"], strict=True):
        assert "错误：无法读取图像" in line and "error: cannot read the image" in line, line
        assert why in line, line
