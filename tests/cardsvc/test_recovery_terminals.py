"""Recovery with more than one terminal, through the real pcscd (issue 15 item 1, issue 10).

Terminal A is the ``cardsvc`` CLI with the virtual PSAM in ``Virtual PCD 00 01`` (terminal
410200000001). Terminal B is a second terminal on the same card reader with its own software
SAM (terminal 410200000002) and its own journal, as a bus validator the citizen tapped after
leaving A. The card is the virtual card in ``Virtual PCD 00 00``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.chaos.clearing import TOKEN, BackofficeProcess, ClearingView
from bench.chaos.devices import CardSpec, CardTruth
from cardsvc.clearing_client import ClearingClient
from cardsvc.demo_issuer import demo_key_file, install_demo_keys
from cardsvc.errors import CardServiceError
from cardsvc.journal import Entry, Journal
from cardsvc.keys import parse_issuer_keys
from cardsvc.sam.pcsc import PcscSam
from cardsvc.sam.soft import SoftSam
from cardsvc.terminal import CardTerminal, TxResult
from cardsvc.uploader import Uploader
from drivers.pcsc import open_backend
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.spi import BackendSpi
from simulators.pcscd import READER_NAMES, PcscdProcess
from tests.cardsvc.cli import cardsvc_json, run_cardsvc
from tests.cardsvc.hall import BeforeDebit

pytestmark = pytest.mark.pcscd
CARD = "4102000000000001"
TERMINAL_B = "410200000002"


@dataclass
class Terminals:
    tmp: Path
    env: dict[str, str]
    card: Any  # the fixtures' VirtualCard
    backend: BackendSpi
    sam_b: SoftSam
    journal_b: Journal

    @property
    def journal_a(self) -> Path:
        return self.tmp / "var" / "journal.sqlite"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cardsvc(*args, env=self.env)

    def cli_json(self, *args: str) -> Any:
        return cardsvc_json(*args, env=self.env)

    def pay_at_b(self, amount_fen: int, when: dt.datetime | None = None) -> TxResult:
        """A purchase at terminal B; B lets go of the card after it (as a validator does), so
        terminal A's next command can hold the card."""
        with CardChannel.connect(self.backend, READER_NAMES[0], timeout=5.0) as channel:
            terminal = CardTerminal(channel, self.sam_b, self.journal_b,
                                    clock=lambda: when or dt.datetime.now())
            return terminal.purchase(amount_fen)

    def entries_a(self) -> list[Entry]:
        with Journal.open(self.journal_a) as journal:
            return journal.entries()

    def put_back(self) -> None:
        """The torn card comes back to the reader."""
        self.card.wait_absent()
        self.card.insert()


@pytest.fixture(name="t")
def terminals(tmp_path: Path, pcscd: PcscdProcess, attach_card: Any) -> Iterator[Terminals]:
    card = attach_card(CARD, 0)
    attach_card(psam=True, reader_index=1)  # terminal A's PSAM, fresh
    config = tmp_path / "terminal.toml"
    config.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n')
    env = {**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(config)}
    text = demo_key_file().read_text(encoding="utf-8")
    keys_b = parse_issuer_keys(text.replace('"410200009001"', f'"{TERMINAL_B}"'), "terminal B")
    sam_b = SoftSam(keys_b, tmp_path / "sam-b" / "ttsn.json")
    backend = open_backend("pcsc://")
    journal_b = Journal.open(tmp_path / "journal-b.sqlite")
    try:
        yield Terminals(tmp_path, env, card, backend, sam_b, journal_b)
    finally:
        journal_b.close()
        backend.close()


def torn_cli_pay(t: Terminals, when: str) -> Entry:
    t.card.card.tear(1, when, prefix="8054")
    torn = t.cli("pay", "7")
    assert torn.returncode == 3, torn.stderr
    [entry] = t.entries_a()
    assert entry.status == "unknown"
    t.put_back()
    return entry


