"""Several terminals around one card, in process: each terminal its own virtual PSAM (its own
terminal ID) in its own reader and its own journal; the card in one reader, opened anew from its
state dir whenever it is put back (what a card shows after it left the field).

    hall = Hall(tmp_path)                 # terminals A (410200000001) and B (410200000002)
    hall.at("A").purchase(700)            # the card at terminal A
    hall.card.tear(1, "after", prefix="8054")
    hall.insert()                         # the card comes back (a new object, same state)
    hall.at("B", clock=...).purchase(50)  # then goes to terminal B

The product's own parts only (CardTerminal, Journal, PcscSam over CardChannels, the virtual card
and PSAM with their test controls); no pcscd (see test_recovery_terminals.py for that tier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardsvc.demo_issuer import demo_issuer_keys, install_demo_keys
from cardsvc.journal import Entry, Journal
from cardsvc.load_authority import InProcessLoadAuthority
from cardsvc.purse.client import Transmitter
from cardsvc.sam.pcsc import PcscSam
from cardsvc.terminal import CardTerminal
from drivers.pcsc.apdu import Response
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card import PsamDescription, build_card, open_user_card, personalise_psam
from simulators.card.controls import ControlledCard

CARD_READER = "Card 00"
NOW = dt.datetime(2026, 11, 26, 12, 0, 0)
TERMINAL_IDS = {"A": "410200000001", "B": "410200000002", "C": "410200000003"}


@dataclass
class Lane:
    """One terminal: its PSAM (own terminal ID), its journal and its clock."""

    name: str
    terminal_id: str
    sam: PcscSam
    journal: Journal
    psam: ControlledCard
    clock_value: dt.datetime = NOW

    def tick(self, seconds: int = 1) -> None:
        self.clock_value += dt.timedelta(seconds=seconds)

    def entries(self) -> list[Entry]:
        return self.journal.entries()


@dataclass
class Hall:
    root: Path
    names: tuple[str, ...] = ("A", "B")
    card_no: str = "4102000000000001"
    backend: MemoryBackend = field(default_factory=MemoryBackend)
    lanes: dict[str, Lane] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = install_demo_keys(self.root / "keys" / "issuer_keys.toml")
        self.authority = InProcessLoadAuthority.from_key_file(self.keys)
        self.backend.add_reader(CARD_READER)
        issuer = demo_issuer_keys()
        for name in self.names:
            reader = f"SAM {name}"
            self.backend.add_reader(reader)
            psam = ControlledCard(build_card(
                personalise_psam(PsamDescription(TERMINAL_IDS[name], 1), issuer), t0=True))
            self.backend.insert(reader, psam)
            sam = PcscSam(CardChannel.connect(self.backend, reader))
            journal = Journal.open(self.root / f"journal-{name}.sqlite")
            self.lanes[name] = Lane(name, TERMINAL_IDS[name], sam, journal, psam)
        self.insert()

    def insert(self, card_no: str | None = None) -> ControlledCard:
        """(Re)insert the card, a new object from its state dir; returns its test controls."""
        self.card_no = card_no or self.card_no
        self.card = ControlledCard(open_user_card(self.root / "cards", self.card_no))
        self.backend.remove(CARD_READER)
        self.backend.insert(CARD_READER, self.card)
        self.channel = CardChannel.connect(self.backend, CARD_READER)
        return self.card

    def at(self, name: str, *, channel: Transmitter | None = None,
           journal: Journal | None = None, loads: bool = True) -> CardTerminal:
        """Terminal ``name`` serving the card in the reader (on ``channel`` if given: a wrapper
        around :meth:`connect`; with ``journal`` instead of the lane's own; ``loads=False``: a
        terminal without a load authority)."""
        lane = self.lanes[name]
        return CardTerminal(channel or self.channel, lane.sam, journal or lane.journal,
                            load_authority=self.authority if loads else None,
                            clock=lambda: lane.clock_value)

    def connect(self) -> CardChannel:
        """Another connection to the card in the reader (a second program on it)."""
        return CardChannel.connect(self.backend, CARD_READER)

    def second_session(self, name: str) -> tuple[PcscSam, CardChannel]:
        """A second program at terminal ``name``: its own connections to the card and to the
        same PSAM (same terminal ID)."""
        return PcscSam(CardChannel.connect(self.backend, f"SAM {name}")), self.connect()

    def balance(self) -> int:
        return self.at(self.names[0]).balance()[1]

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.journal.close()


class BeforeDebit:
    """A connection to the card that runs ``action`` once, just before it sends the first DEBIT
    FOR PURCHASE (another program's transaction then happens between this one's INIT and its
    DEBIT, as when two programs share a card and a PSAM)."""

    def __init__(self, inner: Transmitter, action: Callable[[], object]) -> None:
        self.inner = inner
        self.action: Callable[[], object] | None = action

    def transmit(self, apdu: bytes, *, sensitive: bool = False) -> Response:
        if apdu[:2] == b"\x80\x54" and self.action is not None:
            action, self.action = self.action, None
            action()
        return self.inner.transmit(apdu, sensitive=sensitive)
