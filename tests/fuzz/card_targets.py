"""Fuzz targets: card answers (R-APDUs) into the purse client and the SAM client.

The real card models (simulators/card, in memory, no state files) answer every command; the
fuzz input chooses an operation and which answers to spoil and how (replaced, cut, a byte
flipped, another status word, data appended, a T=0 ``61xx``/``6Cxx``, no answer at all). The
product's :class:`~cardsvc.terminal.CardTerminal` runs the operation over a real
:class:`~drivers.pcsc.channel.CardChannel` on the in-memory backend, with a real journal.

Properties (any input):

* the only exceptions are the card service's own (:class:`CardServiceError`; for the SAM
  client :class:`SamError`), each of which a CLI prints as one line;
* nothing is written to the journal unless DEBIT or CREDIT was sent to the card (a malformed
  answer before that leaves no trace), and no entry is left ``pending``;
* a SAM answer that passes is well formed (6-byte terminal ID, 4-byte MAC1, TTSN in range).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
from typing import Any

from cardsvc.demo_issuer import demo_issuer_keys, load_demo_data
from cardsvc.errors import CardServiceError
from cardsvc.journal import Journal
from cardsvc.load_authority import InProcessLoadAuthority
from cardsvc.sam import PcscSam, SamError
from cardsvc.terminal import CardTerminal
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card.card import CardImage, VirtualCard
from simulators.card.factory import build_card
from simulators.card.personalise import CardDescription, PsamDescription, personalise_psam
from simulators.card.personalise import personalise_user_card as personalise
from tests.fuzz.source import Source

CARDS = ("4102000000000001", "4102000000000005")  # a 3DES and an SM4 card
OPERATIONS = ("identify", "balance", "history", "purchase", "ride", "load", "block", "recover")
LINES = ("1", "K1", "Y1", "88")
NOW = dt.datetime(2026, 11, 26, 12, 0, 0)
DEBIT, CREDIT = bytes.fromhex("80540100"), bytes.fromhex("80520000")
MAX_MUTATIONS = 4
LAST_COMMAND = 14  # a purchase is 6 card commands, a load with recovery fewer than 14


@functools.cache
def _images() -> dict[str, dict[str, Any]]:
    """The personalised demo cards and PSAM, once per process (as dicts, copied per input)."""
    keys = demo_issuer_keys()
    demo = load_demo_data()
    images = {no: personalise(CardDescription.from_demo(demo.card(no)), keys).as_dict()
              for no in CARDS}
    images["psam"] = personalise_psam(PsamDescription.from_demo(demo.psam), keys).as_dict()
    return images


def _card(name: str, *, t0: bool = False) -> VirtualCard:
    return build_card(CardImage.from_dict(copy.deepcopy(_images()[name])), t0=t0)


def spoil(answer: bytes, kind: int, payload: bytes) -> bytes:
    """``answer`` spoilt one way (``kind`` 0..6) with the fuzzer's ``payload``."""
    data, sw = answer[:-2], answer[-2:]
    first = payload[0] if payload else 0
    if kind == 0:
        return payload  # anything at all, shorter than a status word included
    if kind == 1:
        return data[:first % (len(data) + 1)] + sw
    if kind == 2:
        if not answer:
            return payload
        spoilt = bytearray(answer)
        spoilt[first % len(spoilt)] ^= (payload[1] if len(payload) > 1 else 0) or 0x01
        return bytes(spoilt)
    if kind == 3:
        return data + (payload + b"\x00\x00")[:2]
    if kind == 4:
        return data + payload + sw
    if kind == 5:
        return bytes((0x61 if first & 1 else 0x6C, payload[1] if len(payload) > 1 else 0))
    return b""  # no answer: the card left the field


