"""The chaos suite's fast subset (bench/chaos; issue 4 item 7): every tear boundary in-process,
a few tears and kill -9s of ``cardsvc serve`` through the real pcscd, every kind of fault
between the uploader and clearing, and three terminals sharing the cards (issue 10 item 7).
After each: nothing lost, nothing counted twice, nothing unverified, nothing unresolved,
everything at clearing exactly once."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.chaos import kills, tears, terminals, uploads
from bench.chaos.devices import FLEET, Socket, open_card, open_terminal_psam
from bench.chaos.kills import KillPoint
from bench.chaos.readers import Readers
from bench.chaos.report import FamilyReport, describe
from bench.chaos.station import memory_tier, open_station
from bench.chaos.tears import TearPoint
from bench.chaos.world import World, world
from cardsvc.clearing_client import ClearingClient
from cardsvc.errors import CardServiceError
from cardsvc.journal import Journal
from cardsvc.uploader import Uploader
from drivers.pcsc import open_backend
from simulators.card.wrapper import CardWrapper
from simulators.pcscd import PcscdProcess
from tests.cardsvc.rig import Rig


@pytest.fixture
def chaos_world(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path / "world") as w:
        yield w


def assert_clean(report: FamilyReport) -> None:
    v = report.verdict
    assert report.ok, describe(report)
    assert (v.lost, v.double, v.phantom, v.unverified, v.unresolved) == (0, 0, 0, 0, 0)
    assert v.not_uploaded == 0 and v.cleared == v.completed == v.applied > 0


def test_a_tear_at_every_boundary_of_every_operation(chaos_world: World) -> None:
    station = open_station(chaos_world.root / "station", chaos_world.keys,
                           chaos_world.cards_dir, chaos_world.specs, [memory_tier()])
    report = tears.run(chaos_world, station, trials=None)
    # purchase 3 card + 6 PSAM commands, bus fare 4 + 6, load 4 + 3, each torn before, torn
    # after and answered damaged: 78; and the T=0 card's 6 commands of a purchase (GET
    # RESPONSEs included): 18
    assert report.trials == 96
    assert report.injected["tear card after"] == report.injected["tear card before"] == 17
    assert report.injected["tear psam after"] == report.injected["tear psam before"] == 15
    assert report.injected["damaged card answer"] == 12  # the answers that carry data
    assert report.injected["damaged psam answer"] == 8
    # DEBIT x2, CREDIT, T=0 x3 torn; DEBIT x2, CREDIT, T=0 DEBIT's GET RESPONSE damaged
    assert report.details["torn entry recovered completed"] >= 10
    assert report.details["torn entry recovered failed"] >= 4
    assert report.details["torn entry completed"] >= 4  # the PSAM dropped out at 8072
    assert report.injected["tear during recovery"] > 0
    assert_clean(report)
    station.journal.close()


def test_several_terminals_sharing_cards(chaos_world: World) -> None:
    """A transaction torn at terminal A, the card used at terminals B and C (they take the
    counter A's torn transaction left unused, or push A's record out of the card's log), then
    back at A: 0 lost, 0 double, every torn entry as the card says, every record accounted for
    at clearing (the grey ones flagged there for the card's reconciliation)."""
    report = terminals.run(chaos_world, trials=40, terminals=3, seed=8)
    v, seen = report.verdict, report.details
    assert report.ok, describe(report)
    assert (v.lost, v.double, v.phantom, v.unverified, v.unresolved) == (0, 0, 0, 0, 0)
    assert (v.not_uploaded, v.grey_unaccounted) == (0, 0)
    assert v.cleared + v.grey_settled == v.applied > 150
    assert seen["not applied, the card used elsewhere -> failed"] > 0  # its counter taken
    assert seen["applied, the card used elsewhere -> completed (superseded)"] > 0
    assert seen["applied, the card used elsewhere -> completed (undetermined)"] > 0
    assert seen["applied, the card used elsewhere -> completed"] > 0  # still provable
    assert v.grey > 0 and report.injected["tear card before"] > 0


@pytest.fixture
def readers(pcscd: PcscdProcess, attach_card: Any, chaos_world: World) -> Iterator[Readers]:
    """The world's first card and its PSAM behind the session pcscd, in sockets."""
    card_socket = Socket(open_card(chaos_world.cards_dir, FLEET[0]))
    psam_socket = Socket(open_terminal_psam(chaos_world.psam_dir))
    card = attach_card(card=card_socket, reader_index=0)
    psam = attach_card(card=psam_socket, reader_index=1)
    backend = open_backend("pcsc://")
    try:
        yield Readers(dict(pcscd.env), backend, card, card_socket, psam, psam_socket)
    finally:
        backend.close()


@pytest.mark.pcscd
def test_tears_through_pcscd(chaos_world: World, readers: Readers) -> None:
    station = open_station(chaos_world.root / "station", chaos_world.keys,
                           chaos_world.cards_dir, chaos_world.specs, [readers.tier()])
    station.use("pcscd", FLEET[0].number)
    rng = random.Random(5)
    report = FamilyReport("tears")
    counts = tears.Counts(station, rng)
    debit, credit = counts.of("purchase")["card"], counts.of("load")["card"]
    for point, how in ((TearPoint("purchase", "card", debit, "after"), "recover"),
                       (TearPoint("purchase", "card", debit, "before"), "next"),
                       (TearPoint("ride", "psam", counts.of("ride")["psam"], "before"), "next"),
                       (TearPoint("load", "card", credit, "after"), "torn")):
        tears.trial(station, point, how, rng, report)  # type: ignore[arg-type]
    tears.upload(chaos_world, station)
    report.verdict = chaos_world.final_check(station.journal.entries())
    assert report.injected["tear card after"] == 2 and report.injected["tear psam before"] == 1
    assert report.verdict.recovered_completed == 2 and report.verdict.recovered_failed == 1
    assert_clean(report)
    station.journal.close()


@pytest.mark.pcscd
def test_kill_9_of_the_card_service_mid_transaction(chaos_world: World,
                                                     readers: Readers) -> None:
    script = [KillPoint("purchase", "card", -1, "after"),   # DEBIT applied, answer to nobody
              KillPoint("ride", "card", -1, "before"),      # pending, DEBIT never sent
              KillPoint("purchase", "psam", -1, "before"),  # debited, MAC2 not yet checked
              KillPoint("load", "card", -1, "after"),       # CREDIT applied
              KillPoint("load", "card", 2, "after"),        # after VERIFY PIN
              KillPoint("purchase", "timer")]
    report = kills.run(chaos_world, readers, trials=len(script), cards=1, script=script)
    assert report.injected["kill boundary mid-transaction"] == 5, describe(report)
    assert report.details["unresolved left by a kill"] >= 3
    assert report.verdict.recovered_completed >= 3
    assert_clean(report)


def test_faults_between_the_uploader_and_clearing(chaos_world: World) -> None:
    station = open_station(chaos_world.root / "station", chaos_world.keys,
                           chaos_world.cards_dir, chaos_world.specs, [memory_tier()])
    report = uploads.run(chaos_world, station, transactions=80, fault_rate=0.25,
                         batch_size=5, schedule=list(uploads.FAULTS))
    assert set(uploads.FAULTS) <= set(report.injected)
    assert report.details["clearing answered duplicate"] > 0
    assert chaos_world.clearing.kills >= 2  # killed mid-request and before a request
    assert_clean(report)
    station.journal.close()


class _CutShortDebit(CardWrapper):
    """A card whose DEBIT answer comes back cut short: the card applied the DEBIT (balance,
    counter, EF18 record written), the terminal gets 4 bytes of data and ``9000``."""

    def transmit(self, apdu: bytes) -> bytes:
        answer = bytes(self.inner.transmit(apdu))
        return answer[:4] + answer[-2:] if apdu[:2] == b"\x80\x54" else answer


def test_a_damaged_answer_to_debit_is_resolved_from_the_card(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.card.inner = _CutShortDebit(rig.card.inner)
    with pytest.raises(CardServiceError):
        rig.terminal.purchase(300)
    rig.insert()  # the card comes back (a new object from its state dir)
    rig.terminal.recover()
    _, balance = rig.terminal.balance()
    assert balance == 9700  # the card did debit 3.00 yuan
    [entry] = rig.journal.entries()
    assert entry.status == "completed", entry.detail  # is: failed, "card refused DEBIT"
    rig.close()


def test_pokes_do_not_defeat_the_uploaders_backoff(tmp_path: Path) -> None:
    requests: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        raise httpx.ConnectError("clearing is down", request=request)

    Journal.open(tmp_path / "journal.sqlite").close()
    client = ClearingClient("http://clearing.test", "token-0123456789",
                            transport=httpx.MockTransport(refuse))
    uploader = Uploader(tmp_path / "journal.sqlite", client, backoff_initial_s=0.5,
                        backoff_max_s=60.0)
    uploader.start()
    try:
        for _ in range(40):  # a busy terminal: a transaction (and a poke) every 50 ms
            time.sleep(0.05)
            uploader.poke()
    finally:
        uploader.stop()
        client.close()
    # backoff 0.5 s (x0.5..1.5 jitter), doubling: at most ~4 attempts in these 2 seconds
    assert len(requests) <= 6, f"{len(requests)} requests to a clearing that is down in 2 s"
