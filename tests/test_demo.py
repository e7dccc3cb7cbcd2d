"""The card chain demo (python -m demo cards) end to end: it names the holder and cleans up."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardsvc.demo_issuer import load_demo_data

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.pcscd


def demo(*args: str, **kw) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "PCSCLITE_CSOCK_NAME"}
    return subprocess.Popen(
        [sys.executable, "-m", "demo", "cards", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_demo_names_the_holder_and_stops_what_it_started(tmp_path):
    proc = demo("--state", str(tmp_path / "demo"), "--fresh")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    card = load_demo_data().card("4102000000000001")
    assert card.holder in out
    assert "4102 0000 0000 0001" in out
    assert card.id_number not in out  # masked
    assert card.id_number[:4] + "*" in out and card.id_number[-4:] in out
    assert "Virtual PCD 00 00: 有卡 card present, ATR 3B" in out
    assert "Virtual PCD 00 01: 有卡 card present" in out
    assert "普通卡 (adult)" in out
    assert "食堂消费 Canteen purchase: 12.50 元, 余额 balance 87.50 元" in out
    assert "1 sent, 1 new" in out and "0 rejected" in out
    assert "应有余额 expected balance 87.50 元" in out and "账目相符 everything adds up" in out
    assert "营业执照登记（个体工商户设立）" in out  # the hall serves the demo catalogue
    assert "Traceback" not in err
    assert processes_mentioning(str(tmp_path)) == []
    started = re.search(r"pcscd \(.*\) pid (\d+)", out)
    assert started, out
    pcscd_pid = int(started.group(1))
    assert (
        not Path(f"/proc/{pcscd_pid}/cmdline").exists()
        or b"pcscd" not in Path(f"/proc/{pcscd_pid}/cmdline").read_bytes()
    )
    assert (tmp_path / "demo" / "cards" / "card-4102000000000001.json").exists()


def test_demo_stay_stops_cleanly_on_sigterm(tmp_path):
    proc = demo("--state", str(tmp_path), "--stay")
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if "Ctrl-C" in line:
            break
        assert time.monotonic() < deadline
    assert len(processes_mentioning(str(tmp_path))) >= 2  # card + PSAM simulators
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert processes_mentioning(str(tmp_path)) == []


def test_demo_reports_a_failing_simulator_without_traceback(tmp_path):
    proc = demo("--state", str(tmp_path), "--card", "4102000000000099")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert "no such demo card" in err and "Traceback" not in err
    assert processes_mentioning(str(tmp_path)) == []