class SpoilingCard:
    """A card whose answers to chosen commands (by their number) are spoilt."""

    def __init__(self, card: VirtualCard, spoils: dict[int, tuple[int, bytes]]) -> None:
        self._card = card
        self._spoils = spoils
        self.sent: list[bytes] = []

    @property
    def atr(self) -> bytes:
        return self._card.atr

    def power_on(self) -> None:
        self._card.power_on()

    def power_off(self) -> None:
        self._card.power_off()

    def reset(self) -> None:
        self._card.reset()

    def transmit(self, apdu: bytes) -> bytes:
        index = len(self.sent)
        self.sent.append(bytes(apdu))
        answer = bytes(self._card.transmit(apdu))
        if index in self._spoils:
            return spoil(answer, *self._spoils[index])
        return answer

    @property
    def committed(self) -> bool:
        """Whether DEBIT or CREDIT was sent (the card may have moved money)."""
        return any(apdu[:4] in (DEBIT, CREDIT) for apdu in self.sent)


def _spoils(src: Source) -> dict[int, tuple[int, bytes]]:
    return {src.below(LAST_COMMAND): (src.below(7), src.chunk(40))
            for _ in range(src.below(MAX_MUTATIONS) + 1)}


def _run(term: CardTerminal, op: str, src: Source) -> object:
    amount = src.below(20_000) + 1
    if op == "identify":
        return term.identify()
    if op == "balance":
        return term.balance()
    if op == "history":
        return term.history()
    if op == "purchase":
        return term.purchase(amount, ("canteen", "retail")[src.below(2)])
    if op == "ride":
        return term.ride(LINES[src.below(len(LINES))])
    if op == "load":
        return term.load(amount, ("123456", "000000")[src.below(2)])
    if op == "block":
        return term.block()
    return term.recover()


def check_purse(data: bytes) -> None:
    """Spoilt card answers into the purse client, through a whole terminal operation."""
    src = Source(data)
    op = OPERATIONS[src.below(len(OPERATIONS))]
    card_no = CARDS[src.below(len(CARDS))]
    t0 = bool(src.below(2))
    card = SpoilingCard(_card(card_no, t0=t0), _spoils(src))
    backend = MemoryBackend(["card", "sam"])
    backend.insert("card", card)
    backend.insert("sam", _card("psam", t0=True))
    channel = CardChannel.connect(backend, "card", transmit_timeout=None)
    sam = PcscSam(CardChannel.connect(backend, "sam", transmit_timeout=None))
    keys = demo_issuer_keys()
    with Journal.open(":memory:") as journal:
        term = CardTerminal(channel, sam, journal, clock=lambda: NOW,
                            load_authority=InProcessLoadAuthority(keys))
        with contextlib.suppress(CardServiceError):
            _run(term, op, src)
        entries = journal.entries()
        if not card.committed:
            assert entries == [], f"{op}: journalled without DEBIT/CREDIT: {entries}"
        assert all(e.status != "pending" for e in entries), entries


SAM_OPERATIONS = ("terminal_id", "purchase", "maintenance")


def check_sam(data: bytes) -> None:
    """Spoilt PSAM answers into the SAM client (terminal ID, MAC1/MAC2, maintenance MAC)."""
    src = Source(data)
    op = SAM_OPERATIONS[src.below(len(SAM_OPERATIONS))]
    alg = src.below(2)
    psam = SpoilingCard(_card("psam", t0=bool(src.below(2))), _spoils(src))
    backend = MemoryBackend(["sam"])
    backend.insert("sam", psam)
    sam = PcscSam(CardChannel.connect(backend, "sam", transmit_timeout=None))
    from cardsvc.crypto import Alg  # noqa: PLC0415 - keeps the import list of this module short

    algorithm = (Alg.TDES, Alg.SM4)[alg]
    factor = bytes.fromhex(CARDS[alg])
    try:
        if op == "terminal_id":
            assert len(sam.terminal_id()) == 6
        elif op == "purchase":
            ttsn, mac1 = sam.purchase_mac1(src.take(4).ljust(4, b"\0"), src.below(65536),
                                           src.below(100_000) + 1, 0x06, bytes.fromhex("20261126"),
                                           bytes.fromhex("120000"), 1, algorithm, factor)
            assert 0 <= ttsn <= 0xFFFFFFFF and len(mac1) == 4
            sam.verify_mac2(src.take(4).ljust(4, b"\0"))
        else:
            mac = sam.maintenance_mac(factor, src.take(4).ljust(4, b"\0"),
                                      bytes.fromhex("841E000004"), algorithm)
            assert len(mac) == 4
    except SamError:
        pass
