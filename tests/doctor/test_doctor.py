"""``kioskctl doctor`` on a simulated kiosk: every device through its real driver and simulator
(pcscd with the virtual card and PSAM, the virtual printer on TCP, the virtual camera, the
virtual ID-card reader on a pty, the clearing service over HTTP); then each simulator is
stopped in turn and the doctor must name exactly that one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backoffice.clearing.app import build_service, create_app
from backoffice.clearing.settings import ServerSettings
from config.files import atomic_write
from config.layout import VarLayout
from config.settings import load_settings
from drivers.scanner.quality import SHARPNESS_MEASURE
from kiosk.ctl import main as kioskctl
from kiosk.ctl.doctor import CHECKS, Finding, Health, Kiosk, run_checks
from simulators.camera.scene import SceneGenerator
from simulators.camera.sequence import empty_desk
from simulators.camera.store import FRAMES, MANIFEST, PATTERN, write_clip, write_manifest
from simulators.idcard.citizens import demo_people
from simulators.idcard.device import VirtualIdReader
from simulators.idcard.server import PtyServer
from simulators.pcscd import READER_NAMES
from simulators.printer import VirtualPrinter
from tests.backoffice.cardsim import demo_keys
from tests.fixtures.webserver import ThreadedServer

TOKEN = "doctor-test-token-0123456789"


def Clearing(db: Path) -> ThreadedServer:
    """The real clearing app under uvicorn on a free loopback port."""
    settings = ServerSettings(db_url=f"sqlite:///{db}", token=TOKEN, keys=demo_keys())
    return ThreadedServer(create_app(settings, service=build_service(settings)))


@dataclass
class Rig:
    config: Path
    var_dir: Path
    printer: VirtualPrinter
    idcard: PtyServer
    clearing: ThreadedServer


@pytest.fixture
def rig(tmp_path: Path, pcscd, demo_card, psam) -> Iterator[Rig]:
    var_dir = tmp_path / "var"
    camera = var_dir / "camera" / "default"
    gen = SceneGenerator(seed=5, size=(640, 360))
    write_clip(camera, empty_desk(gen, gen.draw("clean"), 3), fps=15.0)
    write_manifest(camera, f"{FRAMES}/{PATTERN}", 15.0)
    with (
        VirtualPrinter(tmp_path / "paper") as printer,
        PtyServer(VirtualIdReader(demo_people()[0]), tmp_path / "idcard") as idcard,
        Clearing(tmp_path / "clearing.sqlite3") as clearing,
    ):
        assert isinstance(idcard, PtyServer)
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[paths]\nvar_dir = "{var_dir}"\n\n'
            f'[card]\nbackend = "pcsc://"\nsam = "pcsc:{READER_NAMES[1]}"\n\n'
            f'[printer]\nurl = "{printer.url}"\ntimeout_s = 2.0\n\n'
            f'[scanner]\nurl = "sim:default"\n\n'
            f'[idcard]\nurl = "{tmp_path / "idcard"}"\n\n'
            f'[clearing_client]\nurl = "{clearing.url}"\n'
        )
        atomic_write(VarLayout(var_dir).clearing_client_token, TOKEN, mode=0o600)
        yield Rig(config, var_dir, printer, idcard, clearing)


def doctor(rig: Rig, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = kioskctl(["doctor", "--config", str(rig.config), "--json", "--timeout", "2"])
    report = json.loads(capsys.readouterr().out)
    return code, {c["device"]: c for c in report["checks"]}


def failing(checks: dict[str, Any]) -> list[str]:
    return [name for name, c in checks.items() if c["status"] == "fail"]


def test_every_device_ok_then_each_stopped_simulator_is_named(
    rig: Rig, psam, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks = doctor(rig, capsys)
    assert code == 0, checks
    assert {n: c["status"] for n, c in checks.items()} == {
        "card readers": "ok",
        "SAM": "ok",
        "printer": "ok",
        "camera": "ok",
        "ID-card reader": "ok",
        "back office": "ok",
    }
    assert "a card is in it" in checks["card readers"]["summary"]
    assert "terminal number" in checks["SAM"]["summary"]
    assert "640 x 360" in checks["camera"]["summary"]

    rig.printer.stop()
    code, checks = doctor(rig, capsys)
    assert code == 1 and failing(checks) == ["printer"]
    assert "offline" in checks["printer"]["summary"] and checks["printer"]["fix"]

    rig.idcard.stop()
    code, checks = doctor(rig, capsys)
    assert failing(checks) == ["printer", "ID-card reader"]
    assert "simulators idcard serve" in checks["ID-card reader"]["fix"]

    (rig.var_dir / "camera" / "default" / MANIFEST).unlink()  # as `camera serve` does on stop
    code, checks = doctor(rig, capsys)
    assert failing(checks) == ["printer", "camera", "ID-card reader"]
    assert "not running" in checks["camera"]["summary"]

    rig.clearing.__exit__()
    code, checks = doctor(rig, capsys)
    assert "back office" in failing(checks)

    psam.remove()
    code, checks = doctor(rig, capsys)
    assert failing(checks) == ["SAM", "printer", "camera", "ID-card reader", "back office"]
    assert f"no PSAM in the reader {READER_NAMES[1]!r}" in checks["SAM"]["summary"]
    assert checks["card readers"]["status"] == "ok"


def test_the_human_report_names_what_to_fix(rig: Rig, capsys: pytest.CaptureFixture[str]) -> None:
    rig.printer.stop()
    assert kioskctl(["doctor", "--config", str(rig.config), "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  printer" in out and "fix: switch the printer on" in out
    assert out.strip().endswith("5 of 6 configured devices work; to fix: printer")
    assert kioskctl(["doctor", "--config", str(rig.config), "--only", "camera"]) == 0
    out = capsys.readouterr().out
    assert "camera" in out and "printer" not in out


def test_a_calibration_on_an_older_sharpness_measure_is_named(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    path = VarLayout(rig.var_dir).scanner_calibration
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"thresholds": {"min_sharpness": 0.5, "max_glare": 0.03}}))
    code, checks = doctor(rig, capsys)
    camera = checks["camera"]
    assert code == 0 and camera["status"] == "warn"
    assert "older sharpness measure" in camera["summary"]
    assert "kioskctl scanner calibrate" in camera["fix"]
    # the same file on this release's measure is used; a malformed one fails the check
    path.write_text(json.dumps({"thresholds": {"min_sharpness": 0.5},
                                "sharpness_measure": SHARPNESS_MEASURE}))
    code, checks = doctor(rig, capsys)
    assert code == 0 and checks["camera"]["status"] == "ok"
    assert "calibrated" in checks["camera"]["summary"] and checks["camera"]["details"]["calibrated"]
    path.write_text("[1, 2")
    code, checks = doctor(rig, capsys)
    assert checks["camera"]["status"] == "fail" and "unreadable" in checks["camera"]["summary"]


def test_unconfigured_devices_are_skipped_and_a_broken_check_is_contained(tmp_path: Path) -> None:
    config = tmp_path / "k.toml"
    config.write_text('[paths]\nvar_dir = "var"\n[scanner]\nurl = ""\n[printer]\nurl = ""\n')
    kiosk = Kiosk(load_settings(config), 1.0)
    findings = run_checks(kiosk, ["printer", "camera", "idcard", "backoffice"])
    assert [f.health for f in findings] == [Health.SKIP] * 4

    def broken(_: Kiosk) -> Finding:
        raise RuntimeError("boom")

    (finding,) = run_checks(kiosk, None, {"broken": broken})
    assert finding.health is Health.FAIL and "boom" in finding.summary
    assert list(CHECKS) == ["card-readers", "sam", "printer", "camera", "idcard", "backoffice"]


def test_bad_settings_are_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[printer]\nurl = 9100\n")
    assert kioskctl(["doctor", "--config", str(bad)]) == 4
    assert "printer.url" in capsys.readouterr().err
