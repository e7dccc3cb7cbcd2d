"""A card that produces upload records with real TACs (the card side, for the tests).

It uses the issuer MTK of card-spec section 7 and :mod:`cardsvc.crypto`; the vector tests
(section 8 TACs typed in literally) check that both sides follow the spec, not each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.keys import IssuerKeys

MPK = bytes.fromhex("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
MLK = bytes.fromhex("5A6B7C8D9EAFB0C1D2E3F40516273849")
MTK = bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
MAMK = bytes.fromhex("C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8")
TERMINAL = "410200000001"
DAY = dt.date(2026, 11, 26)


def demo_keys() -> IssuerKeys:
    return IssuerKeys(mpk=MPK, mlk=MLK, mtk=MTK, mamk=MAMK, key_version=1)


def at(hh: int, mm: int = 0, ss: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm, ss))


@dataclass
class Card:
    card_no: str
    alg: str = "3des"
    balance: int = 10_000
    offline_atc: int = 0
    online_atc: int = 0

    @property
    def _alg(self) -> Alg:
        return Alg.TDES if self.alg == "3des" else Alg.SM4

    def _dtk(self) -> bytes:
        return crypto.diversify(self._alg, MTK, crypto.to_bcd(self.card_no, 8))

    def purchase(self, amount: int, *, ttsn: int, when: dt.datetime, terminal: str = TERMINAL,
                 compound: bool = False, hotlist_version: int = 0) -> dict[str, Any]:
        date, time = crypto.bcd_datetime(when)
        tac = crypto.purchase_tac(self._alg, self._dtk(), amount=amount,
                                  tx_type=0x09 if compound else 0x06,
                                  terminal_id=crypto.to_bcd(terminal, 6), ttsn=ttsn,
                                  date=date, time=time)
        self.balance -= amount
        record = {"card_no": self.card_no, "card_atc": self.offline_atc,
                  "terminal_id": terminal, "ttsn": ttsn,
                  "type": "compound" if compound else "purchase", "amount_fen": amount,
                  "balance_after_fen": self.balance, "date_time": when.isoformat(),
                  "tac": tac.hex().upper(), "alg": self.alg, "hotlist_version": hotlist_version}
        self.offline_atc += 1
        return record

    def load(self, amount: int, *, ttsn: int, when: dt.datetime, terminal: str = TERMINAL,
             hotlist_version: int = 0) -> dict[str, Any]:
        date, time = crypto.bcd_datetime(when)
        self.balance += amount
        tac = crypto.load_tac(self._alg, self._dtk(), new_balance=self.balance,
                              online_atc=self.online_atc, amount=amount,
                              terminal_id=crypto.to_bcd(terminal, 6), date=date, time=time)
        record = {"card_no": self.card_no, "card_atc": self.online_atc,
                  "terminal_id": terminal, "ttsn": ttsn, "type": "load", "amount_fen": amount,
                  "balance_after_fen": self.balance, "date_time": when.isoformat(),
                  "tac": tac.hex().upper(), "alg": self.alg, "hotlist_version": hotlist_version}
        self.online_atc += 1
        return record


def flip_tac_byte(record: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """The record with one byte of its TAC altered."""
    tac = bytearray(bytes.fromhex(record["tac"]))
    tac[index] ^= 0x01
    return {**record, "tac": tac.hex().upper()}
