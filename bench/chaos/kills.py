"""Family 2: ``kill -9`` of the card service in the middle of transactions.

The real ``cardsvc serve`` runs as a child process through the real pcscd (card and PSAM behind
vpcd bridges in this process), with the uploader on and loads authorised by the clearing
service. The bench asks it for purchases, bus fares and loads over its loopback API, and kills
it with SIGKILL at a chosen moment:

* ``boundary`` kills (most): a tripwire in the card's or the PSAM's socket fires at command
  ``n`` of the operation, before the card gets it or after it applied it, and kills the service
  there (the answer then goes nowhere): a kill at every APDU boundary, the DEBIT/CREDIT
  included;
* ``timed`` kills: SIGKILL after a random delay within the operation's usual duration (so
  also between two APDUs, around the journal writes, during an upload to clearing).

The service is then restarted; half the time the card is taken out and put back after the
restart, half the time it stays in the reader. The restarted service must resolve what was left
unresolved by itself (recovery as the card is seen), before anything else. Sometimes the
recovery itself is killed (at its READ RECORD or GET TRANSACTION PROVE) and the service
restarted once more.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from bench.chaos.devices import (
    CardSpec,
    CardTruth,
    When,
    open_card,
    open_terminal_psam,
    read_truth,
)
from bench.chaos.readers import Readers
from bench.chaos.report import FamilyReport, Progress
from bench.chaos.service import ServiceProcess
from bench.chaos.station import OPS, Op, Planned, affordable, plan
from bench.chaos.world import World
from drivers.pcsc.channel import CardChannel

PIN = "123456"


def request(planned: Planned) -> tuple[str, dict[str, Any]]:
    if planned.op == "purchase":
        return "/v1/card/purchase", {"amount_fen": planned.amount, "kind": "retail"}
    if planned.op == "ride":
        return "/v1/card/ride", {"line": planned.line}
    return "/v1/card/load", {"amount_fen": planned.amount, "pin": PIN}


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: at command ``n`` of ``op`` on ``device`` (``n`` < 0 counts from the last
    command, 0 picks one at random), ``before`` the card gets it or ``after`` it applied it; or
    ``device="timer"``: after a random delay within the operation's usual duration."""

    op: Op
    device: Literal["card", "psam", "timer"]
    n: int = 0
    when: When = "after"


