"""``PyscardBackend``: pcscd through pyscard's low-level ``smartcard.scard`` API.

Contexts. pcsc-lite serialises every call made on one context (and on the card handles opened
from it), and ``SCardTransmit`` cannot be interrupted. So:
- each backend object owns one context, for discovery (list readers, presence, waiting for a
  card or a change); it is established lazily in the thread that first uses it and must not be
  shared across threads (:meth:`spawn` makes a sibling for another thread, e.g. the monitor);
  only :meth:`cancel` may be called from another thread (``SCardCancel``);
- each connection owns one more context, released with it, so that an exchange stuck in the
  card never blocks the backend (nor the next connection).
When pcscd dies or restarts, every context dies with it: the backend drops its context on
``SCARD_E_NO_SERVICE`` and friends, retries once on a fresh one, and otherwise raises
:class:`ServiceUnavailable`; the next call tries again.

Every PC/SC return code is mapped to :mod:`drivers.pcsc.errors` by :func:`error_from_code`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from drivers.pcsc.errors import (
    CardRemoved,
    ChannelClosed,
    NoCard,
    PcscError,
    ReaderBusy,
    ReaderUnavailable,
    ServiceUnavailable,
    TransmitError,
    TransmitTimeout,
)
from drivers.pcsc.spi import PNP_READER, BackendSpi, ConnectionSpi, ReaderStatus

log = logging.getLogger(__name__)

# PC/SC return codes (the same values in pcsc-lite and WinSCard).
SCARD_S_SUCCESS = 0x00000000
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_PROTO_MISMATCH = 0x8010000F
SCARD_E_NOT_READY = 0x80100010
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_P_SHUTDOWN = 0x80100018
SCARD_E_READER_UNSUPPORTED = 0x8010001A
SCARD_E_CARD_UNSUPPORTED = 0x8010001C
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_E_SERVER_TOO_BUSY = 0x80100031
SCARD_W_UNSUPPORTED_CARD = 0x80100065
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

# Reader state flags of SCardGetStatusChange.
SCARD_STATE_UNAWARE = 0x0000
SCARD_STATE_IGNORE = 0x0001
SCARD_STATE_CHANGED = 0x0002
SCARD_STATE_UNKNOWN = 0x0004
SCARD_STATE_UNAVAILABLE = 0x0008
SCARD_STATE_PRESENT = 0x0020
SCARD_STATE_MUTE = 0x0200

Operation = Literal["service", "connect", "transmit"]
"""What was being done: the same code means different things (no card at connect = NoCard,
mid-session = CardRemoved)."""

_SERVICE_CODES = frozenset({SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_F_COMM_ERROR,
                            SCARD_P_SHUTDOWN, SCARD_E_SERVER_TOO_BUSY})
_READER_CODES = frozenset({SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE,
                           SCARD_E_NO_READERS_AVAILABLE, SCARD_E_READER_UNSUPPORTED,
                           SCARD_E_NOT_READY})
_GONE_CODES = frozenset({SCARD_E_NO_SMARTCARD, SCARD_W_REMOVED_CARD, SCARD_W_RESET_CARD})
_BAD_CARD_CODES = frozenset({SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD,
                             SCARD_W_UNSUPPORTED_CARD, SCARD_E_CARD_UNSUPPORTED,
                             SCARD_E_PROTO_MISMATCH})

_WORDS: Mapping[int, str] = MappingProxyType({
    SCARD_E_NO_SERVICE: "the PC/SC service (pcscd) is not running",
    SCARD_E_SERVICE_STOPPED: "the PC/SC service (pcscd) has stopped",
    SCARD_F_COMM_ERROR: "lost contact with the PC/SC service (pcscd)",
    SCARD_P_SHUTDOWN: "the PC/SC service is shutting down",
    SCARD_E_SERVER_TOO_BUSY: "the PC/SC service is too busy",
    SCARD_E_UNKNOWN_READER: "no such reader",
    SCARD_E_READER_UNAVAILABLE: "the reader is unavailable",
    SCARD_E_NO_READERS_AVAILABLE: "no reader is attached",
    SCARD_E_READER_UNSUPPORTED: "the reader is not supported",
    SCARD_E_SHARING_VIOLATION: "the reader is in exclusive use by another program",
    SCARD_E_NOT_READY: "the reader is not ready",
    SCARD_E_NO_SMARTCARD: "no card in the reader",
    SCARD_W_REMOVED_CARD: "the card was removed",
    SCARD_W_RESET_CARD: "the card was reset by another program",
    SCARD_W_UNRESPONSIVE_CARD: "the card does not answer (mute)",
    SCARD_W_UNPOWERED_CARD: "the card is not powered",
    SCARD_W_UNSUPPORTED_CARD: "the card is not supported",
    SCARD_E_CARD_UNSUPPORTED: "the card is not supported",
    SCARD_E_PROTO_MISMATCH: "no common protocol with the card",
    SCARD_E_TIMEOUT: "timed out",
    SCARD_E_INVALID_HANDLE: "the connection is no longer valid",
})


def error_from_code(code: int, op: Operation, what: str = "") -> PcscError:
    """The reader-layer exception for a PC/SC return code met during ``op``."""
    code &= 0xFFFFFFFF
    words = _WORDS.get(code, "PC/SC error")
    message = f"{what + ': ' if what else ''}{words} (0x{code:08X})"
    if code in _SERVICE_CODES:
        return ServiceUnavailable(message)
    if code == SCARD_E_SHARING_VIOLATION:
        return ReaderBusy(message)
    if code in _READER_CODES:
        return ReaderUnavailable(message)
    if op == "connect":
        if code in _GONE_CODES or code in _BAD_CARD_CODES or code == SCARD_E_TIMEOUT:
            return NoCard(message)
        if code == SCARD_E_INVALID_HANDLE:
            return ServiceUnavailable(message)
        return ReaderUnavailable(message)
    if op == "transmit":
        if code in _GONE_CODES:
            return CardRemoved(message)
        if code == SCARD_E_INVALID_HANDLE:
            return ChannelClosed(message)
        if code == SCARD_E_TIMEOUT:
            return TransmitTimeout(message)
        return TransmitError(message)
    if code == SCARD_E_INVALID_HANDLE:
        return ServiceUnavailable(message)
    return PcscError(message)


def _load_scard() -> Any:
    """pyscard's scard module, imported lazily: importing drivers.pcsc never loads pyscard."""
    return importlib.import_module("smartcard.scard")


