"""``kioskctl idcard`` and ``simulators idcard`` as a technician runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ctl import main as kioskctl
from simulators.idcard.citizens import demo_people
from simulators.idcard.device import Fault, VirtualIdReader
from simulators.idcard.server import PtyServer

ZHANG = demo_people()[0]


@pytest.fixture
def device() -> VirtualIdReader:
    return VirtualIdReader(ZHANG)


@pytest.fixture
def port(tmp_path: Path, device: VirtualIdReader) -> Iterator[str]:
    with PtyServer(device, tmp_path / "idcard.pty"):
        yield str(tmp_path / "idcard.pty")


def test_read_prints_the_citizen_masked(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert kioskctl(["idcard", "read", "--port", port]) == 0
    out = capsys.readouterr().out
    assert "张伟" in out and "男" in out and "汉" in out and "1985-03-12" in out
    assert ZHANG.number not in out and "4102**********" + ZHANG.number[-4:] in out


def test_read_full_and_json(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert kioskctl(["idcard", "read", "--port", port, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "张伟" and data["id_number"].startswith("4102*")
    assert data["valid_to"] == "2035-06-01" and data["expired"] is False
    assert kioskctl(["idcard", "read", "--port", port, "--json", "--full"]) == 0
    assert json.loads(capsys.readouterr().out)["id_number"] == ZHANG.number


def test_expired_card_is_read_with_a_warning(
    port: str, device: VirtualIdReader, capsys: pytest.CaptureFixture[str]
) -> None:
    device.place(demo_people()[4])
    assert kioskctl(["idcard", "read", "--port", port]) == 0
    assert "expired" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        (lambda d: d.remove(), 3, "no ID card on the reader"),
        (lambda d: d.inject(Fault.CHECKSUM), 1, "wrong checksum"),
        (lambda d: d.inject(Fault.SILENT, count=-1), 3, "did not answer"),
    ],
)
def test_errors_are_one_line_and_an_exit_code(
    port: str,
    device: VirtualIdReader,
    setup,
    code: int,
    words: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup(device)
    assert kioskctl(["idcard", "read", "--port", port, "--timeout", "0.3"]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_status(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert kioskctl(["idcard", "status", "--port", port, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "reader": port,
        "sam": "ok",
        "card_present": True,
    }


def test_reader_from_the_settings(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[idcard]\nurl = "{port}"\n')
    assert kioskctl(["idcard", "read", "--config", str(config)]) == 0
    assert "张伟" in capsys.readouterr().out
    config.write_text("[idcard]\nurl = 5\n")
    assert kioskctl(["idcard", "read", "--config", str(config)]) == 4


def test_the_two_programs_through_a_pty(tmp_path: Path) -> None:
    """What a new user does: start the simulator, read the card, stop the simulator."""
    link = tmp_path / "reader"
    bindir = Path(sys.executable).parent
    sim = subprocess.Popen(
        [bindir / "simulators", "idcard", "serve", "--pty", str(link), "--citizen", "1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not link.is_symlink():
            assert sim.poll() is None and time.monotonic() < deadline, "simulator did not start"
            time.sleep(0.05)
        done = subprocess.run(
            [bindir / "kioskctl", "idcard", "read", "--port", str(link)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "李秀英" in done.stdout and "长期" in done.stdout
    finally:
        os.kill(sim.pid, signal.SIGTERM)
        _, err = sim.communicate(timeout=10)
    assert sim.returncode == 0
    assert not link.exists() and not link.is_symlink()
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(entry["msg"] == "card read" for entry in logs)
    assert demo_people()[1].number not in err
