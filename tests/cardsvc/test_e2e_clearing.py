"""A terminal with the clearing service: uploads, the hotlist, online loads, dead letters.

The back office runs as `backoffice serve` (a child process, SQLite); the terminal is the
`cardsvc` CLI through the real pcscd with the virtual card and PSAM."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardsvc.clearing_client import ClearingClient
from cardsvc.journal import Journal
from cardsvc.uploader import Uploader
from config.files import atomic_write
from config.layout import VarLayout
from config.runtime import free_tcp_port, stop_process, wait_http_ok
from simulators.pcscd import PcscdProcess
from tests.cardsvc.cli import cardsvc_json, run_cardsvc

pytestmark = pytest.mark.pcscd
TOKEN = "clearing-test-token"


@pytest.fixture
def clearing(tmp_path: Path) -> Iterator[str]:
    port = free_tcp_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backoffice.cli", "serve", "--demo", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'clearing.sqlite3'}", "--token", TOKEN],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    assert wait_http_ok(f"{url}/healthz", 20, alive=lambda: proc.poll() is None), \
        "backoffice serve did not come up"
    yield url
    stop_process(proc)


class Terminal:
    def __init__(self, tmp: Path, pcscd: PcscdProcess, url: str) -> None:
        self.var = tmp / "var"
        config = tmp / "terminal.toml"
        atomic_write(VarLayout(self.var).clearing_client_token, TOKEN + "\n", mode=0o600)
        config.write_text(f'[paths]\nvar_dir = "{self.var}"\n'
                          f'[clearing_client]\nurl = "{url}"\n')
        self.env = {**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(config)}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cardsvc(*args, env=self.env)

    def json(self, *args: str) -> Any:
        return cardsvc_json(*args, env=self.env)


@pytest.fixture
def terminal(tmp_path: Path, pcscd: PcscdProcess, clearing: str, psam: Any) -> Terminal:
    return Terminal(tmp_path, pcscd, clearing)


def test_purchases_and_online_loads_reach_clearing_once(terminal: Terminal, clearing: str,
                                                       attach_card: Any) -> None:
    attach_card("4102000000000001")
    terminal.json("pay", "12.50")
    assert terminal.json("load", "20", "--pin", "123456")["balance_fen"] == 10750  # online MAC2
    first = terminal.json("upload")
    assert (first["sent"], first["new"], first["rejected"], first["remaining"]) == (2, 2, 0, 0)
    again = terminal.json("upload")
    assert again["sent"] == 0  # acknowledged records are not sent again
    entries = terminal.json("journal")["entries"]
    assert all(e["uploaded"] for e in entries)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    cleared = httpx.get(f"{clearing}/v1/transactions", params={"card": "4102000000000001"},
                        headers=headers, timeout=10).json()
    rows = cleared if isinstance(cleared, list) else cleared.get("transactions", cleared)
    assert sorted(r["amount_fen"] for r in rows) == [1250, 2000]


def test_a_lost_card_is_refused_and_blocked_after_the_hotlist_refresh(
        terminal: Terminal, clearing: str, attach_card: Any) -> None:
    attach_card("4102000000000002")
    terminal.json("pay", "1")  # fine before it is reported lost
    with ClearingClient(clearing, TOKEN) as client:
        client.report_lost("4102000000000002")
    assert terminal.json("upload")["hotlist_version"] >= 2
    refused = terminal.run("pay", "1")
    assert refused.returncode == 1 and "挂失" in refused.stderr
    assert terminal.json("identify")["status"] == "blocked"
    assert terminal.run("load", "1", "--pin", "123456").returncode == 1


def test_a_record_clearing_rejects_goes_to_the_dead_letters(terminal: Terminal, clearing: str,
                                                            attach_card: Any) -> None:
    attach_card("4102000000000005")
    terminal.json("pay", "1")
    terminal.json("pay", "2")
    with Journal.open(terminal.var / "journal.sqlite") as journal:  # one TAC byte altered
        first = journal.entries()[0]
        assert first.tac is not None
        journal._conn.execute("UPDATE entries SET tac = ? WHERE id = ?",
                              ("00" + first.tac[2:] if first.tac[:2] != "00" else
                               "11" + first.tac[2:], first.id))
    report = terminal.json("upload")
    assert (report["new"], report["rejected"]) == (1, 1)
    with Journal.open(terminal.var / "journal.sqlite") as journal:
        bad = journal.get(first.id)
        assert bad.dead_letter and "bad_tac" in bad.dead_letter and not bad.uploaded
        assert journal.to_upload() == []  # kept, never sent again automatically
        with ClearingClient(clearing, TOKEN) as client:
            assert Uploader(journal.path, client).upload_once(journal).sent == 0
