"""The serve CLIs as child processes: pcscd sees their cards, controls work, SIGTERM stops them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from simulators.card.controls import ControlClient
from tests.fixtures.cards import PcscExchangeError, pcsc_exchange, reader_state

ROOT = Path(__file__).resolve().parents[2]
SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")
READ_EF15 = bytes.fromhex("00B0950000")


def simulators(*args: str, **kw) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "simulators.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulators.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def stop(proc: subprocess.Popen[str]) -> tuple[int, list[dict[str, Any]]]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return proc.returncode, lines


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["card", "serve", "--card", "41020000", "--state", "{tmp}/s"], 2, "16 digits"),
        (
            ["card", "serve", "--card", "4102000000000099", "--state", "{tmp}/s"],
            4,
            "no such demo card",
        ),
        (["card", "serve", "--state", "{tmp}/file/s"], 4, "state directory"),
        (["psam", "serve", "--state", "{tmp}/file/s"], 4, "state directory"),
        (["card", "serve", "--vpcd-port", "70000", "--state", "{tmp}/s"], 2, "not a TCP port"),
        (["card", "serve"], 2, "--state"),
        (
            ["card", "serve", "--state", "{tmp}/s", "--control", "{tmp}/file/ctl.sock"],
            4,
            "control socket",
        ),
        (
            ["card", "serve", "--state", "{tmp}/s", "--control", "{tmp}/" + "x" * 120],
            4,
            "control socket",
        ),
    ],
)
def test_serve_refuses_bad_input_with_exit_code(tmp_path, args, code, message):
    (tmp_path / "file").write_text("not a directory")
    result = run(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.pcscd
def test_card_serve_until_sigterm_with_controls(card_rig, tmp_path):
    control = tmp_path / "ctl.sock"
    with card_rig.vacate(0) as reader:
        proc = simulators(
            "card",
            "serve",
            "--vpcd-port",
            str(card_rig.pcscd.ports[0]),
            "--card",
            "4102000000000002",
            "--state",
            str(tmp_path / "state"),
            "--control",
            str(control),
        )
        try:
            wait_for(lambda: reader_state(reader)[0])
            _, ef15 = pcsc_exchange(reader, SELECT_ADF, READ_EF15)
            assert ef15[12:20] == bytes.fromhex("4102000000000002")
            client = ControlClient(control)
            client.tear(1, "before", prefix="00B0")
            with pytest.raises(PcscExchangeError):
                pcsc_exchange(reader, SELECT_ADF, READ_EF15)
            assert client.status()["tears"] == 1
            wait_for(lambda: not reader_state(reader)[0])
            client.insert()
            wait_for(lambda: reader_state(reader)[0])
            client.remove()
            wait_for(lambda: not reader_state(reader)[0])
            client.insert()
            wait_for(lambda: reader_state(reader)[0])
        finally:
            code, logs = stop(proc)
        assert code == 0
        assert (tmp_path / "state" / "card-4102000000000002.json").exists()
        messages = [entry["msg"] for entry in logs]
        assert "serving" in messages and messages[-1] == "stopped"
        assert all({"ts", "level", "logger", "msg"} <= set(entry) for entry in logs)
        assert not control.exists()
        wait_for(lambda: not reader_state(reader)[0])


@pytest.mark.pcscd
def test_psam_serve_until_sigterm(card_rig, tmp_path):
    with card_rig.vacate(1) as reader:
        proc = simulators(
            "psam", "serve", "--vpcd-port", str(card_rig.pcscd.ports[1]), "--state", str(tmp_path)
        )
        try:
            wait_for(lambda: reader_state(reader)[0])
            _, term = pcsc_exchange(
                reader, bytes.fromhex("00A40000021001"), bytes.fromhex("00B0960006")
            )
            assert term == bytes.fromhex("410200000001") + b"\x90\x00"
        finally:
            code, _ = stop(proc)
        assert code == 0


@pytest.mark.pcscd
def test_pcscd_run_prints_how_to_reach_it_and_stops_on_sigterm(tmp_path):
    proc = simulators("pcscd", "run", "--workdir", str(tmp_path / "p"))
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        ports = [proc.stdout.readline().strip() for _ in range(2)]
        name, _, sock = first.partition("=")
        assert name == "PCSCLITE_CSOCK_NAME" and Path(sock).is_socket()
        assert ports[0].startswith("Virtual PCD 00 00: vpcd port ")
        env = {**os.environ, "PCSCLITE_CSOCK_NAME": sock}
        listing = subprocess.run(
            ["opensc-tool", "-l"], env=env, capture_output=True, text=True, timeout=30, check=True
        ).stdout
        assert "Virtual PCD 00 00" in listing
    finally:
        code, _ = stop(proc)
    assert code == 0
