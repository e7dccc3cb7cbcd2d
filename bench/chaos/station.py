"""One terminal for the tear and upload families: a PSAM, a journal, a clock and the card fleet,
with the product's :class:`~cardsvc.terminal.CardTerminal` built per operation exactly as the
card service does (new channels, a freshly opened PSAM, the journal).

A station has one or two *tiers*: ``memory`` (a ``MemoryBackend``: fast) and ``pcscd`` (the real
pcscd through vpcd). The PSAM and every card live in their state dirs; whenever one moves to
another reader, or comes back after a tear, a new object is opened from its state dir, as a
real card would show after a power cycle. Only one object per card is in use at any time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from bench.chaos.devices import (
    FLEET,
    PIN,
    CardSpec,
    CardTruth,
    MemorySlot,
    Slot,
    open_card,
    open_terminal_psam,
    read_truth,
)
from cardsvc.journal import Journal
from cardsvc.load_authority import InProcessLoadAuthority
from cardsvc.sam.pcsc import PcscSam
from cardsvc.terminal import CardTerminal, FreeRide, TxResult
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.spi import BackendSpi
from simulators.card.controls import ControlledCard

Op = Literal["purchase", "ride", "load"]
OPS: tuple[Op, ...] = ("purchase", "ride", "load")
START = dt.datetime(2026, 11, 26, 7, 0, 0)
MAX_BALANCE = 99_000  # keep clear of the card's 100000 fen limit (truth reads INIT LOAD 1 fen)
_T = TypeVar("_T")


@dataclass
class Tier:
    name: str
    backend: BackendSpi
    card: Slot
    psam: Slot


@dataclass
class Where:
    tier: str = ""
    card_no: str = ""


@dataclass(frozen=True)
class Planned:
    """One money operation: what to call and with which amount."""

    op: Op
    amount: int
    line: str | None = None

    def run(self, terminal: CardTerminal, pin: str) -> TxResult | FreeRide:
        if self.op == "purchase":
            return terminal.purchase(self.amount)
        if self.op == "ride":
            return terminal.ride(self.line or "1")
        return terminal.load(self.amount, pin)


def affordable(balance: int) -> tuple[Op, ...]:
    """The operations a card with ``balance`` can take (debits leave it at least 1 fen)."""
    ops: tuple[Op, ...] = ("purchase", "ride") if balance >= 300 else ()
    return (*ops, "load") if balance <= MAX_BALANCE - 500 else ops


def plan(rng: random.Random, spec: CardSpec, balance: int, op: Op | None = None) -> Planned:
    """A random operation the card can afford (balance stays in 1..MAX_BALANCE)."""
    if op is None:
        if balance < 3_000:
            op = "load"
        elif balance > MAX_BALANCE - 5_000:
            op = rng.choice(("purchase", "ride"))
        else:
            op = rng.choices(OPS, weights=(4, 4, 2))[0]
    if op == "load":
        room = MAX_BALANCE - balance
        return Planned("load", max(1, min(room, rng.choice((500, 1_000, 5_000, 20_000)))))
    if op == "ride":
        line = rng.choice(("1", "2", "K1"))
        return Planned("ride", 200 if line == "K1" else 100, line)
    return Planned("purchase", rng.randint(1, min(3_000, max(1, balance - 250))))


@dataclass
class Station:
    root: Path
    keys: Path
    cards_dir: Path
    psam_dir: Path
    journal: Journal
    tiers: dict[str, Tier]
    specs: dict[str, CardSpec] = field(default_factory=lambda: {s.number: s for s in FLEET})
    clock_value: dt.datetime = START
    where: Where = field(default_factory=Where)
    psam_tier: str = ""
    transactions: int = 0
    """Money operations attempted (torn ones included)."""

    def __post_init__(self) -> None:
        self.authority = InProcessLoadAuthority.from_key_file(self.keys)

    # -- time ----------------------------------------------------------------------------
    def clock(self) -> dt.datetime:
        return self.clock_value

    def tick(self, seconds: int = 2) -> None:
        self.clock_value += dt.timedelta(seconds=seconds)

    # -- placing the PSAM and the cards --------------------------------------------------
    @property
    def tier(self) -> Tier:
        return self.tiers[self.where.tier]

    def use(self, tier: str, card_no: str) -> None:
        """Make ``card_no`` the card in ``tier``'s reader, with the PSAM in that tier."""
        if self.psam_tier != tier:
            self.put_psam(tier)
        if self.where.tier != tier or self.where.card_no != card_no:
            if self.where.tier and self.where.tier != tier:
                self.tiers[self.where.tier].card.take()
            self.where = Where(tier, card_no)
            self.put_card()

    def put_card(self) -> ControlledCard:
        """(Re)insert the current card, opened anew from its state dir."""
        spec = self.specs[self.where.card_no]
        return self.tier.card.put(open_card(self.cards_dir, spec))

    def put_psam(self, tier: str | None = None) -> ControlledCard:
        tier = tier or self.psam_tier
        if self.psam_tier and self.psam_tier != tier:
            self.tiers[self.psam_tier].psam.take()
        self.psam_tier = tier
        return self.tiers[tier].psam.put(open_terminal_psam(self.psam_dir))

    @property
    def card_controls(self) -> ControlledCard:
        controls = self.tier.card.controls
        assert controls is not None
        return controls

    @property
    def psam_controls(self) -> ControlledCard:
        controls = self.tiers[self.psam_tier].psam.controls
        assert controls is not None
        return controls

    # -- terminals ------------------------------------------------------------------------
    @contextmanager
    def terminal(self) -> Iterator[CardTerminal]:
        """A terminal on the card in the reader, as ``cardsvc`` builds one per operation."""
        tier = self.tier
        with CardChannel.connect(tier.backend, tier.card.reader, timeout=5.0) as card, \
                CardChannel.connect(tier.backend, tier.psam.reader, timeout=5.0) as psam_ch:
            sam = PcscSam(psam_ch)
            yield CardTerminal(card, sam, self.journal, load_authority=self.authority,
                               clock=self.clock)

    def run(self, call: Callable[[CardTerminal], _T]) -> _T:
        with self.terminal() as t:
            return call(t)

    def transact(self, planned: Planned) -> TxResult | FreeRide:
        self.tick()
        self.transactions += 1
        return self.run(lambda t: planned.run(t, PIN))

    def truth(self) -> CardTruth:
        tier = self.tier
        with CardChannel.connect(tier.backend, tier.card.reader, timeout=5.0) as channel:
            return read_truth(channel)

    def recover(self) -> int:
        """``cardsvc recover`` on the card in the reader; the number of entries resolved."""
        return len(self.run(lambda t: t.recover()))


def memory_tier() -> Tier:
    backend = MemoryBackend()
    return Tier("memory", backend, MemorySlot(backend, "Card 00"), MemorySlot(backend, "SAM 01"))


def open_station(root: Path, keys: Path, cards_dir: Path, specs: dict[str, CardSpec],
                 tiers: list[Tier]) -> Station:
    """A station whose journal is ``root/journal.sqlite`` and PSAM state ``root/psam``."""
    journal = Journal.open(root / "journal.sqlite")
    return Station(root, keys, cards_dir, root / "psam", journal, {t.name: t for t in tiers},
                   dict(specs))


def boundaries(station: Station, op: Op, rng: random.Random) -> dict[str, int]:
    """How many commands ``op`` sends to the card and to the PSAM on the current card (one
    clean run, counted by the controls); the run's money is real and journalled."""
    card, psam = station.card_controls, station.psam_controls
    planned = plan(rng, station.specs[station.where.card_no], station.truth().balance, op)
    before = card.commands_total, psam.commands_total
    station.transact(planned)
    return {"card": card.commands_total - before[0], "psam": psam.commands_total - before[1]}
