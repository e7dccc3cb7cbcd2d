"""``cardsvc readers`` and ``cardsvc apdu``: as a user runs them (subprocesses through pcscd),
plus the usage errors, which need no pcscd."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from cardsvc.cli import main
from simulators.pcscd import READER_NAMES, PcscdProcess
from tests.cardsvc.cli import run_cardsvc
from tests.fixtures.cards import CardRig, VirtualCard

READER0, READER1 = READER_NAMES
SELECT_ADF = "00A4040009A00000000386980701"
READ_EF15 = "00B0950000"


def cardsvc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cardsvc(*args, env={**os.environ, **(env or {})})


# -- without pcscd ------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["apdu", "00A4G0"], "bad hex digit 'G' at position 5"),
    (["apdu", "00A40"], "odd number of hex digits (5)"),
    (["apdu", "00A4"], "at least 4 bytes"),
    (["apdu", "00A40400", "--backend", "usb://"], "unknown reader backend URL"),
    (["readers", "--backend", "usb://"], "unknown reader backend URL"),
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str],
                             message: str) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_memory_backend_without_readers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["readers", "--json", "--backend", "memory://"]) == 3  # no reader: unavailable
    assert json.loads(capsys.readouterr().out) == {"readers": []}
    assert main(["readers", "--backend", "memory://"]) == 3
    err = capsys.readouterr().err.strip()
    assert err == "cardsvc readers: 未连接读卡器 / no card reader is attached"
    assert main(["apdu", "00A40400", "--backend", "memory://"]) == 3
    assert "no card reader is attached" in capsys.readouterr().err


def test_no_pcscd_exit_3(tmp_path: Path) -> None:
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-such-pcscd.comm")}
    for args in (["readers"], ["apdu", SELECT_ADF]):
        done = cardsvc(*args, env=env)
        assert done.returncode == 3, done.stderr
        assert "is pcscd running?" in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""


# -- through the session's pcscd ----------------------------------------------------------------


@pytest.mark.pcscd
def test_readers_json_and_table(demo_card: VirtualCard, card_rig: CardRig) -> None:
    atr = demo_card.wait_present().hex().upper()
    with card_rig.vacate(1):
        done = cardsvc("readers", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"readers": [
            {"name": READER0, "card_present": True, "atr": atr, "available": True},
            {"name": READER1, "card_present": False, "atr": None, "available": True}]}
        table = cardsvc("readers")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["READER", "CARD", "ATR"]
    assert lines[1].startswith(READER0) and lines[1].split()[-2:] == ["yes", atr]
    assert lines[2].startswith(READER1) and lines[2].split()[-2:] == ["no", "-"]


@pytest.mark.pcscd
def test_apdu_prints_data_and_sw(demo_card: VirtualCard) -> None:
    done = cardsvc("apdu", SELECT_ADF, "00B0 9500 00", "--reader", READER0)
    assert done.returncode == 0, done.stderr
    select, ef15 = done.stdout.splitlines()
    assert select.startswith("6F") and select.endswith(" 9000")
    data, sw = ef15.split()
    assert sw == "9000" and data.startswith("41020000FFFFFFFF") and len(data) == 60


@pytest.mark.pcscd
def test_apdu_json_and_default_reader(demo_card: VirtualCard, card_rig: CardRig) -> None:
    with card_rig.vacate(1):
        done = cardsvc("apdu", SELECT_ADF, "00B0950000", "0020000003123456", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["reader"] == READER0 and doc["atr"] == demo_card.card.atr.hex().upper()
    assert [r["sw"] for r in doc["responses"]] == ["9000", "9000", "9000"]
    assert doc["responses"][1]["data"].startswith("41020000FFFFFFFF")
    assert doc["responses"][2]["command"] == "00200000 03 [3 bytes redacted]"
    assert "123456" not in done.stdout


@pytest.mark.pcscd
def test_apdu_trace_is_redacted(demo_card: VirtualCard) -> None:
    done = cardsvc("apdu", SELECT_ADF, "0020000003123456", "--trace", "--reader", READER0)
    assert done.returncode == 0, done.stderr
    trace = done.stderr.splitlines()
    assert trace[0] == "trace >> 00A40400 09 A00000000386980701"
    assert trace[1].startswith("trace << 6F") and " 9000 (" in trace[1]
    assert trace[2] == "trace >> 00200000 03 [3 bytes redacted]"
    assert trace[3].startswith("trace << 9000 (") and trace[3].endswith(" ms)")
    assert "123456" not in done.stderr


@pytest.mark.pcscd
def test_unknown_reader_and_no_card_exit_3(pcscd: PcscdProcess, card_rig: CardRig) -> None:
    done = cardsvc("apdu", SELECT_ADF, "--reader", "No Such Reader")
    assert done.returncode == 3
    assert "no reader named 'No Such Reader'" in done.stderr and "Traceback" not in done.stderr
    with card_rig.vacate(0), card_rig.vacate(1):
        done = cardsvc("apdu", SELECT_ADF)
        assert done.returncode == 3 and "no card in any reader" in done.stderr
        done = cardsvc("apdu", SELECT_ADF, "--reader", READER1)
        assert done.returncode == 3 and "no card in the reader" in done.stderr
        done = cardsvc("apdu", SELECT_ADF, "--backend", f"pcsc://{READER1}")  # reader in URL
        assert done.returncode == 3 and f"{READER1}: no card in the reader" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