def test_another_terminal_on_the_same_counter_and_second_fails_ours(t: Terminals) -> None:
    torn = torn_cli_pay(t, "before")
    other = t.pay_at_b(700, torn.when)  # same counter, amount, type and second
    assert (other.card_atc, other.terminal_id) == (torn.card_atc, TERMINAL_B)
    resolved = t.cli_json("recover")["resolved"]
    assert [r["outcome"] for r in resolved] == ["failed"]
    assert [e.status for e in t.entries_a()] == ["failed"]
    assert t.cli_json("balance")["balance_fen"] == 10000 - 700


def test_a_superseded_proof_is_completed_without_tac_and_flagged_at_clearing(
        t: Terminals) -> None:
    torn = torn_cli_pay(t, "after")
    t.pay_at_b(10)  # the citizen rides a bus before coming back
    resolved = t.cli_json("recover")["resolved"]
    assert [r["outcome"] for r in resolved] == ["completed"]
    assert "no TAC" in resolved[0]["detail"] and "later transaction" in resolved[0]["detail"]
    [entry] = t.entries_a()
    assert entry.status == "completed" and not entry.tac
    keys = install_demo_keys(t.tmp / "clearing-keys" / "issuer_keys.toml")
    clearing = BackofficeProcess(t.tmp / "clearing", keys)
    clearing.start()
    view = ClearingView(clearing.url)
    try:
        view.register(CardSpec(CARD, balance_fen=10000), CardTruth(CARD, 10000, 0, 0))
        with ClearingClient(clearing.url, TOKEN) as client:
            report_b = Uploader(t.journal_b.path, client).upload_once()
            with Journal.open(t.journal_a) as journal_a:
                report_a = Uploader(journal_a.path, client).upload_once(journal_a)
                dead = journal_a.get(entry.id).dead_letter
        assert (report_b.new, report_a.new, report_a.rejected) == (1, 0, 1)
        assert dead and dead.startswith("malformed")
        [flag] = view.flagged()
        assert (flag["card_no"], flag["terminal_id"], flag["card_atc"], flag["ttsn"]) == (
            CARD, entry.terminal_id, torn.card_atc, entry.ttsn)
        recon = view.reconciliation(entry.date_time[:10])
        mine = {m["kind"] for m in recon["mismatches"] if m["card_no"] == CARD}
        assert {"flagged", "counter_gap"} <= mine  # the card's reconciliation shows it
    finally:
        view.close()
        clearing.stop()


def test_cardsvc_recover_never_gives_a_completed_counter_to_a_second_entry(
        t: Terminals) -> None:
    """Issue 10: two programs at terminal A (same PSAM, same journal) on one card; the second
    one's purchase falls between the first one's INIT and DEBIT. `cardsvc recover` used to
    complete the first one too, with the second one's counter and TAC."""
    journals: list[Journal] = []
    channels: list[CardChannel] = []

    def program(action: Callable[[], object] | None = None) -> CardTerminal:
        journals.append(Journal.open(t.journal_a))
        card = CardChannel.connect(t.backend, READER_NAMES[0], timeout=5.0)
        psam = CardChannel.connect(t.backend, READER_NAMES[1], timeout=5.0)
        channels.extend((card, psam))
        return CardTerminal(BeforeDebit(card, action) if action else card, PcscSam(psam),
                            journals[-1])

    second = program()
    first = program(lambda: second.purchase(10))
    try:
        with pytest.raises(CardServiceError):
            first.purchase(10)
    finally:
        for journal in journals:
            journal.close()
        for channel in channels:
            channel.disconnect()
    one, two = t.entries_a()
    assert (one.status, two.status) == ("unknown", "completed")
    assert one.card_atc == two.card_atc and one.ttsn != two.ttsn
    for _ in range(2):
        resolved = t.cli_json("recover")
        assert resolved["unresolved_by_card"] == {}
    one, two = t.entries_a()
    assert one.status == "failed" and f"entry {two.id}" in (one.detail or "")
    assert [e.tac for e in t.entries_a() if e.status == "completed"] == [two.tac]
    assert t.cli_json("balance")["balance_fen"] == 10000 - 10
