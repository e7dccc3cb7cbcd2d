"""The e-purse client: sends one command at a time and turns status words into typed errors.

It speaks to anything with ``transmit(apdu, *, sensitive=False) -> Response`` (a
:class:`drivers.pcsc.channel.CardChannel`); reader-layer failures become card-service errors
here, at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    CardBlocked,
    CardProtocolError,
    CardRemovedError,
    CardServiceError,
    DeviceError,
    NoCardPresent,
    ReaderNotFound,
    ServiceDown,
)
from cardsvc.purse import commands as cmd
from cardsvc.records import HolderData, PublicData, PurseRecord, RecordError, TransitRecord
from drivers.pcsc import errors as pcsc
from drivers.pcsc.apdu import Response


class Transmitter(Protocol):
    def transmit(self, apdu: bytes, *, sensitive: bool = False) -> Response: ...


def translate_reader_error(exc: pcsc.PcscError) -> CardServiceError:
    """A reader-layer failure as the card service names it."""
    if isinstance(exc, pcsc.ServiceUnavailable):
        return ServiceDown(f"the PC/SC service is not available: {exc}")
    if isinstance(exc, pcsc.ReaderUnavailable):
        return ReaderNotFound(str(exc))
    if isinstance(exc, pcsc.NoCard):
        return NoCardPresent(str(exc) or "no card in the reader")
    if isinstance(exc, pcsc.CardRemoved | pcsc.TransmitError):
        return CardRemovedError(f"the card stopped answering: {exc}")
    return DeviceError(str(exc))


def find_tlv(data: bytes, tag: int) -> bytes | None:
    """The value of the first BER-TLV ``tag`` (1 or 2 bytes) anywhere inside constructed tags."""
    i = 0
    while i < len(data):
        t = data[i]
        i += 1
        if t & 0x1F == 0x1F:
            if i >= len(data):
                return None
            t = (t << 8) | data[i]
            i += 1
        if i >= len(data):
            return None
        length = data[i]
        i += 1
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[i:i + n], "big")
            i += n
        value = data[i:i + length]
        if len(value) < length:
            return None
        if t == tag:
            return value
        first = t >> 8 if t > 0xFF else t
        if first & 0x20:  # constructed: look inside
            inner = find_tlv(value, tag)
            if inner is not None:
                return inner
        i += length
    return None


@dataclass(frozen=True)
class Selection:
    public: PublicData
    blocked: bool


class PurseClient:
    """Card commands of the city-card application, one method each."""

    def __init__(self, channel: Transmitter) -> None:
        self._channel = channel

    def _send(self, command: cmd.Command, apdu: bytes, *, ok: tuple[int, ...] = ()) -> Response:
        try:
            response = self._channel.transmit(apdu, sensitive=command.sensitive)
        except pcsc.PcscError as exc:
            raise translate_reader_error(exc) from exc
        if response.sw == 0x9000:
            command.check(response.data)
            return response
        if response.sw in ok:
            return response
        raise command.error(response.sw)

    def select(self) -> Selection:
        """SELECT the application; its FCI carries EF15, so no READ BINARY is needed."""
        response = self._send(cmd.SELECT, cmd.select_aid(), ok=(0x6283,))
        ef15 = find_tlv(response.data, 0x9F0C)
        try:
            public = (PublicData.decode(ef15) if ef15 is not None
                      else PublicData.decode(self.read_binary(cmd.SFI_PUBLIC)))
        except RecordError as exc:
            raise CardProtocolError(f"EF15 does not follow the profile: {exc}",
                                    code=ErrorCode.PUBLIC_DATA_INVALID) from exc
        return Selection(public=public, blocked=response.sw == 0x6283)

    def read_binary(self, sfi: int) -> bytes:
        return self._send(cmd.READ_BINARY, cmd.read_binary(sfi)).data

    def holder(self) -> HolderData:
        try:
            return HolderData.decode(self.read_binary(cmd.SFI_HOLDER))
        except RecordError as exc:
            raise CardProtocolError(f"EF16 does not follow the profile: {exc}",
                                    code=ErrorCode.HOLDER_DATA_INVALID) from exc

    def read_record(self, sfi: int, number: int) -> bytes | None:
        """A record, or None when the card has no such record (6A83)."""
        response = self._send(cmd.READ_RECORD, cmd.read_record(sfi, number), ok=(0x6A83,))
        return response.data if response.sw == 0x9000 else None

    def purse_log(self) -> list[PurseRecord]:
        records = []
        for n in range(1, cmd.PURSE_LOG_RECORDS + 1):
            raw = self.read_record(cmd.SFI_PURSE_LOG, n)
            if raw is None or not any(raw):
                break
            try:
                records.append(PurseRecord.decode(raw))
            except RecordError as exc:  # recovery reads this log: a card fault, not a crash
                raise CardProtocolError(
                    f"EF18 record {n} does not follow the profile: {exc}") from exc
        return records

    def transit_log(self) -> list[TransitRecord]:
        records = []
        for n in range(1, cmd.TRANSIT_LOG_RECORDS + 1):
            raw = self.read_record(cmd.SFI_TRANSIT_LOG, n)
            if raw is None or not any(raw):
                break
            try:
                records.append(TransitRecord.decode(raw))
            except RecordError as exc:
                raise CardProtocolError(
                    f"EF1E record {n} does not follow the profile: {exc}") from exc
        return records

    def verify_pin(self, pin: str) -> None:
        self._send(cmd.VERIFY_PIN, cmd.verify_pin(pin))

    def balance(self) -> int:
        return int.from_bytes(self._send(cmd.GET_BALANCE, cmd.get_balance()).data, "big")

    def init_purchase(self, amount: int, terminal_id: bytes, *, compound: bool = False,
                      key_index: int = 1) -> cmd.PurchaseInit:
        command = cmd.INIT_CAPP_PURCHASE if compound else cmd.INIT_PURCHASE
        apdu = cmd.init_purchase(key_index, amount, terminal_id, compound=compound)
        return cmd.PurchaseInit.decode(self._send(command, apdu).data)

    def update_capp_cache(self, record: bytes) -> None:
        self._send(cmd.UPDATE_CAPP_CACHE, cmd.update_capp_cache(record))

    def debit(self, ttsn: int, date: bytes, time: bytes, mac1: bytes) -> tuple[bytes, bytes]:
        """DEBIT FOR PURCHASE; returns (TAC, MAC2)."""
        data = self._send(cmd.DEBIT, cmd.debit(ttsn, date, time, mac1)).data
        return data[0:4], data[4:8]

    def init_load(self, amount: int, terminal_id: bytes, key_index: int = 1) -> cmd.LoadInit:
        return cmd.LoadInit.decode(
            self._send(cmd.INIT_LOAD, cmd.init_load(key_index, amount, terminal_id)).data)

    def credit(self, date: bytes, time: bytes, mac2: bytes) -> bytes:
        """CREDIT FOR LOAD; returns the TAC."""
        return self._send(cmd.CREDIT, cmd.credit(date, time, mac2)).data

    def transaction_prove(self, tx_type: int, atc_after: int) -> tuple[bytes, bytes]:
        """GET TRANSACTION PROVE; returns (MAC2, TAC) of the last transaction of that type."""
        data = self._send(cmd.TRANSACTION_PROVE, cmd.transaction_prove(tx_type, atc_after)).data
        return data[0:4], data[4:8]

    def challenge(self) -> bytes:
        return self._send(cmd.GET_CHALLENGE, cmd.get_challenge()).data

    def block(self, mac: bytes) -> None:
        try:
            self._send(cmd.APP_BLOCK, cmd.app_block(mac))
        except CardBlocked:
            return  # already blocked: the goal is reached
