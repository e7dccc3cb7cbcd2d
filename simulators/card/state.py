"""Persistent states of the two applications (the e-purse and the PSAM), JSON-able.

Kept apart from the command logic so that personalisation can build a state without the
application classes. Keys are stored diversified on the user card (never the issuer master
keys); the PSAM holds MPK and MAMK, as a real PSAM does. The state file is mode 0600.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from cardsvc.profile import MAX_BALANCE_FEN

"""Maximum purse balance (1000 yuan, card-spec 3, profile)."""
PIN_MAX_TRIES = 3


@dataclass(frozen=True)
class Prove:
    """What GET TRANSACTION PROVE answers for the last transaction of one type (immutable)."""

    atc: int
    """The counter after the transaction (INIT's counter + 1)."""
    mac2: bytes
    tac: bytes

    def as_dict(self) -> dict[str, Any]:
        return {"atc": self.atc, "mac2": self.mac2.hex().upper(), "tac": self.tac.hex().upper()}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Prove:
        return cls(int(doc["atc"]), bytes.fromhex(doc["mac2"]), bytes.fromhex(doc["tac"]))


@dataclass
class PurseState:
    alg_id: int
    key_version: int
    dpk: bytes = field(repr=False)
    dlk: bytes = field(repr=False)
    dtk: bytes = field(repr=False)
    damk: bytes = field(repr=False)
    pin: str = field(repr=False)
    balance: int = 0
    offline_atc: int = 0
    online_atc: int = 0
    overdraft_limit: int = 0
    pin_tries_left: int = PIN_MAX_TRIES
    pin_max_tries: int = PIN_MAX_TRIES
    blocked: bool = False
    max_balance: int = MAX_BALANCE_FEN
    proves: dict[int, Prove] = field(default_factory=dict)
    """Last transaction per type (02 load, 06 purchase, 09 compound purchase)."""

    def copy(self) -> PurseState:
        """An independent copy (the fields are immutable values, ``proves`` a new dict)."""
        clone = copy.copy(self)
        clone.proves = dict(self.proves)
        return clone

    def as_dict(self) -> dict[str, Any]:
        return {
            "alg_id": self.alg_id,
            "key_version": self.key_version,
            "dpk": self.dpk.hex().upper(),
            "dlk": self.dlk.hex().upper(),
            "dtk": self.dtk.hex().upper(),
            "damk": self.damk.hex().upper(),
            "pin": self.pin,
            "balance": self.balance,
            "offline_atc": self.offline_atc,
            "online_atc": self.online_atc,
            "overdraft_limit": self.overdraft_limit,
            "pin_tries_left": self.pin_tries_left,
            "pin_max_tries": self.pin_max_tries,
            "blocked": self.blocked,
            "max_balance": self.max_balance,
            "proves": {f"{t:02X}": p.as_dict() for t, p in self.proves.items()},
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> PurseState:
        return cls(
            alg_id=int(doc["alg_id"]),
            key_version=int(doc["key_version"]),
            dpk=bytes.fromhex(doc["dpk"]),
            dlk=bytes.fromhex(doc["dlk"]),
            dtk=bytes.fromhex(doc["dtk"]),
            damk=bytes.fromhex(doc["damk"]),
            pin=str(doc["pin"]),
            balance=int(doc["balance"]),
            offline_atc=int(doc["offline_atc"]),
            online_atc=int(doc["online_atc"]),
            overdraft_limit=int(doc["overdraft_limit"]),
            pin_tries_left=int(doc["pin_tries_left"]),
            pin_max_tries=int(doc["pin_max_tries"]),
            blocked=bool(doc["blocked"]),
            max_balance=int(doc["max_balance"]),
            proves={int(t, 16): Prove.from_dict(p) for t, p in doc.get("proves", {}).items()},
        )


@dataclass
class PsamState:
    key_version: int
    mpk: bytes = field(repr=False)
    mamk: bytes = field(repr=False)
    ttsn: int = 1
    """The next TTSN to hand out (only grows; persisted before 8070 answers)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key_version": self.key_version,
            "mpk": self.mpk.hex().upper(),
            "mamk": self.mamk.hex().upper(),
            "ttsn": self.ttsn,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> PsamState:
        return cls(
            int(doc["key_version"]),
            bytes.fromhex(doc["mpk"]),
            bytes.fromhex(doc["mamk"]),
            int(doc["ttsn"]),
        )
