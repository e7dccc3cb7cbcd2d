"""What a terminal needs from its secure module (card-spec 4.4), checked once for every SAM.

The public methods of :class:`Sam` validate their arguments and own the contract; an
implementation overrides the small ``_hooks`` only (as python-can's ``recv`` /
``_recv_internal``). Two implementations: :class:`~cardsvc.sam.pcsc.PcscSam` (a PSAM in a
reader) and :class:`~cardsvc.sam.soft.SoftSam` (keys from a file); both give the same answers.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar, Protocol, Self

from cardsvc.crypto import Alg
from cardsvc.sam.errors import SamInputError, SamProtocolError

__all__ = ["ApduChannel", "ApduResponse", "Connect", "PurchaseRequest", "Sam"]

MAC_LEN = 4


class ApduResponse(Protocol):
    """The part of :class:`drivers.pcsc.apdu.Response` a SAM reads."""

    @property
    def data(self) -> bytes: ...

    @property
    def sw(self) -> int: ...


class ApduChannel(Protocol):
    """The part of :class:`drivers.pcsc.channel.CardChannel` a PSAM client uses.

    The channel handles T=0 ``61xx`` GET RESPONSE and ``6Cxx`` re-issue itself and raises
    :mod:`drivers.pcsc.errors` exceptions.
    """

    def transmit(self, apdu: bytes, *, sensitive: bool = False) -> ApduResponse: ...


Connect = Callable[[str], ApduChannel]
"""How a SAM in a reader gets its channel: ``connect(reader name)``."""


@dataclass(frozen=True, slots=True)
class PurchaseRequest:
    """The inputs of a purchase MAC1, in the order of the PSAM's 8070 command (checked)."""

    random: bytes
    atc: int
    amount: int
    tx_type: int
    date: bytes
    time: bytes
    key_ver: int
    alg: Alg
    card_factor: bytes

    def __post_init__(self) -> None:
        _check_bytes("card random", self.random, 4)
        _check_int("ATC", self.atc, 0xFFFF)
        _check_int("amount", self.amount, 0xFFFFFFFF)
        _check_int("transaction type", self.tx_type, 0xFF)
        _check_bytes("date", self.date, 4)
        _check_bytes("time", self.time, 3)
        _check_int("key version", self.key_ver, 0xFF)
        if not isinstance(self.alg, Alg):
            raise SamInputError("alg must be an Alg")
        _check_bytes("card factor", self.card_factor, 8)

    def to_bytes(self) -> bytes:
        """The 28 data bytes of 8070 (card-spec 4.4)."""
        return (
            self.random
            + self.atc.to_bytes(2, "big")
            + self.amount.to_bytes(4, "big")
            + bytes([self.tx_type])
            + self.date
            + self.time
            + bytes([self.key_ver, self.alg])
            + self.card_factor
        )


def _check_bytes(name: str, value: object, length: int) -> None:
    if not isinstance(value, bytes):
        raise SamInputError(f"{name} must be bytes")
    if len(value) != length:
        raise SamInputError(f"{name} must be {length} bytes, got {len(value)}")


def _check_int(name: str, value: object, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise SamInputError(f"{name} must be an integer 0..{maximum}")


class Sam(ABC):
    """A terminal's secure module: terminal ID, purchase MAC1/MAC2 and maintenance MACs.

    A SAM is used by one thread at a time. It is a context manager (``close`` on exit).
    """

    kind: ClassVar[str] = ""
    """The kind of SAM (its name in :data:`cardsvc.sam.SAMS`): a journal lets only one kind
    use a terminal ID."""

    @classmethod
    @abstractmethod
    def open(cls, target: str, *, state_dir: str | os.PathLike[str],
             connect: Connect | None) -> Sam:
        """The SAM of a spec ``KIND:target`` (see :func:`cardsvc.sam.open_sam`): ``state_dir``
        for what it keeps on disk, ``connect`` for a SAM in a reader."""

    def terminal_id(self) -> bytes:
        """The 6-byte BCD terminal ID the SAM is personalised with."""
        tid = self._terminal_id()
        if len(tid) != 6:
            raise SamProtocolError(f"terminal ID must be 6 bytes, got {len(tid)}")
        return tid

    def purchase_mac1(
        self,
        random: bytes,
        atc: int,
        amount: int,
        tx_type: int,
        date: bytes,
        time: bytes,
        key_ver: int,
        alg: Alg,
        card_factor: bytes,
    ) -> tuple[int, bytes]:
        """Open a purchase session: take the next TTSN and compute MAC1 (PSAM 8070).

        ``random``, ``atc``, ``key_ver`` and ``alg`` are from the card's INIT answer;
        ``card_factor`` is the card number in BCD (EF15 bytes 12..19). Returns
        ``(ttsn, mac1)``; the TTSN is persisted before this returns and never reused.
        """
        request = PurchaseRequest(
            random, atc, amount, tx_type, date, time, key_ver, alg, card_factor
        )
        ttsn, mac1 = self._purchase_mac1(request)
        if not 0 <= ttsn <= 0xFFFFFFFF or len(mac1) != MAC_LEN:
            raise SamProtocolError("purchase MAC1 answer has the wrong shape")
        return ttsn, mac1

    def verify_mac2(self, mac2: bytes) -> None:
        """Check the card's MAC2 against the last purchase session (PSAM 8072).

        Raises :class:`~cardsvc.sam.errors.SamMacError` when it does not match (or there is
        no session).
        """
        _check_bytes("MAC2", mac2, MAC_LEN)
        self._verify_mac2(mac2)

    def maintenance_mac(self, card_factor: bytes, challenge: bytes, data: bytes, alg: Alg) -> bytes:
        """The MAC of APPLICATION BLOCK/UNBLOCK (card-spec 4.5; PSAM 801A + 80FA).

        ``data`` is the command header and Lc, unpadded (``841E000004``); ``challenge`` is the
        card's GET CHALLENGE answer (4 bytes). Returns 4 bytes.
        """
        _check_bytes("card factor", card_factor, 8)
        _check_bytes("challenge", challenge, 4)
        if not isinstance(data, bytes) or not 0 < len(data) <= 200:
            raise SamInputError("maintenance data must be 1..200 bytes")
        if not isinstance(alg, Alg):
            raise SamInputError("alg must be an Alg")
        mac = self._maintenance_mac(card_factor, challenge, data, alg)
        if len(mac) != MAC_LEN:
            raise SamProtocolError(f"maintenance MAC must be 4 bytes, got {len(mac)}")
        return mac

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the SAM (reader connection, locks). Never raises."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- implementation hooks

    @abstractmethod
    def _terminal_id(self) -> bytes: ...

    @abstractmethod
    def _purchase_mac1(self, request: PurchaseRequest) -> tuple[int, bytes]: ...

    @abstractmethod
    def _verify_mac2(self, mac2: bytes) -> None: ...

    @abstractmethod
    def _maintenance_mac(
        self, card_factor: bytes, challenge: bytes, data: bytes, alg: Alg
    ) -> bytes: ...
