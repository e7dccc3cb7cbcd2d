"""The card service's exception tree.

Every failure a caller of :mod:`cardsvc` sees is one of these. Each carries a stable ``code``
(:class:`cardsvc.codes.ErrorCode`: what exactly happened, for programs) and the ``params`` of
its message; ``str(exc)`` is the English with the particulars (for logs and technicians). The
words for people, Chinese and English, are :data:`cardsvc.messages.MESSAGES` of the code; exit
codes and HTTP statuses are chosen by each program at its edge from the class (the family).
Reader-layer and SAM-layer errors are translated at the boundary (``raise ... from exc``). No
message ever carries key material or a PIN.

    CardServiceError
    ├── DeviceError            pcscd, reader, card presence
    │   ├── ServiceDown
    │   ├── ReaderNotFound
    │   ├── NoCardPresent
    │   ├── CardRemovedError   the card left during an exchange (the transaction may be torn)
    │   └── SamUnavailableError
    ├── CardProtocolError      the card answered something the profile does not allow
    │   ├── StatusWordError    an unexpected status word, with the command's name
    │   └── MacError           a MAC1/MAC2 did not verify
    ├── Refusal                a business refusal: nothing was taken
    │   ├── UnknownCard, CardBlocked, CardExpired, CardNotYetValid, CardHotlisted
    │   ├── WrongPin (tries_left), PinBlocked
    │   ├── InsufficientBalance, BalanceLimitExceeded
    │   └── AmountRefused      zero/negative, over the per-transaction limit, not whole fen
    └── ServiceConfigError     missing or malformed configuration

    raise AmountRefused("over the limit", code=ErrorCode.AMOUNT_OVER_LIMIT, limit="1000.00")
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from cardsvc.codes import ErrorCode
from cardsvc.messages import MESSAGES
from cardsvc.money import format_fen


class CardServiceError(Exception):
    """``message``: the English particulars (default: the catalogue's English of the code);
    ``code``: overrides the class's code; ``params``: the message's fields."""

    default_code: ClassVar[ErrorCode] = ErrorCode.FAILED

    def __init__(self, message: str | None = None, *, code: ErrorCode | None = None,
                 **params: Any) -> None:
        self.code: ErrorCode = code or self.default_code
        self.params: dict[str, Any] = params
        super().__init__(MESSAGES.en(self.code, **params) if message is None else message)


class DeviceError(CardServiceError):
    default_code = ErrorCode.DEVICE_UNAVAILABLE


class ServiceDown(DeviceError):
    default_code = ErrorCode.PCSC_UNAVAILABLE


class ReaderNotFound(DeviceError):
    default_code = ErrorCode.READER_NOT_FOUND


class NoCardPresent(DeviceError):
    default_code = ErrorCode.NO_CARD


class CardRemovedError(DeviceError):
    default_code = ErrorCode.CARD_REMOVED


class SamUnavailableError(DeviceError):
    default_code = ErrorCode.SAM_UNAVAILABLE


class CardProtocolError(CardServiceError):
    default_code = ErrorCode.CARD_PROTOCOL


class StatusWordError(CardProtocolError):
    def __init__(self, command: str, sw: int) -> None:
        super().__init__(code=ErrorCode.STATUS_WORD, command=command, sw=f"{sw:04X}")
        self.command = command
        self.sw = sw


class MacError(CardProtocolError):
    default_code = ErrorCode.MAC_INVALID


class Refusal(CardServiceError):
    default_code = ErrorCode.REFUSED


class UnknownCard(Refusal):
    default_code = ErrorCode.UNKNOWN_CARD


class CardBlocked(Refusal):
    default_code = ErrorCode.CARD_BLOCKED


class CardExpired(Refusal):
    def __init__(self, expiry: dt.date) -> None:
        super().__init__(code=ErrorCode.CARD_EXPIRED, expiry=expiry.isoformat())
        self.expiry = expiry


class CardNotYetValid(Refusal):
    def __init__(self, start: dt.date) -> None:
        super().__init__(code=ErrorCode.CARD_NOT_YET_VALID, start=start.isoformat())
        self.start = start


class CardHotlisted(Refusal):
    default_code = ErrorCode.CARD_HOTLISTED


class WrongPin(Refusal):
    def __init__(self, tries_left: int) -> None:
        super().__init__(code=ErrorCode.WRONG_PIN, tries_left=tries_left)
        self.tries_left = tries_left


class PinBlocked(Refusal):
    default_code = ErrorCode.PIN_BLOCKED


class InsufficientBalance(Refusal):
    def __init__(self, balance_fen: int | None, amount_fen: int) -> None:
        super().__init__(code=ErrorCode.INSUFFICIENT_BALANCE, amount=format_fen(amount_fen),
                         balance=None if balance_fen is None else format_fen(balance_fen))
        self.balance_fen = balance_fen
        self.amount_fen = amount_fen


class BalanceLimitExceeded(Refusal):
    default_code = ErrorCode.BALANCE_LIMIT


class AmountRefused(Refusal):
    default_code = ErrorCode.AMOUNT_INVALID


class ServiceConfigError(CardServiceError):
    default_code = ErrorCode.CONFIG