def _status_from(event_state: int, atr: Any) -> ReaderStatus:
    mute = bool(event_state & SCARD_STATE_PRESENT and event_state & SCARD_STATE_MUTE)
    return ReaderStatus(
        present=bool(event_state & SCARD_STATE_PRESENT) and not mute,
        mute=mute,
        atr=bytes(atr or b"") if event_state & SCARD_STATE_PRESENT else b"",
        available=not event_state & (SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN
                                     | SCARD_STATE_IGNORE),
        events=(event_state >> 16) & 0xFFFF,
    )


_T = TypeVar("_T")


class PyscardConnection(ConnectionSpi):
    """One card handle on its own context (released together)."""

    def __init__(self, scard: Any, context: int, handle: int, protocol: int, atr: bytes,
                 reader: str) -> None:
        self._scard = scard
        self._context = context
        self._handle = handle
        self._pci = scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else \
            scard.SCARD_PCI_T1
        self._atr = atr
        self._reader = reader
        self._closed = False

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit_raw(self, apdu: bytes, timeout: float) -> bytes:
        if self._closed:
            raise ChannelClosed(f"the connection to {self._reader!r} is closed")
        result = self._scard.SCardTransmit(self._handle, self._pci, list(apdu))
        code = result[0] & 0xFFFFFFFF
        if code != SCARD_S_SUCCESS:
            raise error_from_code(code, "transmit", self._reader)
        return bytes(result[1])

    def control(self, code: int, data: bytes, timeout: float) -> bytes:
        if self._closed:
            raise ChannelClosed(f"the connection to {self._reader!r} is closed")
        result = self._scard.SCardControl(self._handle, code, list(data))
        rc = result[0] & 0xFFFFFFFF
        if rc != SCARD_S_SUCCESS:
            raise error_from_code(rc, "transmit", f"{self._reader} control 0x{code:X}")
        return bytes(result[1])

    def disconnect(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._scard.SCardDisconnect(self._handle, self._scard.SCARD_LEAVE_CARD)
            self._scard.SCardReleaseContext(self._context)
        except Exception:  # never raises, as promised; pcscd may be gone already
            log.debug("disconnect failed", extra={"reader": self._reader}, exc_info=True)


class PyscardBackend(BackendSpi):
    """Readers of pcscd. ``scard`` may be injected (a fake module) for unit tests."""

    def __init__(self, *, scard: Any = None) -> None:
        self._scard = scard if scard is not None else _load_scard()
        self._context: int | None = None
        self._raw_states: dict[str, int] = {}

    # -- context ------------------------------------------------------------------------------

    def _establish(self) -> int:
        result = self._scard.SCardEstablishContext(self._scard.SCARD_SCOPE_USER)
        code = result[0] & 0xFFFFFFFF
        if code != SCARD_S_SUCCESS:
            raise error_from_code(code, "service", "cannot reach pcscd")
        context: int = result[1]
        return context

    def _drop_context(self) -> None:
        context, self._context = self._context, None
        self._raw_states.clear()
        if context is not None:
            try:
                self._scard.SCardReleaseContext(context)
            except Exception:
                log.debug("release of a dead context failed", exc_info=True)

    def _call(self, call: Callable[[int], _T], code_of: Callable[[_T], int]) -> _T:
        """Run ``call(context)``; on a dead context (pcscd restarted) retry once on a new one."""
        for attempt in (0, 1):
            fresh = self._context is None
            if self._context is None:
                self._context = self._establish()
            result = call(self._context)
            code = code_of(result) & 0xFFFFFFFF
            if code in _SERVICE_CODES or code == SCARD_E_INVALID_HANDLE:
                self._drop_context()
                if attempt == 0 and not fresh:
                    log.info("PC/SC context lost; establishing a new one",
                             extra={"code": f"0x{code:08X}"})
                    continue
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._drop_context()

    def cancel(self) -> None:
        context = self._context
        if context is not None:
            try:
                self._scard.SCardCancel(context)
            except Exception:
                log.debug("SCardCancel failed", exc_info=True)

    def spawn(self) -> PyscardBackend:
        return PyscardBackend(scard=self._scard)

    # -- discovery ----------------------------------------------------------------------------

    def list_readers(self) -> list[str]:
        result = self._call(lambda ctx: self._scard.SCardListReaders(ctx, []), lambda r: r[0])
        code = result[0] & 0xFFFFFFFF
        if code == SCARD_E_NO_READERS_AVAILABLE:
            return []
        if code != SCARD_S_SUCCESS:
            raise error_from_code(code, "service", "cannot list readers")
        return [str(name) for name in result[1] if name != PNP_READER]

    def _get_status(self, states: list[tuple[str, int]], timeout_ms: int) -> tuple[int, list[Any]]:
        def call(ctx: int) -> tuple[int, list[Any]]:
            code, result = self._scard.SCardGetStatusChange(ctx, timeout_ms, states)
            return code, result

        return self._call(call, lambda r: r[0])

    def _statuses(self, readers: list[str]) -> dict[str, ReaderStatus]:
        if not readers:
            return {}
        code, result = self._get_status([(r, SCARD_STATE_UNAWARE) for r in readers], 0)
        code &= 0xFFFFFFFF
        if code not in (SCARD_S_SUCCESS, SCARD_E_TIMEOUT):
            raise error_from_code(code, "service", "cannot read the reader states")
        statuses: dict[str, ReaderStatus] = {}
        for name, event_state, atr in result:
            self._raw_states[name] = event_state & ~SCARD_STATE_CHANGED
            statuses[name] = _status_from(event_state, atr)
        return statuses

    def card_present(self, reader: str) -> bool:
        return self._statuses([reader])[reader].present

    def reader_statuses(self) -> dict[str, ReaderStatus]:
        readers = self.list_readers()
        try:
            return self._statuses(readers)
        except ReaderUnavailable:  # a reader left between the two calls: look again
            return self._statuses(self.list_readers())

    def wait_for_change(self, known: Mapping[str, ReaderStatus],
                        timeout: float) -> dict[str, ReaderStatus]:
        current = self.reader_statuses()
        if current != dict(known):
            return current
        states = [(name, self._raw_states.get(name, SCARD_STATE_UNAWARE)) for name in current]
        states.append((PNP_READER, len(current) << 16))
        code, _ = self._get_status(states, max(0, int(timeout * 1000)))
        code &= 0xFFFFFFFF
        if code in _SERVICE_CODES or code == SCARD_E_INVALID_HANDLE:
            raise error_from_code(code, "service", "lost pcscd while watching the readers")
        # Success, timeout, cancel, a reader that left: look at the readers again.
        return self.reader_statuses()

    # -- connection ---------------------------------------------------------------------------

    def _wait_for_card(self, reader: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            status = self._statuses([reader])[reader]
            if status.present:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NoCard(f"{reader}: no card in the reader")
            state = self._raw_states.get(reader, SCARD_STATE_UNAWARE)
            code, _ = self._get_status([(reader, state)], max(1, int(remaining * 1000)))
            code &= 0xFFFFFFFF
            if code not in (SCARD_S_SUCCESS, SCARD_E_TIMEOUT, SCARD_E_CANCELLED):
                raise error_from_code(code, "connect", reader)

    def connect(self, reader: str, timeout: float, *, exclusive: bool = False) -> ConnectionSpi:
        self._wait_for_card(reader, timeout)
        scard = self._scard
        context = self._establish()
        share = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        try:
            code, handle, protocol = scard.SCardConnect(
                context, reader, share,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
            code &= 0xFFFFFFFF
            if code != SCARD_S_SUCCESS:
                raise error_from_code(code, "connect", reader)
            status = self._status_of_new(handle, reader)
        except BaseException:
            with contextlib.suppress(Exception):
                scard.SCardReleaseContext(context)
            raise
        log.debug("connected", extra={"reader": reader, "protocol": protocol})
        return PyscardConnection(scard, context, handle, protocol, bytes(status[4]), reader)

    def _status_of_new(self, handle: int, reader: str) -> Any:
        """SCardStatus of a handle just connected. Whatever goes wrong, the handle is
        disconnected before the error goes up: a handle left connected (exclusive) would keep
        the reader from every later tap. pyscard's binding itself sometimes fails
        (``SystemError: error return without exception set``, seen once in 43,000 taps of the
        soak): that is a :class:`PcscError` here, not a crash of the caller."""
        scard = self._scard
        try:
            status = scard.SCardStatus(handle)
            code = status[0] & 0xFFFFFFFF
            if code != SCARD_S_SUCCESS:
                raise error_from_code(code, "connect", reader)
            return status
        except BaseException as exc:
            with contextlib.suppress(Exception):
                scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
            if isinstance(exc, PcscError) or not isinstance(exc, Exception):
                raise
            log.warning("the PC/SC binding failed after connecting; disconnected",
                        extra={"reader": reader, "error": repr(exc)})
            raise PcscError(f"{reader}: the PC/SC binding failed ({exc!r})") from exc
