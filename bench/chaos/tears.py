"""Family 1: tears at every APDU boundary of purchase, bus fare (compound) and load.

A trial picks a card, an operation, a device (the user card or the PSAM), a command index of
that operation on that device and a tear point: ``before`` (the command never reaches the card:
nothing applied) or ``after`` (the card applied and persisted it, the answer is lost). The
controls (``ControlledCard.tear``) pull the card (or the PSAM) out of the field at that point.
A third point, ``damaged``, leaves the card in the field but cuts the data of its answer to
that command short (the status word kept): the card applied it, the answer is unusable.
The torn device then comes back, opened anew from its state dir, and the entry is resolved in
one of three ways: ``recover`` (what ``cardsvc recover`` and ``POST /v1/recover`` do), ``next``
(the next transaction on that card resolves it first) or ``torn`` (the recovery itself is torn
at a random command, then ``recover`` again).

Right after each trial the card and the journal must agree: the counters moved exactly as many
times as completed entries were added, by the same amounts, and nothing is unresolved.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bench.chaos.clearing import TOKEN
from bench.chaos.devices import Trip
from bench.chaos.report import FamilyReport, Progress
from bench.chaos.station import OPS, Op, Station, affordable, boundaries, plan
from bench.chaos.world import World
from cardsvc.clearing_client import ClearingClient
from cardsvc.errors import CardServiceError
from cardsvc.uploader import Uploader

Device = Literal["card", "psam"]
Resolution = Literal["recover", "next", "torn"]
RESOLUTIONS: tuple[Resolution, ...] = ("recover", "next", "torn")


@dataclass(frozen=True)
class TearPoint:
    op: Op
    device: Device
    n: int
    when: Trip

    def __str__(self) -> str:
        return f"{self.op} {self.device} #{self.n} {self.when}"


class Counts:
    """Commands per (T=0 card?, operation, device), measured once on a clean run."""

    def __init__(self, station: Station, rng: random.Random) -> None:
        self.station = station
        self.rng = rng
        self._known: dict[tuple[bool, Op], dict[str, int]] = {}

    def of(self, op: Op) -> dict[str, int]:
        key = (self.station.specs[self.station.where.card_no].t0, op)
        if key not in self._known:
            self._known[key] = boundaries(self.station, op, self.rng)
        return self._known[key]

    def points(self, op: Op) -> list[TearPoint]:
        counts = self.of(op)
        return [TearPoint(op, device, n, when)
                for device in ("card", "psam") for n in range(1, counts[device] + 1)
                for when in ("before", "after", "damaged")]


def every_point(counts: Counts) -> Iterator[TearPoint]:
    for op in OPS:
        yield from counts.points(op)


def _completed_ids(station: Station, card_no: str) -> dict[int, tuple[str, int, int]]:
    return {e.id: (e.counter_kind, e.card_atc, e.amount_fen)
            for e in station.journal.entries(card_no=card_no) if e.status == "completed"}


def resolve(station: Station, how: Resolution, rng: random.Random,
             report: FamilyReport) -> None:
    card_no = station.where.card_no
    if how == "torn":
        controls = station.card_controls
        torn_before = controls.tears
        controls.tear(rng.randint(1, 4), rng.choice(("before", "after")))
        with contextlib.suppress(CardServiceError):
            station.recover()
        controls.clear()
        if controls.tears > torn_before:
            report.injected["tear during recovery"] += 1
            station.put_card()
        how = "recover"
    if how == "recover":
        station.recover()
        return
    spec = station.specs[card_no]
    planned = plan(rng, spec, station.truth().balance)
    try:
        station.transact(planned)
    except CardServiceError as exc:
        report.anomaly(f"the next transaction after a tear failed: {planned} {exc!r}")


def trial(station: Station, point: TearPoint, how: Resolution, rng: random.Random,
          report: FamilyReport) -> None:
    card_no = station.where.card_no
    spec = station.specs[card_no]
    before = station.truth()
    done_before = _completed_ids(station, card_no)
    last_id = max((e.id for e in station.journal.entries(card_no=card_no)), default=0)
    planned = plan(rng, spec, before.balance, point.op)
    slot = station.tier.card if point.device == "card" else station.tiers[station.psam_tier].psam
    controls, socket = slot.controls, slot.socket
    assert controls is not None
    torn_before, fired_before, damaged_before = controls.tears, len(socket.fired), socket.damaged
    if point.when == "damaged":
        socket.arm(point.n, "damaged")
    else:
        controls.tear(point.n, point.when)
    try:
        station.transact(planned)
        outcome = "ok"
    except CardServiceError as exc:
        outcome = type(exc).__name__
    controls.clear()
    socket.disarm()
    torn = [e for e in station.journal.entries(card_no=card_no) if e.id > last_id]
    if point.when == "damaged":
        fired = len(socket.fired) > fired_before
        if socket.damaged > damaged_before:
            report.injected[f"damaged {point.device} answer"] += 1
        elif fired:
            report.details["damaged: an answer without data (unchanged)"] += 1
    else:
        fired = controls.tears > torn_before
        if fired:
            report.injected[f"tear {point.device} {point.when}"] += 1
            if point.device == "card":
                station.put_card()
            else:
                station.put_psam()
    if not fired:
        report.anomaly(f"{card_no} {point}: the fault did not happen ({outcome})")
    report.details[f"resolution {how}"] += 1
    resolve(station, how, rng, report)

    unresolved = station.journal.unresolved(card_no)
    if unresolved:
        report.anomaly(f"{card_no} {point} ({how}): {len(unresolved)} entries left unresolved")
    if torn:
        e = station.journal.get(torn[0].id)
        how_ended = "recovered " if (e.detail or "").startswith("recovered") else ""
        report.details[f"torn entry {how_ended}{e.status}"] += 1
    else:
        report.details["torn before the journal entry"] += 1
    after = station.truth()
    added = [v for k, v in _completed_ids(station, card_no).items() if k not in done_before]
    debits = [a for kind, _, a in added if kind == "debit"]
    loads = [a for kind, _, a in added if kind == "load"]
    moved = (after.offline_atc - before.offline_atc, after.online_atc - before.online_atc,
             after.balance - before.balance)
    booked = (len(debits), len(loads), sum(loads) - sum(debits))
    if moved != booked:
        report.anomaly(f"{card_no} {point} ({how}, {outcome}): the card moved "
                       f"(debits, loads, balance) {moved}, the journal booked {booked}")
    atcs = sorted((kind, atc) for kind, atc, _ in added)
    want = sorted([("debit", a) for a in range(before.offline_atc, after.offline_atc)]
                  + [("load", a) for a in range(before.online_atc, after.online_atc)])
    if atcs != want:
        report.anomaly(f"{card_no} {point} ({how}): journal counters {atcs}, card {want}")


def upload(world: World, station: Station) -> None:
    with ClearingClient(world.clearing.url, TOKEN) as client:
        Uploader(station.journal.path, client).upload_once()


def run(world: World, station: Station, *, trials: int | None = None,
        pcscd_share: float = 0.0, late_share: float = 0.5, damaged_share: float = 0.15,
        seed: int = 1,
        upload_every: int = 100, progress: Progress | None = None) -> FamilyReport:
    """``trials=None``: every boundary of the three operations once, in order, on the first
    card that answers T=CL and (card side) on the first T=0 card, all in the memory tier.
    Otherwise that many random trials, ``pcscd_share`` of them through pcscd,
    ``damaged_share`` of them with a damaged answer instead of a tear, and ``late_share`` of
    them at one of the last two commands of the device (the commit command and its answer:
    where the money moves)."""
    rng = random.Random(seed)
    report = FamilyReport("tears")
    started = time.perf_counter()
    counts = Counts(station, rng)
    cards = list(station.specs)
    plans: list[tuple[str, str, TearPoint | None]] = []
    if trials is None:
        plain = next(n for n, s in station.specs.items() if not s.t0)
        t0 = next(n for n, s in station.specs.items() if s.t0)
        plans = [("memory", plain, None), ("memory", t0, None)]
    i = 0
    while True:
        if trials is None:
            if not plans:
                break
            tier, card_no, _ = plans.pop(0)
            station.use(tier, card_no)
            points = list(every_point(counts)) if not station.specs[card_no].t0 else [
                p for p in counts.points("purchase") if p.device == "card"]
            for point in points:
                trial(station, point, RESOLUTIONS[i % 3], rng, report)
                i += 1
            continue
        if i >= trials:
            break
        tier = "pcscd" if "pcscd" in station.tiers and rng.random() < pcscd_share else "memory"
        stay = station.where.tier == tier and rng.random() < 0.7
        station.use(tier, station.where.card_no if stay else rng.choice(cards))
        report.details[f"tier {tier}"] += 1
        points = counts.points(rng.choice(affordable(station.truth().balance)))
        damaged = rng.random() < damaged_share
        points = [p for p in points if (p.when == "damaged") == damaged]
        if rng.random() < late_share:  # the commit command and what follows it, more often
            last = {d: max(p.n for p in points if p.device == d) for d in ("card", "psam")}
            points = [p for p in points if p.n >= last[p.device] - 1]
        point = rng.choice(points)
        trial(station, point, rng.choice(RESOLUTIONS), rng, report)
        i += 1
        report.trials, report.transactions = i, station.transactions
        report.tick(progress, 100)
        if i % upload_every == 0:
            upload(world, station)
    report.trials = i
    upload(world, station)
    report.transactions = station.transactions
    report.verdict = world.final_check(station.journal.entries())
    report.wall_s = time.perf_counter() - started
    return report
