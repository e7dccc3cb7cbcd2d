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
    │   ├── SamUnavailableError  (SAM_HELD: the card service holds the PSAM)
    │   ├── ReaderBusyError    another program holds the reader exclusively
    │   └── SeveralCards       more than one card in the field: nothing charged
    ├── CardProtocolError      the card answered something the profile does not allow
    │   ├── StatusWordError    an unexpected status word, with the command's name
    │   └── MacError           a MAC1/MAC2 did not verify
    ├── Refusal                a business refusal: nothing was taken
    │   ├── UnknownCard, CardBlocked, CardExpired, CardNotYetValid, CardHotlisted
    │   ├── WrongPin (tries_left), PinBlocked
    │   ├── InsufficientBalance, BalanceLimitExceeded
    │   ├── AmountRefused      zero/negative, over the per-transaction limit, not whole fen
    │   ├── PinMalformed       not 4-12 digits
    │   ├── EarlierAttemptCompleted, EarlierAttemptUnresolved, ClientRefReused   retries
    │   ├── AlreadyTapped      the validator's anti-passback window
    │   └── SaleEnded          a sale ended without a tap (timeout, cancelled, another waits)
    └── ServiceConfigError     missing or malformed configuration

    raise AmountRefused("over the limit", code=ErrorCode.AMOUNT_OVER_LIMIT, limit="1000.00")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cardsvc.codes import ErrorCode
from cardsvc.messages import MESSAGES
from cardsvc.money import format_fen
from config.messages import CodedError


class CardServiceError(CodedError, code=ErrorCode.FAILED):
    """``message``: the English particulars (default: the catalogue's English of the code);
    ``code``: a more exact code than the class's; ``params``: the message's fields."""

    code: ErrorCode

    def __init__(self, message: str | None = None, *, code: ErrorCode | None = None,
                 **params: Any) -> None:
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(MESSAGES.en(self.code, **params) if message is None else message)


class DeviceError(CardServiceError, code=ErrorCode.DEVICE_UNAVAILABLE):
    """A device or service the terminal needs is not there."""


class ServiceDown(DeviceError, code=ErrorCode.PCSC_UNAVAILABLE):
    """The PC/SC service (pcscd) does not answer."""


class ReaderNotFound(DeviceError, code=ErrorCode.READER_NOT_FOUND):
    """The card reader asked for (or any reader) is not attached."""


class NoCardPresent(DeviceError, code=ErrorCode.NO_CARD):
    """No card in the reader."""


class CardRemovedError(DeviceError, code=ErrorCode.CARD_REMOVED):
    """The card left during an exchange (the transaction may be torn)."""


class SamUnavailableError(DeviceError, code=ErrorCode.SAM_UNAVAILABLE):
    """The secure module cannot be reached."""


class CardProtocolError(CardServiceError, code=ErrorCode.CARD_PROTOCOL):
    """The card (or the SAM) answered something the profile does not allow."""


class StatusWordError(CardProtocolError):
    def __init__(self, command: str, sw: int) -> None:
        super().__init__(code=ErrorCode.STATUS_WORD, command=command, sw=f"{sw:04X}")
        self.command = command
        self.sw = sw


class MacError(CardProtocolError, code=ErrorCode.MAC_INVALID):
    """A MAC1, MAC2 or TAC did not verify."""


class Refusal(CardServiceError, code=ErrorCode.REFUSED):
    """A business refusal: nothing was taken."""


class UnknownCard(Refusal, code=ErrorCode.UNKNOWN_CARD):
    """Not a card of this system."""


class CardBlocked(Refusal, code=ErrorCode.CARD_BLOCKED):
    """The card's application is blocked."""


class CardExpired(Refusal):
    def __init__(self, expiry: dt.date) -> None:
        super().__init__(code=ErrorCode.CARD_EXPIRED, expiry=expiry.isoformat())
        self.expiry = expiry


class CardNotYetValid(Refusal):
    def __init__(self, start: dt.date) -> None:
        super().__init__(code=ErrorCode.CARD_NOT_YET_VALID, start=start.isoformat())
        self.start = start


class CardHotlisted(Refusal, code=ErrorCode.CARD_HOTLISTED):
    """The card is on the hotlist (reported lost)."""


class WrongPin(Refusal):
    def __init__(self, tries_left: int) -> None:
        super().__init__(code=ErrorCode.WRONG_PIN, tries_left=tries_left,
                         tries=f"{tries_left} {'try' if tries_left == 1 else 'tries'}")
        self.tries_left = tries_left


class PinBlocked(Refusal, code=ErrorCode.PIN_BLOCKED):
    """The PIN has no tries left."""


class InsufficientBalance(Refusal):
    def __init__(self, balance_fen: int | None, amount_fen: int) -> None:
        super().__init__(code=ErrorCode.INSUFFICIENT_BALANCE, amount=format_fen(amount_fen),
                         balance=None if balance_fen is None else format_fen(balance_fen))
        self.balance_fen = balance_fen
        self.amount_fen = amount_fen


class BalanceLimitExceeded(Refusal, code=ErrorCode.BALANCE_LIMIT):
    """The balance would pass the purse's limit."""


class AmountRefused(Refusal, code=ErrorCode.AMOUNT_INVALID):
    """The amount is not acceptable."""


class PinMalformed(Refusal, code=ErrorCode.PIN_MALFORMED):
    """The PIN is not 4 to 12 ASCII digits, an even number of them (a usage error)."""


class EarlierAttemptCompleted(Refusal, code=ErrorCode.EARLIER_ATTEMPT_COMPLETED):
    """A retry without a ``client_ref``: the earlier attempt on this card, whose answer was
    lost, went through. Charging again needs an explicit confirmation (``again``)."""


class EarlierAttemptUnresolved(Refusal, code=ErrorCode.EARLIER_ATTEMPT_UNRESOLVED):
    """A retry whose ``client_ref`` names an attempt still unresolved on another card."""


class ClientRefReused(Refusal, code=ErrorCode.CLIENT_REF_REUSED):
    """A ``client_ref`` already names a different operation (amount, type)."""


class AlreadyTapped(Refusal, code=ErrorCode.ALREADY_TAPPED):
    """The same card tapped again within the validator's anti-passback window."""


class SaleEnded(Refusal, code=ErrorCode.SALE_TIMEOUT):
    """A sale that ended without a tap: timed out, cancelled, or another sale is waiting."""


class SeveralCards(DeviceError, code=ErrorCode.SEVERAL_CARDS):
    """The reader sees more than one card (or a card it cannot activate): nothing charged."""


class ReaderBusyError(DeviceError, code=ErrorCode.READER_BUSY):
    """Another program holds the reader or the PSAM exclusively."""


class ServiceConfigError(CardServiceError, code=ErrorCode.CONFIG):
    """Missing or malformed configuration."""
