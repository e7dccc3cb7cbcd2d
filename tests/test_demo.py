"""The card chain demo (python -m demo cards) end to end: it names the holder and cleans up."""

from __future__ import annotations

import json
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


def _stay_until_ready(proc: subprocess.Popen[str]) -> dict[str, str]:
    """Read the --stay output up to "Ctrl-C"; return the environment it says to export."""
    assert proc.stdout is not None
    exported: dict[str, str] = {}
    deadline = time.monotonic() + 90
    for line in proc.stdout:
        found = re.match(r"\s+export (\w+)=(\S+)", line)
        if found:
            exported[found.group(1)] = found.group(2)
        if "Ctrl-C" in line:
            return exported
        assert time.monotonic() < deadline
    raise AssertionError("the demo ended before it said it was ready")


def _cardsvc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cardsvc.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_stay_commands_use_the_demos_state_and_a_mismatch_fails(tmp_path):
    """Issue 12, item 2: `cardsvc pay` tried by hand during --stay journals where the demo does
    and reaches the demo's clearing (the next run adds up); a payment journalled elsewhere never
    reaches it, and the next run's reconciliation mismatch is a non-zero exit."""
    state = tmp_path / "demo"
    proc = demo("--state", str(state), "--fresh", "--stay")
    try:
        exported = _stay_until_ready(proc)
        assert set(exported) == {"PCSCLITE_CSOCK_NAME", "CITIZEN_HALL_CONFIG"}
        env = {**os.environ, **exported}
        paid = _cardsvc(env, "pay", "1.00", "--json")
        assert paid.returncode == 0, paid.stderr
        assert _cardsvc(env, "upload").returncode == 0
        journal = _cardsvc(env, "journal", "--json")
        assert len(json.loads(journal.stdout)["entries"]) == 2  # the demo's and ours
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    again = demo("--state", str(state))
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "账目相符 everything adds up" in out

    proc = demo("--state", str(state), "--stay")
    try:
        exported = _stay_until_ready(proc)
        elsewhere = tmp_path / "elsewhere.toml"  # the default journal: not the demo's
        elsewhere.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n')
        env = {**os.environ, **exported, "CITIZEN_HALL_CONFIG": str(elsewhere)}
        assert _cardsvc(env, "pay", "1.00", "--reader", "Virtual PCD 00 00").returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    last = demo("--state", str(state))
    out, err = last.communicate(timeout=120)
    assert last.returncode == 1, out + err
    errors = [line for line in err.splitlines() if line.strip()]
    assert len(errors) == 1 and "mismatch" in errors[0] and "Traceback" not in err


@pytest.mark.parametrize(("variables", "options"), [
    ((), ""), (("JOURNEY=1",), "--journey"), (("CARDS=1",), "cards"),
    (("CARDS=1", "FRESH=1"), "cards --fresh"),
    (("CARDS=1", "FRESH=1", "STAY=1"), "cards --fresh --stay")])
def test_make_demo_takes_its_options_as_variables(variables, options):
    """Issue 12, item 9: `make demo --fresh` is a make error; `make demo FRESH=1` is not."""
    # --no-print-directory: under `make test` this make is a sub-make and would otherwise end
    # its output with "make[1]: Leaving directory" (the CI failure of 2026-11-30)
    done = subprocess.run(["make", "--no-print-directory", "-n", "demo", *variables], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    command = done.stdout.strip().splitlines()[-1]
    assert command.split("-m demo")[1].split() == options.split()
