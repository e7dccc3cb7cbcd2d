"""The load authority (card-spec 5): checks a card's load MAC1 and answers the load MAC2.

Only the holder of MLK can authorise a top-up. The terminal sends the card's INIT FOR LOAD
answer (with its own terminal ID, date and time) and gets MAC2 back for CREDIT FOR LOAD.
:class:`LoadAuthority` is the pluggable interface: :class:`InProcessLoadAuthority` runs from the
issuer key file (the embedded default); the back office implements the same interface over HTTP.

Errors, each in one family of :mod:`cardsvc.errors` (no class has two parents there)::

    CardProtocolError > LoadAuthorityError         the authority failed or answered wrongly
    CardProtocolError > MacError > LoadMac1Error   the card's MAC1 does not verify
    Refusal > LoadDeclined                         the authority refuses the load
                        ├── LoadOverLimit          the balance would pass the maximum
                        └── LoadHotlisted          the card is on the hotlist
    DeviceError > LoadAuthorityUnavailable         the authority cannot be reached
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass

from cardsvc import crypto
from cardsvc.codes import ErrorCode as E
from cardsvc.crypto import Alg, CryptoError
from cardsvc.errors import (
    CardProtocolError,
    DeviceError,
    MacError,
    Refusal,
)
from cardsvc.keys import IssuerKeys, load_issuer_keys
from cardsvc.profile import MAX_BALANCE_FEN

__all__ = [
    "InProcessLoadAuthority",
    "LoadAuthority",
    "LoadAuthorityError",
    "LoadAuthorityUnavailable",
    "LoadDeclined",
    "LoadHotlisted",
    "LoadMac1Error",
    "LoadOverLimit",
    "LoadRequest",
]



class LoadAuthorityError(CardProtocolError, code=E.LOAD_AUTHORITY_FAILED):
    """The authority failed or answered what the protocol does not allow."""


class LoadMac1Error(MacError, code=E.LOAD_MAC1_INVALID):
    """The card's load MAC1 did not verify: not a genuine card, or altered data."""


class LoadDeclined(Refusal, code=E.LOAD_DECLINED):
    """The authority refuses this load (amount, balance limit, policy)."""


class LoadOverLimit(LoadDeclined, code=E.BALANCE_LIMIT):
    """The balance after the load would pass the maximum balance."""


class LoadHotlisted(LoadDeclined, code=E.LOAD_HOTLISTED):
    """The card is on the hotlist: the authority refuses to load it."""


class LoadAuthorityUnavailable(DeviceError, code=E.LOAD_AUTHORITY_UNAVAILABLE):
    """The authority cannot be reached (for remote implementations)."""


@dataclass(frozen=True, slots=True)
class LoadRequest:
    """What a terminal sends to authorise a load (INIT FOR LOAD answer + terminal data)."""

    card_factor: bytes
    alg: Alg
    online_atc: int
    card_random: bytes
    balance_before: int
    amount: int
    terminal_id: bytes
    date: bytes
    time: bytes
    mac1: bytes

    def __post_init__(self) -> None:
        for name, value, size in (
            ("card factor", self.card_factor, 8),
            ("card random", self.card_random, 4),
            ("terminal ID", self.terminal_id, 6),
            ("date", self.date, 4),
            ("time", self.time, 3),
            ("MAC1", self.mac1, 4),
        ):
            if not isinstance(value, bytes) or len(value) != size:
                raise LoadDeclined(f"malformed load request: {name} must be {size} bytes")
        if not isinstance(self.alg, Alg):
            raise LoadDeclined("malformed load request: unknown algorithm")
        for name, number, top in (
            ("online ATC", self.online_atc, 0xFFFF),
            ("balance", self.balance_before, 0xFFFFFFFF),
            ("amount", self.amount, 0xFFFFFFFF),
        ):
            if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= top:
                raise LoadDeclined(f"malformed load request: {name} out of range")
        try:
            crypto.parse_bcd_date(self.date)
            crypto.parse_bcd_time(self.time)
        except CryptoError:
            raise LoadDeclined("malformed load request: date/time is not valid BCD") from None


class LoadAuthority(ABC):
    """Authorises loads: verify the card's MAC1, answer MAC2. Used by one thread at a time."""

    def authorize_load(
        self,
        *,
        card_factor: bytes,
        alg: Alg,
        online_atc: int,
        card_random: bytes,
        balance_before: int,
        amount: int,
        terminal_id: bytes,
        date: bytes,
        time: bytes,
        mac1: bytes,
    ) -> bytes:
        """Return the 4-byte load MAC2 for CREDIT FOR LOAD.

        ``online_atc``, ``card_random``, ``balance_before`` and ``mac1`` are from the card's
        INIT FOR LOAD answer; ``amount`` and ``terminal_id`` are those sent in it; ``date`` and
        ``time`` (BCD) are those the terminal will send in CREDIT FOR LOAD.

        Raises :class:`LoadMac1Error` for a MAC1 that does not verify, :class:`LoadDeclined`
        for a malformed or refused request, :class:`LoadAuthorityUnavailable` when remote and
        unreachable.
        """
        request = LoadRequest(
            card_factor,
            alg,
            online_atc,
            card_random,
            balance_before,
            amount,
            terminal_id,
            date,
            time,
            mac1,
        )
        if amount <= 0:
            raise LoadDeclined(code=E.LOAD_AMOUNT_NOT_POSITIVE)
        mac2 = self._authorize(request)
        if len(mac2) != 4:
            raise LoadAuthorityError(f"the load authority answered a {len(mac2)}-byte MAC2",
                                     code=E.LOAD_BAD_ANSWER)
        return mac2

    @abstractmethod
    def _authorize(self, request: LoadRequest) -> bytes:
        """Check and answer one (already validated) request."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections). Never raises."""


class InProcessLoadAuthority(LoadAuthority):
    """The load authority in this process, from the issuer key file (holds MLK only)."""

    def __init__(self, keys: IssuerKeys, *, max_balance_fen: int = MAX_BALANCE_FEN) -> None:
        """Raises :class:`cardsvc.keys.KeyFileError` when ``keys`` has no MLK."""
        self._mlk = keys.mlk
        self._max_balance = max_balance_fen

    @classmethod
    def from_key_file(
        cls, path: str | os.PathLike[str], *, max_balance_fen: int = MAX_BALANCE_FEN
    ) -> InProcessLoadAuthority:
        """Load the key file (mode 0600; see :mod:`cardsvc.keys`) and keep its MLK."""
        return cls(load_issuer_keys(path), max_balance_fen=max_balance_fen)

    def __repr__(self) -> str:
        return f"InProcessLoadAuthority(max_balance_fen={self._max_balance}, mlk=<hidden>)"

    def _authorize(self, request: LoadRequest) -> bytes:
        alg = request.alg
        dlk = crypto.diversify(alg, self._mlk, request.card_factor)
        seslk = crypto.load_session_key(alg, dlk, request.card_random, request.online_atc)
        expected = crypto.load_mac1(
            alg,
            seslk,
            balance_before=request.balance_before,
            amount=request.amount,
            terminal_id=request.terminal_id,
        )
        if not crypto.macs_equal(expected, request.mac1):
            raise LoadMac1Error("the card's load MAC1 does not verify; nothing was loaded")
        if request.balance_before + request.amount > self._max_balance:
            raise LoadOverLimit(f"the balance would exceed {self._max_balance} fen")
        return crypto.load_mac2(
            alg,
            seslk,
            amount=request.amount,
            terminal_id=request.terminal_id,
            date=request.date,
            time=request.time,
        )