class KillBench:
    def __init__(self, world: World, readers: Readers, rng: random.Random,
                 boundary_share: float = 0.7, late_share: float = 0.5) -> None:
        self.boundary_share = boundary_share
        self.late_share = late_share
        """Share of the boundary kills at one of the device's last two commands (the commit
        command and its answer, or the PSAM's MAC2 check)."""
        self.world = world
        self.readers = readers
        self.rng = rng
        self.svc = ServiceProcess(world.root / "service", readers.env, world.clearing.url)
        self.report = FamilyReport("kills")
        self.card_no = ""
        self.numbers: list[str] = []
        self.counts: dict[tuple[bool, Op], dict[str, int]] = {}
        self.latency: dict[Op, list[float]] = {op: [] for op in OPS}

    # -- cards -----------------------------------------------------------------------------
    @property
    def spec(self) -> CardSpec:
        return self.world.specs[self.card_no]

    def insert(self, card_no: str) -> None:
        """Swap the card in the reader for ``card_no`` (opened anew from its state dir)."""
        self.readers.card.remove()
        self.card_no = card_no
        self.readers.card_socket.inner = open_card(self.world.cards_dir, self.spec)
        self.readers.card.insert()

    def truth(self) -> CardTruth:
        with CardChannel.connect(self.readers.backend, self.readers.card.reader,
                                 timeout=5.0) as channel:
            return read_truth(channel)

    # -- requests --------------------------------------------------------------------------
    def transact(self, planned: Planned) -> httpx.Response:
        path, body = request(planned)
        body = {**body, "client_ref": f"chaos-{uuid.uuid4().hex[:20]}"}  # each a new sale
        self.report.transactions += 1
        started = time.perf_counter()
        response = self.svc.call("POST", path, body)
        self.latency[planned.op].append(time.perf_counter() - started)
        return response

    def clean(self, op: Op | None = None) -> dict[str, int]:
        """One transaction that must succeed; the commands it sent to card and PSAM."""
        planned = plan(self.rng, self.spec, self.truth().balance, op)
        card, psam = self.readers.card_socket, self.readers.psam_socket
        before = card.commands, psam.commands
        response = self.transact(planned)
        if response.status_code != 200:
            self.report.anomaly(f"clean {planned} answered {response.status_code}: "
                                f"{response.text[:200]}")
        return {"card": card.commands - before[0], "psam": psam.commands - before[1]}

    def commands(self, op: Op) -> dict[str, int]:
        key = (self.spec.t0, op)
        if key not in self.counts:
            self.counts[key] = self.clean(op)
        return self.counts[key]

    # -- one trial -------------------------------------------------------------------------
    def trial(self, point: KillPoint | None = None) -> None:
        """A kill at ``point``, or at a random one (``boundary_share`` of them at a boundary)."""
        rng, report, svc = self.rng, self.report, self.svc
        for _ in range(rng.randint(0, 2)):
            self.clean()
        for each in OPS:  # how many commands each operation sends (measured once per card kind)
            self.commands(each)
        before = self.truth()
        done_before = {e.id for e in svc.entries() if e.status == "completed"}
        if point is None:
            op = rng.choice(affordable(before.balance))
            mode = "boundary" if rng.random() < self.boundary_share else "timed"
            point = KillPoint(op, rng.choice(("card", "psam")) if mode == "boundary" else "timer",
                              0, rng.choice(("before", "after")))
        op = point.op
        mode = "timed" if point.device == "timer" else "boundary"
        counts = self.commands(op)
        planned = plan(rng, self.spec, before.balance, op)
        card, psam = self.readers.card_socket, self.readers.psam_socket
        start = card.commands, psam.commands
        killed_at: dict[str, object] = {}

        def kill() -> None:
            killed_at["commands"] = card.commands - start[0] + psam.commands - start[1]
            killed_at["answered"] = answered.is_set()
            svc.kill()

        answered = threading.Event()
        timer: threading.Timer | None = None
        where = ""
        if mode == "boundary":
            socket = card if point.device == "card" else psam
            last = counts[point.device]
            first = 1 if rng.random() >= self.late_share else max(1, last - 1)
            n = point.n if point.n > 0 else last + 1 + point.n if point.n else \
                rng.randint(first, last)
            where = f"{op} {point.device} #{n} of {last} {point.when}"
            socket.arm(n, point.when, kill)
        else:
            median = statistics.median(self.latency[op]) if self.latency[op] else 0.05
            delay = rng.uniform(0.0, median)
            where = f"{op} after {delay * 1000:.1f} ms"
            timer = threading.Timer(delay, kill)
            timer.start()
        with contextlib.suppress(httpx.HTTPError):
            self.transact(planned)
        answered.set()
        if timer is not None:
            timer.join()
        for socket in (card, psam):
            socket.disarm()
        if not killed_at:
            report.anomaly(f"{where}: the operation ended before the kill")
            kill()
        if not killed_at["answered"] and killed_at["commands"]:
            report.injected[f"kill {mode} mid-transaction"] += 1
        elif not killed_at["answered"]:
            report.injected[f"kill {mode} before the first APDU"] += 1
        else:
            report.injected[f"kill {mode} after the answer"] += 1
        self.restart()
        self.check(where, before, done_before)

    def restart(self) -> None:
        """Start the service again (the card in, or out and back in) until nothing is left
        unresolved; sometimes kill its recovery once more."""
        rng, report, svc = self.rng, self.report, self.svc
        left = [e for e in svc.entries() if e.status in ("pending", "unknown")]
        again = bool(left) and rng.random() < 0.3
        if again:
            header = rng.choice((b"\x00\xb2", b"\x80\x5a"))
            self.readers.card_socket.arm(1, rng.choice(("before", "after")), svc.kill,
                                         prefix=header)
        reinsert = rng.random() < 0.5
        other = (not again and bool(left) and len(self.numbers) > 1 and rng.random() < 0.25)
        report.details[f"restart card {'reinserted' if reinsert else 'stayed'}"] += 1
        if other:  # another card comes first: its transaction must not resolve ours
            report.details["restart another card first"] += 1
            mine = self.card_no
            self.insert(rng.choice([n for n in self.numbers if n != mine]))
            svc.start()
            self.clean()
            self.insert(mine)
        else:
            if reinsert:
                self.readers.card.remove()
            svc.start()
            if reinsert:
                self.readers.card.insert()
        resolved = svc.wait_resolved()
        if again:
            if not self.readers.card_socket.disarm():
                report.injected["kill during recovery"] += 1
                svc.start()
                resolved = svc.wait_resolved()
            else:
                report.details["recovery kill not reached"] += 1
        if not resolved:
            report.anomaly(f"{len(svc.unresolved())} entries still unresolved 20 s after the "
                           "restart; POST /v1/recover")
            svc.call("POST", "/v1/recover")
        report.details["unresolved left by a kill"] += len(left)

    def check(self, where: str, before: CardTruth, done_before: set[int]) -> None:
        after = self.truth()
        added = [e for e in self.svc.entries() if e.card_no == self.card_no
                 and e.status == "completed" and e.id not in done_before]
        debits = [e.amount_fen for e in added if e.counter_kind == "debit"]
        loads = [e.amount_fen for e in added if e.counter_kind == "load"]
        moved = (after.offline_atc - before.offline_atc, after.online_atc - before.online_atc,
                 after.balance - before.balance)
        booked = (len(debits), len(loads), sum(loads) - sum(debits))
        if moved != booked:
            self.report.anomaly(f"{self.card_no} {where}: the card moved (debits, loads, "
                                f"balance) {moved}, the journal booked {booked}")


def run(world: World, readers: Readers, *, trials: int, seed: int = 2,
        boundary_share: float = 0.7, cards: int | None = None,
        script: Sequence[KillPoint] = (), progress: Progress | None = None) -> FamilyReport:
    """``trials`` kills (the first at the points of ``script``, the others random); the service
    works on the first ``cards`` cards of the world, ten trials each in turn."""
    rng = random.Random(seed)
    bench = KillBench(world, readers, rng, boundary_share)
    started = time.perf_counter()
    numbers = bench.numbers = list(world.specs)[:cards]
    readers.psam.remove()
    readers.psam_socket.inner = open_terminal_psam(world.psam_dir)
    readers.psam.insert()
    bench.insert(numbers[0])
    bench.svc.start()
    try:
        for i in range(trials):
            if len(numbers) > 1 and i and i % 10 == 0:
                bench.insert(numbers[(i // 10) % len(numbers)])
            bench.trial(script[i] if i < len(script) else None)
            bench.report.trials += 1
            bench.report.tick(progress, 25)
        upload = bench.svc.call("POST", "/v1/upload").json()
        bench.report.details["final upload sent"] += int(upload.get("sent", 0))
        bench.svc.stop()
        bench.report.verdict = world.final_check(bench.svc.entries())
    finally:
        bench.svc.close()
    bench.report.wall_s = time.perf_counter() - started
    return bench.report
