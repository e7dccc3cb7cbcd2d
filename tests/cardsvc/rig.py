"""An in-process terminal rig: virtual user card (with test controls) and PSAM on a
MemoryBackend, the product's CardTerminal over CardChannels, a journal in a temp dir."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cardsvc.demo_issuer import install_demo_keys
from cardsvc.journal import Journal
from cardsvc.keys import IssuerKeys
from cardsvc.load_authority import InProcessLoadAuthority
from cardsvc.sam.pcsc import PcscSam
from cardsvc.terminal import CardTerminal
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card.controls import ControlledCard
from simulators.card.factory import open_psam, open_user_card

CARD_READER = "Card 00"
SAM_READER = "SAM 01"
NOW = dt.datetime(2026, 11, 26, 12, 0, 0)


@dataclass
class Rig:
    root: Path
    backend: MemoryBackend = field(default_factory=MemoryBackend)
    card_no: str = "4102000000000001"
    t0: bool = False
    clock_value: dt.datetime = NOW

    def __post_init__(self) -> None:
        self.backend.add_reader(CARD_READER)
        self.backend.add_reader(SAM_READER)
        self.keys = install_demo_keys(self.root / "keys" / "issuer_keys.toml")
        self.backend.insert(SAM_READER, open_psam(self.root / "psam"))
        self.sam_channel = CardChannel.connect(self.backend, SAM_READER)
        self.sam = PcscSam(self.sam_channel)
        self.journal = Journal.open(self.root / "journal.sqlite")
        self.insert(self.card_no)

    def insert(self, card_no: str | None = None) -> ControlledCard:
        """(Re)insert a card from its state dir; the terminal is rebuilt on the new channel."""
        self.card_no = card_no or self.card_no
        self.card = ControlledCard(open_user_card(self.root / "cards", self.card_no, t0=self.t0))
        self.backend.remove(CARD_READER)
        self.backend.insert(CARD_READER, self.card)
        self.channel = CardChannel.connect(self.backend, CARD_READER)
        self.terminal = CardTerminal(
            self.channel, self.sam, self.journal,
            load_authority=InProcessLoadAuthority.from_key_file(self.keys),
            clock=lambda: self.clock_value)
        return self.card

    def tick(self, seconds: int = 1) -> None:
        self.clock_value += dt.timedelta(seconds=seconds)

    def close(self) -> None:
        self.journal.close()


PSAM_TERMINAL_ID = bytes.fromhex("410200000001")


def psam_twin(keys: IssuerKeys) -> IssuerKeys:
    """``keys`` with the demo PSAM's terminal ID: for a software SAM whose answers are compared
    byte for byte with the PSAM's (MAC1 covers the terminal ID). Tests only: in use, two SAMs
    never share a terminal ID (the demo key file's software SAM has its own)."""
    return IssuerKeys(mpk=keys.mpk, mlk=keys.mlk, mtk=keys.mtk, mamk=keys.mamk,
                      key_version=keys.key_version, terminal_id=PSAM_TERMINAL_ID,
                      source=keys.source)
