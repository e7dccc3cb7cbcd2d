"""A PSAM in a reader, spoken to with the commands of card-spec 4.4 over a CardChannel.

    SELECT        00A4 0000 02 1001
    terminal ID   00B0 9600 06                                     -> termID(6)
    MAC1          8070 0000 1C random ATC amount type date time keyVer algID cardFactor 08
                                                                   -> TTSN(4) MAC1(4)
    MAC2          8072 0000 04 MAC2                                -> 9000 | 9302
    maintenance   801A 2501 08 cardFactor            (3DES cards: exactly the spec's bytes)
                  801A 2501 09 cardFactor algID      (SM4 cards, profile: algID 04 appended)
                  80FA 0500 Lc IV data 04            -> MAC(4)
                  IV = challenge(4) || zeros, one cipher block: 8 bytes for 3DES, 16 for SM4;
                  data unpadded (the PSAM pads as in 4.3).

The SM4 forms of 801A/80FA are this profile's choice where card-spec 4.4 is silent (it names
only the 3DES form); the virtual PSAM implements the same. The channel does the T=0
``61xx``/``6Cxx`` handling; reader-layer errors become :class:`SamUnavailable`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from cardsvc.crypto import Alg
from cardsvc.sam.base import ApduChannel, ApduResponse, Connect, PurchaseRequest, Sam
from cardsvc.sam.errors import (
    SamInputError,
    SamMacError,
    SamProtocolError,
    SamStatusError,
    SamUnavailable,
)
from drivers.pcsc.errors import PcscError

__all__ = ["PcscSam"]

log = logging.getLogger(__name__)

SELECT_PSAM_DF = bytes.fromhex("00A40000021001")
READ_TERMINAL_ID = bytes.fromhex("00B0960006")
SW_OK = 0x9000
SW_MAC = 0x9302


class PcscSam(Sam):
    """The PSAM behind ``channel`` (selects its DF 1001 on first use, and again after a fault)."""

    kind = "pcsc"

    def __init__(self, channel: ApduChannel, *, on_close: Callable[[], None] | None = None) -> None:
        """``on_close`` is called by :meth:`close` (e.g. the channel's ``disconnect``)."""
        self._channel = channel
        self._on_close = on_close
        self._selected = False
        self._tid: bytes | None = None

    @classmethod
    def open(cls, target: str, *, state_dir: str | os.PathLike[str],
             connect: Connect | None) -> PcscSam:
        """The PSAM in the reader ``target``; if the channel ``connect`` gives has a
        ``disconnect`` method, :meth:`close` calls it."""
        if connect is None:
            raise SamInputError("a PSAM in a reader needs a connect function")
        try:
            channel = connect(target)
        except PcscError as exc:
            raise SamUnavailable(f"cannot connect to the PSAM in {target!r}: {exc}") from exc
        disconnect = getattr(channel, "disconnect", None)
        return cls(channel, on_close=disconnect if callable(disconnect) else None)

    def __repr__(self) -> str:
        tid = self._tid.hex() if self._tid is not None else "?"
        return f"PcscSam(terminal_id={tid!r})"

    # ----------------------------------------------------------------- plumbing

    def _send(self, name: str, apdu: bytes) -> ApduResponse:
        try:
            return self._channel.transmit(apdu)
        except PcscError as exc:
            self._selected = False
            raise SamUnavailable(f"PSAM {name}: {exc}") from exc

    def _command(self, name: str, apdu: bytes, answer_len: int) -> bytes:
        self._ensure_selected()
        response = self._send(name, apdu)
        if response.sw != SW_OK:
            raise SamStatusError(name, response.sw)
        if len(response.data) != answer_len:
            raise SamProtocolError(
                f"PSAM {name}: expected {answer_len} data bytes, got {len(response.data)}"
            )
        return bytes(response.data)

    def _ensure_selected(self) -> None:
        if self._selected:
            return
        response = self._send("SELECT", SELECT_PSAM_DF)
        if response.sw != SW_OK:
            raise SamStatusError("SELECT 1001", response.sw)
        self._selected = True

    # ----------------------------------------------------------------- hooks

    def _terminal_id(self) -> bytes:
        if self._tid is None:
            self._tid = self._command("READ BINARY 16", READ_TERMINAL_ID, 6)
        return self._tid

    def _purchase_mac1(self, request: PurchaseRequest) -> tuple[int, bytes]:
        apdu = bytes.fromhex("807000001C") + request.to_bytes() + b"\x08"
        data = self._command("8070 MAC1", apdu, 8)
        return int.from_bytes(data[:4], "big"), data[4:]

    def _verify_mac2(self, mac2: bytes) -> None:
        self._ensure_selected()
        response = self._send("8072 MAC2", bytes.fromhex("8072000004") + mac2)
        if response.sw == SW_MAC:
            raise SamMacError("MAC2 does not match the last purchase session (PSAM 9302)")
        if response.sw != SW_OK:
            raise SamStatusError("8072 MAC2", response.sw)

    def _maintenance_mac(
        self, card_factor: bytes, challenge: bytes, data: bytes, alg: Alg
    ) -> bytes:
        factor = card_factor if alg is Alg.TDES else card_factor + bytes([alg])
        self._command("801A", bytes([0x80, 0x1A, 0x25, 0x01, len(factor)]) + factor, 0)
        iv = challenge + bytes(alg.block_size - len(challenge))
        body = iv + data
        return self._command("80FA", bytes([0x80, 0xFA, 0x05, 0x00, len(body)]) + body + b"\x04", 4)

    def close(self) -> None:
        """Forget the selection and call ``on_close``; never raises."""
        self._selected = False
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            try:
                on_close()
            except Exception as exc:  # noqa: BLE001 - close never raises
                log.warning("closing the PSAM channel failed: %s", type(exc).__name__)
