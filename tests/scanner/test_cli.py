"""``kioskctl scanner`` and ``simulators camera`` as a technician runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from config.layout import VarLayout
from drivers.scanner import CalibrationError, Thresholds, load_thresholds, sharpness_outdated
from drivers.scanner.calibrate import fitted_sharpness
from drivers.scanner.quality import SHARPNESS_MEASURE
from kiosk.ctl import main as kioskctl


def settings_file(tmp_path: Path, var_dir: Path, url: str = "sim:default") -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[paths]\nvar_dir = "{var_dir}"\n\n[scanner]\nurl = "{url}"\n')
    return str(path)


def test_detect_prints_corners_and_verdict_as_json(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = json.loads((dataset / "truth.json").read_text())["frames"]
    images = [str(dataset / "frames" / f"frame_{i:06d}.jpg") for i in range(3)]
    assert kioskctl(["scanner", "detect", *images, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["image"] for r in out] == images
    for result, entry in zip(out, truth, strict=False):
        assert result["size"] == [1280, 720]
        corners = result["corners"]
        assert len(corners) == 4 and all(len(p) == 2 for p in corners)
        # clockwise from the top-left one: the first has the smallest x + y
        assert min(range(4), key=lambda i: corners[i][0] + corners[i][1]) == 0
        assert {"ok", "reasons", "words", "sharpness", "glare", "area"} <= set(result["quality"])
        nearest = max(min(abs(a - c) + abs(b - d) for c, d in entry["corners"]) for a, b in corners)
        assert nearest < 8


def test_detect_says_none_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "desk.png"
    Image.new("RGB", (640, 360), (60, 50, 40)).save(blank)
    assert kioskctl(["scanner", "detect", str(blank), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["corners"] is None and result["quality"]["reasons"] == ["no page"]
    assert kioskctl(["scanner", "detect", str(blank), str(tmp_path / "missing.jpg")]) == 1
    out = capsys.readouterr().out
    assert "no page" in out and "无法读取图像" in out and "cannot read the image" in out


def test_capture_writes_jpegs_and_a_pdf(
    cameras: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = settings_file(tmp_path, tmp_path / "var")
    out_dir = tmp_path / "scans"
    code = kioskctl(
        [
            "scanner",
            "capture",
            "--config",
            config,
            "--url",
            f"sim:{cameras}/place",
            "--pages",
            "2",
            "--out",
            str(out_dir),
            "--no-realtime",
            "--json",
        ]
    )
    assert code == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert len(result["pages"]) == 2 and Path(result["pdf"]).exists()
    for page in result["pages"]:
        assert page["quality"]["ok"] and 0 < page["wait_s"] <= 5 / 15 + 1e-6
        with Image.open(page["jpeg"]) as im:
            assert im.size in ((1654, 2339), (2339, 1654))


def test_capture_of_a_blurred_page_is_refused_in_plain_words(
    cameras: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = kioskctl(
        [
            "scanner",
            "capture",
            "--url",
            f"sim:{cameras}/blurred",
            "--no-realtime",
            "--frames",
            "12",
            "--timeout",
            "60",
            "--out",
            str(tmp_path / "s"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "the page is blurred" in err and "hold it still" in err
    assert "in 12 frames" in err
    assert not (tmp_path / "s" / "scan.pdf").exists()


def test_qr_from_the_camera(cameras: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kioskctl(["scanner", "qr", "--url", f"sim:{cameras}/qr", "--no-realtime"]) == 0
    assert capsys.readouterr().out.strip() == "https://hall.example.cn/r/KF2024000123"
    assert (
        kioskctl(
            [
                "scanner",
                "qr",
                "--url",
                f"sim:{cameras}/blurred",
                "--no-realtime",
                "--timeout",
                "0.5",
            ]
        )
        == 1
    )
    assert "no QR code" in capsys.readouterr().err


def test_calibrate_fits_and_keeps_the_thresholds(
    cameras: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    var_dir = tmp_path / "var"
    config = settings_file(tmp_path, var_dir)
    # the place clip: frames 12.. hold a still clean page
    assert (
        kioskctl(
            [
                "scanner",
                "calibrate",
                "--config",
                config,
                "--url",
                f"file:{cameras / 'place' / 'frames'}",
                "--frames",
                "30",
                "--write",
                "--json",
                "--no-realtime",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["found"] >= 20 and result["written"]
    fitted = load_thresholds(var_dir)
    assert fitted.min_sharpness == pytest.approx(result["thresholds"]["min_sharpness"])
    # a sharp camera keeps the default bar, although the clip's first and last frames (the page
    # laid down, taken away) are smeared: their tenth of the clip does not lower it
    assert result["sharpness_p10"] < Thresholds().min_sharpness < result["sharpness_median"]
    assert fitted.min_sharpness == Thresholds().min_sharpness
    # a threshold fitted on another sharpness measure (an older release's) is not used
    path = VarLayout(var_dir).scanner_calibration
    data = json.loads(path.read_text())
    assert data["sharpness_measure"] == SHARPNESS_MEASURE
    data["thresholds"]["min_sharpness"] = 0.5
    path.write_text(json.dumps(data))
    assert load_thresholds(var_dir).min_sharpness == 0.5
    del data["sharpness_measure"]
    path.write_text(json.dumps(data))
    assert load_thresholds(var_dir).min_sharpness == Thresholds().min_sharpness
    assert sharpness_outdated(var_dir)
    data["thresholds"]["max_glare"] = float("nan")  # json writes NaN; a NaN bar passes all
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match="max_glare not a finite"):
        load_thresholds(var_dir)


def test_the_blur_bar_follows_a_soft_cameras_clean_page_but_not_below_half() -> None:
    default = Thresholds().min_sharpness
    assert fitted_sharpness([0.3] * 4 + [17.8] * 16 + [0.8] * 4, default) == default
    assert fitted_sharpness([0.3] * 3 + [3.0] * 20, default) == pytest.approx(1.2)
    assert fitted_sharpness([0.3] * 20, default) == pytest.approx(default / 2)


def test_unavailable_camera_and_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = settings_file(tmp_path, tmp_path / "var")
    assert kioskctl(["scanner", "capture", "--config", config]) == 3
    assert "virtual camera 'default' is not running" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[scanner]\nurl = 3\n")
    assert kioskctl(["scanner", "capture", "--config", str(bad)]) == 4


def test_the_two_programs_through_a_sim_camera(tmp_path: Path) -> None:
    """What a new user does: serve the virtual camera, capture a page, stop the camera."""
    var_dir = tmp_path / "var"
    config = settings_file(tmp_path, var_dir)
    bindir = Path(sys.executable).parent
    sim = subprocess.Popen(
        [
            bindir / "simulators",
            "camera",
            "serve",
            "--config",
            config,
            "--scenario",
            "place",
            "--pages",
            "1",
            "--seed",
            "7",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    manifest = var_dir / "camera" / "default" / "camera.json"
    try:
        deadline = time.monotonic() + 120  # a bound on a wait, not a speed figure: CI is loaded
        while not manifest.exists():
            assert sim.poll() is None and time.monotonic() < deadline, "camera did not start"
            time.sleep(0.05)
        done = subprocess.run(
            [
                bindir / "kioskctl",
                "scanner",
                "capture",
                "--config",
                config,
                "--out",
                str(tmp_path / "scans"),
                "--timeout",
                "30",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "scan.pdf" in done.stdout and (tmp_path / "scans" / "page-001.jpg").exists()
    finally:
        os.kill(sim.pid, signal.SIGTERM)
        sim.communicate(timeout=10)
    assert sim.returncode == 0 and not manifest.exists()
    gone = subprocess.run(
        [bindir / "kioskctl", "scanner", "capture", "--config", config],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert gone.returncode == 3 and "not running" in gone.stderr
