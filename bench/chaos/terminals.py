"""Family 4: several terminals sharing cards (issue 10 item 7, issue 15).

Each terminal is a :class:`~bench.chaos.station.Station` with its own PSAM (its own terminal ID)
in its own reader and its own journal; the cards go from one terminal to another, as a citizen
goes from the canteen to the bus. A trial:

1. the card is at terminal A; a transaction there is torn (or its answer damaged) at a chosen
   command, card side or PSAM side, as in the tear family; the card itself then says whether it
   applied the transaction (its counters), which is the ground truth for what follows;
2. the card goes to other terminals for ``k`` transactions (none, a few, or more than the ten
   records of its purse log, so that A's counter scrolls out of it). Another terminal takes the
   counter A's torn transaction left unused; sometimes a transaction there is torn too, and left
   for when the card comes back to that terminal;
3. the card comes back to A, which resolves its entry (``cardsvc recover``, the next
   transaction, or a recovery that is itself torn, then ``recover``).

Every torn entry is checked against the ground truth once it is resolved: applied -> completed
(with the card's TAC when it could still prove it; otherwise without a TAC, saying it was
superseded or is undetermined); not applied -> failed, or, only when its counter has scrolled
out of the card's log, completed without a TAC as undetermined (a grey record that clearing
voids against the valid record of that counter). At the end the card visits every terminal that
still has an unresolved entry for it, every journal is uploaded, and the invariants run with
grey records allowed (each one flagged at clearing and settled by the card's reconciliation).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass

from bench.chaos.clearing import TOKEN
from bench.chaos.devices import issue_terminal_psam
from bench.chaos.report import FamilyReport, Progress
from bench.chaos.station import (
    Op,
    Station,
    Where,
    affordable,
    memory_tier,
    open_station,
    plan,
)
from bench.chaos.tears import Counts, Resolution, TearPoint, resolve
from bench.chaos.world import World
from cardsvc.clearing_client import ClearingClient
from cardsvc.errors import CardServiceError
from cardsvc.journal import Entry
from cardsvc.uploader import Uploader

TERMINAL_IDS = tuple(f"4102000000{n:02d}" for n in range(1, 10))
AWAY = (0, 1, 1, 2, 3, 5, 10, 12)
"""How many transactions the card makes elsewhere before it comes back (10+: A's counter is out
of the card's purse log)."""


@dataclass(frozen=True)
class Torn:
    """A torn transaction and what the card says happened."""

    terminal: int
    entry_id: int | None
    applied: bool
    point: str
    elsewhere: bool = False
    """The card made transactions at other terminals before it came back."""


class Network:
    """The terminals, and where each card is (a card is in one reader at a time)."""

    def __init__(self, stations: list[Station]) -> None:
        self.stations = stations
        self.at: dict[str, int] = {}
        self.now = stations[0].clock_value

    def move(self, card_no: str, to: int) -> Station:
        """Put ``card_no`` into terminal ``to``'s reader (anew from its state dir)."""
        came_from = self.at.get(card_no)
        if came_from is not None and came_from != to:
            self.stations[came_from].tier.card.take()
            self.stations[came_from].where = Where()
        for other, where in list(self.at.items()):
            if where == to and other != card_no:
                del self.at[other]  # displaced: that card is out of every reader now
        station = self.stations[to]
        station.where = Where()
        station.use("memory", card_no)
        self.at[card_no] = to
        return self.sync(station)

    def sync(self, station: Station) -> Station:
        """One clock for the whole network: the station is at least at the network's time."""
        self.now = max(self.now, station.clock_value)
        station.clock_value = self.now
        return station

    def after(self, station: Station) -> None:
        self.now = max(self.now, station.clock_value)


def open_network(world: World, terminals: int) -> Network:
    stations = []
    for i in range(terminals):
        root = world.root / f"terminal-{i + 1}"
        issue_terminal_psam(root / "psam", TERMINAL_IDS[i])
        stations.append(open_station(root, world.keys, world.cards_dir, world.specs,
                                     [memory_tier()]))
    return Network(stations)


def tear(station: Station, point: TearPoint, rng: random.Random,
         report: FamilyReport) -> tuple[int | None, bool]:
    """Run a transaction at ``station`` torn at ``point``; (the entry it left, applied?)."""
    card_no = station.where.card_no
    before = station.truth()
    last_id = max((e.id for e in station.journal.entries()), default=0)
    planned = plan(rng, station.specs[card_no], before.balance, point.op)
    slot = station.tier.card if point.device == "card" else station.tiers[station.psam_tier].psam
    assert slot.controls is not None
    torn_before, damaged_before = slot.controls.tears, slot.socket.damaged
    fired_before = len(slot.socket.fired)
    if point.when == "damaged":
        slot.socket.arm(point.n, "damaged")
    else:
        slot.controls.tear(point.n, point.when)
    with contextlib.suppress(CardServiceError):  # the fault shows as an error, or not at all
        station.transact(planned)
    slot.controls.clear()
    slot.socket.disarm()
    if slot.controls.tears > torn_before:
        report.injected[f"tear {point.device} {point.when}"] += 1
    elif slot.socket.damaged > damaged_before:
        report.injected[f"damaged {point.device} answer"] += 1
    elif len(slot.socket.fired) > fired_before:
        report.details["damaged: an answer without data (unchanged)"] += 1
    else:
        report.anomaly(f"{card_no} {point}: the fault did not happen")
    station.put_card()
    if point.device == "psam":
        station.put_psam()
    after = station.truth()
    applied = (after.offline_atc, after.online_atc) != (before.offline_atc, before.online_atc)
    new = [e for e in station.journal.entries(card_no=card_no) if e.id > last_id]
    return (new[0].id if new else None), applied


def judge(torn: Torn, entry: Entry | None, report: FamilyReport) -> None:
    """A resolved torn entry against what the card said happened."""
    if entry is None:
        report.details["torn before the journal entry"] += 1
        if torn.applied:
            report.anomaly(f"{torn.point}: the card applied it but no journal entry exists")
        return
    detail = entry.detail or ""
    grey = entry.status == "completed" and not entry.tac
    kind = ("undetermined" if "undetermined" in detail else "superseded" if "later" in detail
            else "no TAC" if grey else "TAC" if entry.status == "completed" else "failed")
    report.details[f"{'applied' if torn.applied else 'not applied'}"
                   f"{', the card used elsewhere' if torn.elsewhere else ''} -> {entry.status}"
                   f"{'' if kind in ('TAC', 'failed') else f' ({kind})'}"] += 1
    ok = ((torn.applied and entry.status == "completed")
          or (not torn.applied and (entry.status == "failed" or kind == "undetermined")))
    if entry.status in ("pending", "unknown") or not ok:
        report.anomaly(f"{torn.point}: applied {torn.applied}, entry {entry.id} "
                       f"{entry.status} ({detail})")


def points(counts: Counts, op: Op, rng: random.Random) -> list[TearPoint]:
    """Fault points of ``op``: half the time at the user card's commit command (DEBIT or
    CREDIT, its last: where the money moves and another terminal may take the counter), else
    at any command of the card (or, a third of those times, of the PSAM)."""
    card = [p for p in counts.points(op) if p.device == "card"]
    if rng.random() < 0.5:
        last = max(p.n for p in card)
        return [p for p in card if p.n == last]
    return card if rng.random() < 0.7 else [p for p in counts.points(op) if p.device == "psam"]


def trial(net: Network, counts: Counts, rng: random.Random, report: FamilyReport,
          pending: list[Torn]) -> None:
    cards = list(net.stations[0].specs)
    card_no = rng.choice(cards)
    home = rng.randrange(len(net.stations))
    station = net.move(card_no, home)
    counts.station = station
    point = rng.choice(points(counts, rng.choice(affordable(station.truth().balance)), rng))
    entry_id, applied = tear(station, point, rng, report)
    net.after(station)
    away = rng.choice(AWAY)
    mine = Torn(home, entry_id, applied, f"{card_no} at terminal {home + 1}: {point}", away > 0)
    report.details[f"away {away}"] += 1
    for _ in range(away):
        there = rng.choice([i for i in range(len(net.stations)) if i != home])
        other = net.move(card_no, there)
        if rng.random() < 0.1:  # torn there too, left until the card comes back there
            counts.station = other
            point2 = rng.choice(points(counts, rng.choice(affordable(other.truth().balance)),
                                       rng))
            eid, appl = tear(other, point2, rng, report)
            pending.append(Torn(there, eid, appl, f"{card_no} at terminal {there + 1}: {point2}",
                                elsewhere=True))
        else:
            transact(other, rng, report)
        net.after(other)
    station = net.move(card_no, home)
    how: Resolution = rng.choice(("recover", "next", "torn"))
    report.details[f"resolution {how}"] += 1
    resolve(station, how, rng, report)
    net.after(station)
    entry = station.journal.get(entry_id) if entry_id else None
    if entry is not None and entry.status == "unknown" and "waiting" in (entry.detail or ""):
        report.details["waiting for the card's next transaction of its kind"] += 1
        pending.append(mine)
    else:
        judge(mine, entry, report)
    settle(net, pending, report)


def transact(station: Station, rng: random.Random, report: FamilyReport) -> None:
    planned = plan(rng, station.specs[station.where.card_no], station.truth().balance)
    try:
        station.transact(planned)
    except CardServiceError as exc:
        report.anomaly(f"a transaction at terminal {station.psam_dir.parent.name} failed: "
                       f"{planned} {exc!r}")


def settle(net: Network, pending: list[Torn], report: FamilyReport) -> None:
    """Judge the torn entries left elsewhere that have been resolved since."""
    for torn in list(pending):
        journal = net.stations[torn.terminal].journal
        entry = journal.get(torn.entry_id) if torn.entry_id else None
        if entry is None or entry.status not in ("pending", "unknown"):
            judge(torn, entry, report)
            pending.remove(torn)


def sweep(net: Network, rng: random.Random, pending: list[Torn],
          report: FamilyReport) -> None:
    """The end of the day: each card visits every terminal that still has an unresolved entry
    for it, which recovers it. An entry still waiting (the card's log holds nothing of its
    counter's kind) is settled by a transaction of that kind there, then recovered."""
    for i, station in enumerate(net.stations):
        for card_no in sorted({e.card_no for e in station.journal.unresolved()}):
            net.move(card_no, i).recover()
            report.details["final visit"] += 1
            for entry in station.journal.unresolved(card_no):
                op: Op = "load" if entry.counter_kind == "load" else "purchase"
                planned = plan(rng, station.specs[card_no], station.truth().balance, op)
                station.transact(planned)
                station.recover()
                report.details["final visit: a transaction of the waiting entry's kind"] += 1
            net.after(station)
    settle(net, pending, report)
    for torn in pending:
        report.anomaly(f"{torn.point}: still unresolved after the final visit")


def upload_all(world: World, net: Network) -> None:
    with ClearingClient(world.clearing.url, TOKEN) as client:
        for station in net.stations:
            Uploader(station.journal.path, client).upload_once(station.journal)


def run(world: World, *, trials: int, terminals: int = 3, seed: int = 4,
        upload_every: int = 50, progress: Progress | None = None) -> FamilyReport:
    """``trials`` torn transactions, each followed by the card's trip to the other terminals
    and its return; then the final visits, the uploads and the invariants."""
    rng = random.Random(seed)
    report = FamilyReport("terminals")
    started = time.perf_counter()
    net = open_network(world, terminals)
    counts = Counts(net.stations[0], rng)
    for t0 in (False, True):  # the commands of each operation, measured on clean cards first
        card_no = next(n for n, spec in world.specs.items() if spec.t0 is t0)
        net.move(card_no, 0)
        for op in ("purchase", "ride", "load"):
            counts.of(op)
    pending: list[Torn] = []
    try:
        for i in range(trials):
            trial(net, counts, rng, report, pending)
            report.trials = i + 1
            report.transactions = sum(s.transactions for s in net.stations)
            report.tick(progress, 50)
            if (i + 1) % upload_every == 0:
                upload_all(world, net)
        sweep(net, rng, pending, report)
        upload_all(world, net)
        report.transactions = sum(s.transactions for s in net.stations)
        entries = [e for s in net.stations for e in s.journal.entries()]
        report.details.update(Counter(f"terminal {s.psam_dir.parent.name} journal entries"
                                      for s in net.stations for _ in s.journal.entries()))
        report.verdict = world.final_check(entries, grey_allowed=True)
    finally:
        for station in net.stations:
            station.journal.close()
    report.wall_s = time.perf_counter() - started
    return report

