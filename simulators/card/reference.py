"""A spec-literal terminal for tests, demos and benches: runs transactions on a SimulatedCard.

Not product code (``cardsvc`` is the terminal): it holds the issuer keys itself, like a software
SAM plus a load authority, and builds every APDU from card-spec.md section 3 so that tests can
drive the virtual card in-process. It handles the T=0 answers (``61xx``, ``6Cxx``) itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.keys import IssuerKeys
from drivers.pcsc.spi import SimulatedCard

SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")


class CardStatus(Exception):
    """The card answered a status word other than ``9000``."""

    def __init__(self, command: str, sw: int) -> None:
        super().__init__(f"{command}: {sw:04X}")
        self.command = command
        self.sw = sw


def exchange(card: SimulatedCard, apdu: bytes) -> tuple[bytes, int]:
    """Send one command; follow ``61xx`` with GET RESPONSE and ``6Cxx`` with a re-issue."""
    raw = card.transmit(apdu)
    data, sw1, sw2 = raw[:-2], raw[-2], raw[-1]
    if sw1 == 0x6C:
        raw = card.transmit(apdu[:-1] + bytes((sw2,)))
        data, sw1, sw2 = raw[:-2], raw[-2], raw[-1]
    while sw1 == 0x61:
        raw = card.transmit(bytes((0x00, 0xC0, 0x00, 0x00, sw2)))
        data, sw1, sw2 = data + raw[:-2], raw[-2], raw[-1]
    return data, (sw1 << 8) | sw2


def call(card: SimulatedCard, name: str, apdu: bytes) -> bytes:
    """:func:`exchange` that raises :class:`CardStatus` unless the answer is ``9000``."""
    data, sw = exchange(card, apdu)
    if sw != 0x9000:
        raise CardStatus(name, sw)
    return data


@dataclass(frozen=True)
class Receipt:
    """What a finished purchase or load left behind."""

    tx_type: int
    amount: int
    atc: int
    """The counter INIT returned (the EF18 record's ATC)."""
    balance_before: int
    tac: bytes
    mac2: bytes
    ttsn: int = 0


class ReferenceTerminal:
    """Purchase, compound purchase and load against one card with the issuer keys."""

    def __init__(
        self,
        card: SimulatedCard,
        keys: IssuerKeys,
        *,
        terminal_id: str = "410200000001",
        ttsn: int = 1,
    ) -> None:
        self.card = card
        self.keys = keys
        self.terminal_id = crypto.to_bcd(terminal_id, 6)
        self.ttsn = ttsn

    def select(self) -> bytes:
        return call(self.card, "SELECT", SELECT_ADF)

    def balance(self) -> int:
        return int.from_bytes(call(self.card, "GET BALANCE", bytes.fromhex("805C000204")), "big")

    def card_factor(self) -> bytes:
        ef15 = call(self.card, "READ BINARY", bytes.fromhex("00B0950000"))
        return ef15[12:20]

    def purchase(
        self, amount: int, when: dt.datetime, *, transit_record: bytes | None = None
    ) -> Receipt:
        """INIT (CAPP when ``transit_record``), [UPDATE CAPP DATA CACHE], DEBIT; checks MAC2."""
        factor = self.card_factor()
        p1 = 0x03 if transit_record is not None else 0x01
        tx_type = crypto.TX_COMPOUND_PURCHASE if transit_record else crypto.TX_PURCHASE
        init = call(
            self.card,
            "INIT FOR PURCHASE",
            bytes((0x80, 0x50, p1, 0x02, 0x0B, 0x01))
            + amount.to_bytes(4, "big")
            + self.terminal_id
            + b"\x0f",
        )
        balance, atc = int.from_bytes(init[0:4], "big"), int.from_bytes(init[4:6], "big")
        alg, random = Alg.from_id(init[10]), init[11:15]
        if transit_record is not None:
            call(self.card, "UPDATE CAPP DATA CACHE", bytes.fromhex("80DC00F030") + transit_record)
        ttsn, self.ttsn = self.ttsn, self.ttsn + 1
        dpk = crypto.diversify(alg, self.keys.mpk, factor)
        sespk = crypto.purchase_session_key(alg, dpk, random, atc, ttsn)
        date, time = crypto.bcd_datetime(when)
        mac1 = crypto.purchase_mac1(
            alg,
            sespk,
            amount=amount,
            tx_type=tx_type,
            terminal_id=self.terminal_id,
            date=date,
            time=time,
        )
        answer = call(
            self.card,
            "DEBIT FOR PURCHASE",
            bytes.fromhex("805401000F") + ttsn.to_bytes(4, "big") + date + time + mac1 + b"\x08",
        )
        tac, mac2 = answer[:4], answer[4:8]
        if not crypto.macs_equal(mac2, crypto.purchase_mac2(alg, sespk, amount=amount)):
            raise CardStatus("DEBIT FOR PURCHASE (MAC2 check)", 0x9302)
        return Receipt(tx_type, amount, atc, balance, tac, mac2, ttsn)

    def verify_pin(self, pin: str) -> None:
        pin_bcd = bytes.fromhex(pin)
        call(self.card, "VERIFY", bytes((0x00, 0x20, 0x00, 0x00, len(pin_bcd))) + pin_bcd)

    def load(self, amount: int, when: dt.datetime, pin: str | None = "123456") -> Receipt:
        """[VERIFY PIN], INIT FOR LOAD (checks MAC1), CREDIT FOR LOAD with the host's MAC2."""
        factor = self.card_factor()
        if pin is not None:
            self.verify_pin(pin)
        init = call(
            self.card,
            "INIT FOR LOAD",
            bytes.fromhex("805000020B01") + amount.to_bytes(4, "big") + self.terminal_id + b"\x10",
        )
        balance, atc = int.from_bytes(init[0:4], "big"), int.from_bytes(init[4:6], "big")
        alg, random, mac1 = Alg.from_id(init[7]), init[8:12], init[12:16]
        dlk = crypto.diversify(alg, self.keys.mlk, factor)
        seslk = crypto.load_session_key(alg, dlk, random, atc)
        expected = crypto.load_mac1(
            alg, seslk, balance_before=balance, amount=amount, terminal_id=self.terminal_id
        )
        if not crypto.macs_equal(mac1, expected):
            raise CardStatus("INIT FOR LOAD (MAC1 check)", 0x9302)
        date, time = crypto.bcd_datetime(when)
        mac2 = crypto.load_mac2(
            alg, seslk, amount=amount, terminal_id=self.terminal_id, date=date, time=time
        )
        tac = call(
            self.card, "CREDIT FOR LOAD", bytes.fromhex("805200000B") + date + time + mac2 + b"\x04"
        )
        return Receipt(crypto.TX_LOAD, amount, atc, balance, tac, mac2)

    def maintenance(self, block: bool, alg: Alg = Alg.TDES) -> None:
        """GET CHALLENGE, then APPLICATION BLOCK (or UNBLOCK) with the 4.5 MAC."""
        factor = self.card_factor()
        challenge = call(self.card, "GET CHALLENGE", bytes.fromhex("0084000004"))
        header = bytes.fromhex("841E000004" if block else "8418000004")
        damk = crypto.diversify(alg, self.keys.mamk, factor)
        mac = crypto.maintenance_mac(alg, damk, challenge, header)
        call(self.card, "APPLICATION BLOCK" if block else "APPLICATION UNBLOCK", header + mac)
