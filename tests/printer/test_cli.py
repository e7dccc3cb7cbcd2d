"""``kioskctl printer`` and ``simulators printer``, as a technician would use them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from drivers.printer import Document, PrintQueue
from drivers.printer.testpage import cjk_ruler, ruler
from kiosk.ctl import main as kioskctl
from simulators.cli import main as simulators

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n')
    return path


def run(config: Path, *args: str) -> int:
    return kioskctl(["printer", "--config", str(config), *args])


def test_status_in_plain_words_and_exit_codes(virtual_printer, config, capsys, closed_port):
    url = virtual_printer.url
    assert run(config, "status", "--printer", url) == EXIT_OK
    out = capsys.readouterr().out
    assert "ok: the printer is ready" in out and "打印机正常" in out
    virtual_printer.paper = "out"
    assert run(config, "status", "--printer", url, "--json") == EXIT_FAILED
    report = json.loads(capsys.readouterr().out)
    assert (report["state"], report["ready"]) == ("paper-out", False)
    assert run(config, "status", "--printer", f"tcp://127.0.0.1:{closed_port}",
               "--timeout", "0.5") == EXIT_UNAVAILABLE
    assert "offline" in capsys.readouterr().out


def test_test_page_prints_chinese_qr_and_rulers(virtual_printer, config, capsys):
    assert run(config, "test", "--printer", virtual_printer.url) == EXIT_OK
    assert "confirmed by the printer" in capsys.readouterr().out
    (page,) = virtual_printer.wait_receipts(1)
    lines = page.text.splitlines()
    assert ruler(32) in lines and cjk_ruler(32) in lines
    assert max(line.columns for line in page.lines) == 32 and not page.overflow
    assert "中文打印测试：一卡通、市民之家。" in lines and "：￥，。（）《》“”" in lines
    assert page.qr_codes and page.qr_codes[0].startswith("TEST generic-58 ")
    assert page.warnings == []


def test_test_page_on_80mm_and_paper_out(virtual_printer_80, config, capsys):
    url = virtual_printer_80.url
    assert run(config, "test", "--printer", url, "--profile", "generic-80") == EXIT_OK
    assert ruler(48) in virtual_printer_80.wait_receipts(1)[0].text
    virtual_printer_80.paper = "out"
    assert run(config, "test", "--printer", url, "--profile", "generic-80") == EXIT_FAILED
    err = capsys.readouterr().err
    assert "paper" in err and "Traceback" not in err
    assert len(virtual_printer_80.receipts) == 1


def test_errors_are_one_line_with_the_right_exit_code(tmp_path, config, capsys):
    assert run(config, "status", "--printer", "lpt://1") == EXIT_USAGE
    bad = tmp_path / "bad.toml"
    bad.write_text('[printer]\nurl = "tcp://"\n')
    assert run(bad, "status") == EXIT_CONFIG
    bad.write_text("[printer\n")
    assert run(bad, "status") == EXIT_CONFIG
    assert run(config, "frobnicate") == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "has no host" in err


def test_queue_listing_and_reprint(config, tmp_path, capsys):
    assert run(config, "queue") == EXIT_OK
    assert "no print queue" in capsys.readouterr().out
    queue = PrintQueue.in_dir(tmp_path / "var")
    job = queue.submit(Document(title="交易凭条 TTSN 7").text("x").cut())
    queue.mark_sending(job.id)
    queue.recover()
    assert run(config, "queue") == EXIT_OK
    assert f"kioskctl printer reprint {job.id}" in capsys.readouterr().out
    assert run(config, "reprint", str(job.id)) == EXIT_OK
    assert run(config, "reprint", str(job.id + 1)) == EXIT_FAILED  # still pending
    assert "reprint of job" in capsys.readouterr().out
    assert run(config, "queue", "--json") == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [j["state"] for j in listed] == ["pending", "uncertain"]


def test_simulator_serves_as_a_process_and_stops_on_sigterm(tmp_path, config, capsys):
    out = tmp_path / "sim"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "simulators.cli", "printer", "serve",
                             "--port", "0", "--out", str(out), "--width", "80"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "virtual printer listening on tcp://127.0.0.1:" in first, proc.stderr
        url = first.split()[4]
        assert simulators(["printer", "paper", str(out), "near-end"]) == EXIT_OK
        assert run(config, "status", "--printer", url, "--profile", "generic-80") == EXIT_OK
        assert "paper-near-end" in capsys.readouterr().out
        assert run(config, "test", "--printer", url, "--profile", "generic-80") == EXIT_OK
    finally:
        proc.send_signal(signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "stopped after 1 receipt" in stdout
    receipt = json.loads((out / "receipt-0001.json").read_text())
    assert receipt["qr_codes"][0].startswith("TEST generic-80") and not receipt["overflow"]
    assert (out / "receipt-0001.png").exists() and ruler(48) in receipt["text"]


def test_decode_a_file_capture(tmp_path, config, capsys):
    capture = tmp_path / "lp0.bin"
    capture.touch()
    assert run(config, "test", "--printer", f"file://{capture}") == EXIT_OK
    assert simulators(["printer", "decode", str(capture), "--out", str(tmp_path / "d")]) == 0
    assert "QR TEST generic-58" in capsys.readouterr().out
    assert (tmp_path / "d" / "receipt-0001.png").exists()
