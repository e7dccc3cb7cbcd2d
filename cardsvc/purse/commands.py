"""One entry per card command: how its C-APDU is built, what its answer holds, and what each
status word means (card-spec.md section 3). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cardsvc.codes import ErrorCode
from cardsvc.crypto import Alg
from cardsvc.errors import (
    AmountRefused,
    BalanceLimitExceeded,
    CardBlocked,
    CardProtocolError,
    CardServiceError,
    InsufficientBalance,
    MacError,
    PinBlocked,
    PinMalformed,
    StatusWordError,
    UnknownCard,
    WrongPin,
)

CITY_CARD_AID = bytes.fromhex("A00000000386980701")
SFI_PUBLIC = 0x15
SFI_HOLDER = 0x16
SFI_PURSE_LOG = 0x18
SFI_TRANSIT_LOG = 0x1E
PURSE_LOG_RECORDS = 10
TRANSIT_LOG_RECORDS = 10

ErrorFactory = Callable[[int], CardServiceError]


def _u(value: int, size: int) -> bytes:
    return value.to_bytes(size, "big")


@dataclass(frozen=True)
class Command:
    """A card command: its name (for messages and traces) and its own status words."""

    name: str
    errors: dict[int, ErrorFactory]
    answer_len: int | None = None
    """Exact length of the data on 9000, when the profile fixes it."""
    sensitive: bool = False
    """Data must not appear in the APDU trace (PINs)."""

    def error(self, sw: int) -> CardServiceError:
        factory = self.errors.get(sw)
        if factory is None and sw & 0xFFF0 == 0x63C0 and 0x63C0 in self.errors:
            factory = self.errors[0x63C0]
        if factory is None:
            factory = COMMON_ERRORS.get(sw)
        return factory(sw) if factory else StatusWordError(self.name, sw)

    def check(self, data: bytes) -> bytes:
        if self.answer_len is not None and len(data) != self.answer_len:
            raise CardProtocolError(
                f"{self.name}: expected {self.answer_len} bytes, the card sent {len(data)}",
                code=ErrorCode.CARD_ANSWER_LENGTH, command=self.name)
        return data


def _blocked(_sw: int) -> CardServiceError:
    return CardBlocked("the card's application is blocked")


def _mac(name: str) -> ErrorFactory:
    return lambda _sw: MacError(f"{name}: the card refused the MAC (9302)")


COMMON_ERRORS: dict[int, ErrorFactory] = {
    0x9303: _blocked,
    0x6A82: lambda _sw: UnknownCard(code=ErrorCode.NOT_A_CITY_CARD),
}

SELECT = Command("SELECT", {0x6A82: COMMON_ERRORS[0x6A82]})
READ_BINARY = Command("READ BINARY", {})
READ_RECORD = Command("READ RECORD", {})
VERIFY_PIN = Command("VERIFY PIN", {
    0x63C0: lambda sw: WrongPin(sw & 0x0F) if sw & 0x0F else PinBlocked("the PIN is blocked"),
    0x6983: lambda _sw: PinBlocked("the PIN is blocked"),
}, answer_len=0, sensitive=True)
GET_BALANCE = Command("GET BALANCE", {}, answer_len=4)
_INIT_ERRORS: dict[int, ErrorFactory] = {
    0x9401: lambda _sw: InsufficientBalance(None, 0),
    0x6A80: lambda _sw: AmountRefused(code=ErrorCode.AMOUNT_REFUSED_BY_CARD),
}
INIT_PURCHASE = Command("INIT FOR PURCHASE", _INIT_ERRORS, answer_len=15)
INIT_CAPP_PURCHASE = Command("INIT FOR CAPP PURCHASE", _INIT_ERRORS, answer_len=15)
UPDATE_CAPP_CACHE = Command("UPDATE CAPP DATA CACHE", {}, answer_len=0)
DEBIT = Command("DEBIT FOR PURCHASE", {0x9302: _mac("DEBIT FOR PURCHASE")}, answer_len=8)
INIT_LOAD = Command("INIT FOR LOAD", {
    0x6A80: lambda _sw: BalanceLimitExceeded(code=ErrorCode.CARD_BALANCE_LIMIT),
    0x6982: lambda _sw: StatusWordError("INIT FOR LOAD (PIN not verified)", 0x6982),
}, answer_len=16)
CREDIT = Command("CREDIT FOR LOAD", {0x9302: _mac("CREDIT FOR LOAD")}, answer_len=4)
TRANSACTION_PROVE = Command("GET TRANSACTION PROVE", {
    0x9406: lambda _sw: MacError("no such transaction on the card (9406)",
                                 code=ErrorCode.NO_SUCH_TRANSACTION),
}, answer_len=8)
GET_CHALLENGE = Command("GET CHALLENGE", {}, answer_len=4)
APP_BLOCK = Command("APPLICATION BLOCK", {0x9302: _mac("APPLICATION BLOCK")}, answer_len=0)


def select_aid(aid: bytes = CITY_CARD_AID) -> bytes:
    return bytes((0x00, 0xA4, 0x04, 0x00, len(aid))) + aid


def read_binary(sfi: int) -> bytes:
    return bytes((0x00, 0xB0, 0x80 | sfi, 0x00, 0x00))


def read_record(sfi: int, record: int) -> bytes:
    return bytes((0x00, 0xB2, record, (sfi << 3) | 4, 0x00))


def is_pin(pin: str) -> bool:
    """A PIN is 4 to 12 ASCII digits, an even number of them (BCD in VERIFY)."""
    return pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12 and not len(pin) % 2


def verify_pin(pin: str) -> bytes:
    if not is_pin(pin):
        raise PinMalformed()
    data = bytes.fromhex(pin)
    return bytes((0x00, 0x20, 0x00, 0x00, len(data))) + data


def get_balance() -> bytes:
    return bytes.fromhex("805C000204")


def init_purchase(key_index: int, amount: int, terminal_id: bytes, *, compound: bool) -> bytes:
    p1 = 0x03 if compound else 0x01
    data = bytes((key_index,)) + _u(amount, 4) + terminal_id
    return bytes((0x80, 0x50, p1, 0x02, len(data))) + data + b"\x0f"


def update_capp_cache(record: bytes) -> bytes:
    if len(record) != 48:
        raise ValueError("an EF1E record is 48 bytes")
    return bytes((0x80, 0xDC, 0x00, 0xF0, 0x30)) + record


def debit(ttsn: int, date: bytes, time: bytes, mac1: bytes) -> bytes:
    data = _u(ttsn, 4) + date + time + mac1
    return bytes((0x80, 0x54, 0x01, 0x00, len(data))) + data + b"\x08"


def init_load(key_index: int, amount: int, terminal_id: bytes) -> bytes:
    data = bytes((key_index,)) + _u(amount, 4) + terminal_id
    return bytes((0x80, 0x50, 0x00, 0x02, len(data))) + data + b"\x10"


def credit(date: bytes, time: bytes, mac2: bytes) -> bytes:
    data = date + time + mac2
    return bytes((0x80, 0x52, 0x00, 0x00, len(data))) + data + b"\x04"


def transaction_prove(tx_type: int, atc_after: int) -> bytes:
    return bytes((0x80, 0x5A, 0x00, tx_type, 0x02)) + _u(atc_after, 2) + b"\x08"


def get_challenge() -> bytes:
    return bytes.fromhex("0084000004")


APP_BLOCK_HEADER = bytes.fromhex("841E000004")


def app_block(mac: bytes) -> bytes:
    return APP_BLOCK_HEADER + mac


@dataclass(frozen=True)
class PurchaseInit:
    """What INIT FOR (CAPP) PURCHASE answers."""

    balance: int
    offline_atc: int
    overdraft: int
    key_version: int
    alg_id: int
    random: bytes

    @classmethod
    def decode(cls, data: bytes) -> PurchaseInit:
        return cls(int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:6], "big"),
                   int.from_bytes(data[6:9], "big"), data[9], _alg_id("INIT", data[10]),
                   data[11:15])


@dataclass(frozen=True)
class LoadInit:
    """What INIT FOR LOAD answers."""

    balance: int
    online_atc: int
    key_version: int
    alg_id: int
    random: bytes
    mac1: bytes

    @classmethod
    def decode(cls, data: bytes) -> LoadInit:
        return cls(int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:6], "big"),
                   data[6], _alg_id("INIT FOR LOAD", data[7]), data[8:12], data[12:16])


def _alg_id(command: str, value: int) -> int:
    """The algorithm ID of an INIT answer, if it is one the profile knows (00 3DES, 04 SM4)."""
    if value not in {alg.value for alg in Alg}:
        raise CardProtocolError(f"{command}: the card answered algorithm ID {value:02X}, "
                                "which the profile does not know")
    return value
