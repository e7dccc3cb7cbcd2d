"""The ``backoffice`` command line: commands, JSON output, errors and exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice.clearing.service import ClearingService
from backoffice.cli import main
from config.runtime import free_tcp_port
from tests.backoffice.cardsim import Card, at
from tests.backoffice.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_seed_demo_hotlist_cards_reconcile(capsys: pytest.CaptureFixture[str],
                                           db_url: str) -> None:
    code, out, _ = run(capsys, "seed-demo", "--db", db_url)
    assert code == 0 and "4102000000000005" in out
    assert "hotlisted: 4102000000000004" in out
    code, out, _ = run(capsys, "seed-demo", "--db", db_url)
    assert code == 0 and "already registered" in out and "none new" in out
    code, out, _ = run(capsys, "cards", "list", "--json", "--db", db_url)
    cards = {c["card_no"]: c for c in json.loads(out)}
    assert cards["4102000000000001"]["issued_balance_fen"] == 10_000
    assert cards["4102000000000005"]["alg"] == "sm4"
    assert len(cards) == 5
    code, out, _ = run(capsys, "hotlist", "add", "4102000000000002", "--reason", "stolen",
                       "--db", db_url)
    assert code == 0 and "version 2" in out
    code, out, _ = run(capsys, "hotlist", "list", "--json", "--db", db_url)
    hot = json.loads(out)
    assert hot["version"] == 2
    assert [c["card_no"] for c in hot["cards"]] == ["4102000000000002", "4102000000000004"]
    code, out, _ = run(capsys, "reconcile", "--date", "2026-11-26", "--json", "--db", db_url)
    assert code == 0 and json.loads(out)["ok"] is True


def _with_transactions(db_url: str, service: ClearingService) -> None:
    card = Card("4102000000000001")
    records = [card.purchase(1250, ttsn=1, when=at(9)), card.load(500, ttsn=1, when=at(10))]
    service.ingest_json(json.dumps(records).encode())


def test_transactions_and_reconcile_output(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                           service: ClearingService) -> None:
    url = service.repo.db.url.redacted()
    _with_transactions(url, service)
    code, out, _ = run(capsys, "transactions", "--json", "--db", url)
    rows = json.loads(out)
    assert code == 0 and [r["type"] for r in rows] == ["purchase", "load"]
    assert set(rows[0]) >= {"card_no", "card_atc", "terminal_id", "ttsn", "type", "amount_fen",
                            "balance_after_fen", "date_time", "tac", "alg", "hotlist_version"}
    code, out, _ = run(capsys, "transactions", "--card", "4102000000000002", "--json",
                       "--db", url)
    assert json.loads(out) == []
    code, out, _ = run(capsys, "transactions", "--db", url)
    assert "-12.50 -> 87.50" in out and "+5.00 -> 92.50" in out
    # the card was never registered: a mismatch, exit 1 (with or without --check)
    code, out, _ = run(capsys, "reconcile", "--date", "2026-11-26", "--db", url)
    assert code == 1 and "unregistered_card" in out and "debits      1" in out
    code, _, _ = run(capsys, "reconcile", "--date", "2026-11-26", "--check", "--db", url)
    assert code == 1


@pytest.mark.parametrize("argv,code,message", [
    (["reconcile", "--date", "26/11/2026"], 2, "not a date"),
    (["reconcile"], 2, "--date"),
    (["transactions", "--card", "12"], 2, "16 digits"),
    (["hotlist", "add", "4102"], 2, "16 digits"),
    (["cards", "add", "4102000000000001", "--balance", "1.234"], 2, "not an amount"),
    (["transactions", "--db", "mysql://x/y"], 4, "unsupported database URL"),
    (["transactions", "--db", "postgresql://u:secret@/x?host=/nonexistent"], 3,
     "cannot connect to PostgreSQL"),
    (["nosuch"], 2, "unknown command"),
])
def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                             argv: list[str], code: int, message: str) -> None:
    if "--db" not in argv:
        argv = [*argv, "--db", sqlite_url] if argv[0] != "nosuch" else argv
    got, _, err = run(capsys, *argv)
    assert got == code
    assert message in err
    assert "Traceback" not in err and "secret" not in err


def test_serve_needs_a_token(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKOFFICE_TOKEN", raising=False)
    code, _, err = run(capsys, "serve", "--demo", "--db", sqlite_url)
    assert code == 4 and "token" in err


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_and_stops_on_sigterm(tmp_path: Path, workers: int) -> None:
    port = free_tcp_port()
    config = tmp_path / "config.toml"  # the hall's database and key under tmp_path
    config.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n')
    env = {**os.environ, "BACKOFFICE_TOKEN": TOKEN, "CITIZEN_HALL_CONFIG": str(config)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "backoffice.cli", "serve", "--demo", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'c.sqlite3'}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # a cold start imports the web stack and both services' schemas: seconds on a quiet
        # machine, over 20 s on a loaded one; the wait ends as soon as it answers
        deadline = time.monotonic() + 90
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert health == {"status": "ok", "database": "sqlite", "hotlist_version": 1}
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(4):  # whichever worker answers, the demo cards were seeded once
            hot = httpx.get(f"http://127.0.0.1:{port}/v1/hotlist", headers=auth).json()
            assert [c["card_no"] for c in hot["cards"]] == ["4102000000000004"]
            assert hot["version"] == 1
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert f"serving on http://127.0.0.1:{port}" in out
    logs: list[dict[str, Any]] = [json.loads(line) for line in err.splitlines() if line]
    events = [entry.get("event") for entry in logs]
    assert events.count("start") == workers and events.count("stop") == workers
    assert TOKEN not in err and "0F1E2D3C" not in err.upper()
