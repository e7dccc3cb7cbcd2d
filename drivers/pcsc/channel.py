"""``CardChannel``: the public face of one card connection, the same for every backend.

This is the one place for what the architecture calls cross-cutting: T=0 ``61xx`` GET RESPONSE
(looped, data concatenated), ``6Cxx`` re-issue with the right Le, the redacting APDU trace
(:mod:`drivers.pcsc.trace`), APDU counters and timeouts. A backend's
:class:`~drivers.pcsc.spi.ConnectionSpi` only moves bytes.

Timeouts. pyscard's ``SCardTransmit`` cannot be interrupted, and pcsc-lite serialises every call
on one context, so a timeout cannot be had from inside the call. Each channel therefore owns a
small I/O worker thread that runs the whole exchange (the command, its GET RESPONSE / re-issue
rounds and their trace); the caller waits for it with a timeout. When the time is up the caller
gets :class:`TransmitTimeout` at once and the channel is unusable from then on (any further
transmit raises :class:`ChannelClosed`): the stuck call is left to finish in the worker, which
then disconnects and ends. The hand-over costs ~0.03 ms per exchange (bench/apdu_rtt.py). With
``transmit_timeout=None`` (and no per-call ``timeout``) the exchange runs in the caller's thread
with no timeout and no hand-over.

``connect`` waits for a card up to its ``timeout`` (the backend waits with its own means:
``SCardGetStatusChange`` for pcscd), then raises :class:`NoCard`.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from drivers.pcsc.apdu import CommandApdu, Response
from drivers.pcsc.errors import (
    CardRemoved,
    ChannelClosed,
    PcscError,
    ReaderUnavailable,
    ServiceUnavailable,
    TransmitError,
    TransmitTimeout,
)
from drivers.pcsc.spi import BackendSpi, ConnectionSpi
from drivers.pcsc.trace import ApduTrace, is_sensitive

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_TRANSMIT_TIMEOUT = 10.0
MAX_GET_RESPONSE_ROUNDS = 256
"""A card answering ``61xx`` more often than this is faulty (64 KiB of data at most)."""

_FATAL = (TransmitTimeout, CardRemoved, ServiceUnavailable, ReaderUnavailable, ChannelClosed)
"""Errors after which the connection cannot be trusted: the channel closes."""


@dataclass
class ChannelStats:
    """Counters of one channel (for benchmarks and diagnostics)."""

    commands: int = 0
    """``transmit()`` calls that reached the card."""
    apdus: int = 0
    """C-APDUs actually sent, GET RESPONSE and ``6Cxx`` re-issues included."""
    get_responses: int = 0
    """GET RESPONSE commands sent for ``61xx``."""
    reissues: int = 0
    """Commands re-sent with the Le of a ``6Cxx``."""
    timeouts: int = 0

    @property
    def apdus_without_get_response(self) -> int:
        return self.apdus - self.get_responses


class _Worker:
    """One daemon thread that runs one blocking call at a time for a channel."""

    def __init__(self, name: str, on_exit: Callable[[], None]) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], Any] | None] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._on_exit = on_exit
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                try:
                    self._results.put((True, job()))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    self._results.put((False, exc))
        finally:
            self._on_exit()

    def call(self, job: Callable[[], Any], timeout: float) -> Any:
        """Run ``job`` in the worker; raise ``queue.Empty`` if it takes longer than timeout."""
        self._jobs.put(job)
        ok, value = self._results.get(timeout=max(timeout, 0.0))
        if ok:
            return value
        raise value

    def stop(self) -> None:
        """Ask the worker to end after its current job (it then runs ``on_exit``)."""
        self._jobs.put(None)


class CardChannel:
    """An open connection to the card in one reader. Use :meth:`connect`.

    Thread-safe: exchanges from several threads are serialised.
    """

    def __init__(self, connection: ConnectionSpi, reader: str, *,
                 transmit_timeout: float | None = DEFAULT_TRANSMIT_TIMEOUT,
                 trace_logger: logging.Logger | None = None) -> None:
        if transmit_timeout is not None and transmit_timeout <= 0:
            raise ValueError("transmit_timeout must be positive (or None for no timeout)")
        self._conn = connection
        self._reader = reader
        self._atr = connection.atr
        self._default_timeout = transmit_timeout
        self._trace = ApduTrace(reader, trace_logger)
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._closed = False
        self._closed_reason = "disconnected"
        self._disconnect_once = threading.Lock()
        self._disconnected = False
        self._stuck = False
        self.stats = ChannelStats()

    @classmethod
    def connect(cls, backend: BackendSpi, reader: str, timeout: float = DEFAULT_CONNECT_TIMEOUT,
                *, transmit_timeout: float | None = DEFAULT_TRANSMIT_TIMEOUT,
                trace_logger: logging.Logger | None = None,
                exclusive: bool = False) -> CardChannel:
        """Connect to the card in ``reader`` (shared, or ``exclusive``: no other program may
        use it until we disconnect), waiting up to ``timeout`` seconds for one. Raises
        ServiceUnavailable, ReaderUnavailable, ReaderBusy or NoCard."""
        if timeout < 0:
            raise ValueError("timeout must not be negative")
        connection = backend.connect(reader, timeout, exclusive=exclusive)
        channel = cls(connection, reader, transmit_timeout=transmit_timeout,
                      trace_logger=trace_logger)
        log.debug("card connected", extra={"reader": reader, "atr": channel.atr.hex().upper()})
        return channel

    # -- properties ---------------------------------------------------------------------------

    @property
    def atr(self) -> bytes:
        return self._atr

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def closed(self) -> bool:
        """True once disconnected or made unusable by a timeout or a lost card."""
        return self._closed

    # -- exchanges ----------------------------------------------------------------------------

    def transmit(self, apdu: bytes, *, sensitive: bool = False,
                 timeout: float | None = None) -> Response:
        """Send one C-APDU and return the final R-APDU, after GET RESPONSE / re-issue rounds.

        ``sensitive=True`` redacts the command's data (and its answer's) in the trace, on top
        of the built-in rules. ``timeout`` (seconds) bounds the whole exchange; None means the
        channel's ``transmit_timeout``. Raises ValueError for a malformed C-APDU, otherwise
        only :mod:`drivers.pcsc.errors` exceptions.
        """
        apdu = bytes(apdu)
        CommandApdu.parse(apdu)  # ValueError for a malformed C-APDU, before anything is sent
        redact = sensitive or is_sensitive(apdu)
        limit = self._default_timeout if timeout is None else timeout
        if limit is not None and limit <= 0:
            raise ValueError("timeout must be positive")
        with self._lock:
            if self._closed:
                raise ChannelClosed(f"the channel to {self._reader!r} is {self._closed_reason}")
            started = time.monotonic()
            try:
                return self._run_exchange(apdu, redact, limit)
            except _FATAL as exc:
                self._trace.failure(exc, time.monotonic() - started)
                if isinstance(exc, TransmitTimeout):
                    self.stats.timeouts += 1
                    log.warning("transmit timed out", extra={"reader": self._reader,
                                                             "timeout_s": limit})
                self._close(f"unusable after {type(exc).__name__}")
                raise
            except (PcscError, ValueError):
                raise
            except Exception as exc:  # a backend broke its contract: still one of ours
                raise TransmitError(f"exchange with {self._reader!r} failed: {exc}") from exc

    def control(self, code: int, data: bytes = b"", *, timeout: float | None = None) -> bytes:
        """A reader control command (``SCardControl``; vendor specific: LED, buzzer). Raises
        TransmitError when the reader does not take it; the channel stays usable."""
        limit = self._default_timeout if timeout is None else timeout
        with self._lock:
            if self._closed:
                raise ChannelClosed(f"the channel to {self._reader!r} is {self._closed_reason}")
            try:
                return self._conn.control(code, bytes(data), limit or DEFAULT_TRANSMIT_TIMEOUT)
            except PcscError:
                raise
            except Exception as exc:
                raise TransmitError(f"control of {self._reader!r} failed: {exc}") from exc

    def _run_exchange(self, apdu: bytes, redact: bool, limit: float | None) -> Response:
        if limit is None:
            return self._exchange(apdu, redact, math.inf)
        deadline = time.monotonic() + limit
        worker = self._ensure_worker()
        try:
            result: Response = worker.call(lambda: self._exchange(apdu, redact, deadline), limit)
        except queue.Empty:
            self._stuck = True
            raise TransmitTimeout(f"no answer from the card in {self._reader!r} "
                                  f"within {limit:g} s") from None
        return result

    def _exchange(self, apdu: bytes, redact: bool, deadline: float) -> Response:
        """Runs in the worker (or inline): the command, then ``6Cxx`` / ``61xx`` rounds."""
        self.stats.commands += 1
        response = self._send_fixing_le(apdu, redact, deadline)
        if response.sw1 != 0x61:
            return response
        data = bytearray()
        rounds = 0
        while response.sw1 == 0x61:
            data += response.data
            rounds += 1
            if rounds > MAX_GET_RESPONSE_ROUNDS:
                raise TransmitError(f"the card answered 61xx more than {MAX_GET_RESPONSE_ROUNDS} "
                                    "times in a row")
            self.stats.get_responses += 1
            get_response = bytes((0x00, 0xC0, 0x00, 0x00, response.sw2))
            response = self._send_fixing_le(get_response, redact, deadline)
        return Response(bytes(data) + response.data, response.sw1, response.sw2)

    def _send_fixing_le(self, apdu: bytes, redact: bool, deadline: float) -> Response:
        response = self._send(apdu, redact, deadline)
        if response.sw1 == 0x6C:
            self.stats.reissues += 1
            fixed = CommandApdu.parse(apdu).with_le(response.sw2).to_bytes()
            response = self._send(fixed, redact, deadline)
        return response

    def _send(self, apdu: bytes, redact: bool, deadline: float) -> Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TransmitTimeout(f"no time left for the next APDU to {self._reader!r}")
        self._trace.command(apdu, redact=redact)
        self.stats.apdus += 1
        started = time.monotonic()
        raw = self._conn.transmit_raw(apdu, remaining)
        elapsed = time.monotonic() - started
        if not raw:  # vpcd and some readers report a card torn away mid-command this way
            raise CardRemoved(f"the card in {self._reader!r} gave no answer: it left the field")
        try:
            response = Response.from_bytes(raw)
        except ValueError as exc:
            raise TransmitError(f"malformed answer from the card in {self._reader!r}: "
                                f"{len(raw)} byte(s)") from exc
        self._trace.response(response, elapsed, redact=redact)
        return response

    # -- lifecycle ----------------------------------------------------------------------------

    def _ensure_worker(self) -> _Worker:
        if self._worker is None:
            self._worker = _Worker(f"pcsc-io:{self._reader}", self._disconnect_connection)
        return self._worker

    def _close(self, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._closed_reason = reason
        if self._worker is not None:
            self._worker.stop()  # disconnects once its current (maybe stuck) call returns
        else:
            self._disconnect_connection()

    def _disconnect_connection(self) -> None:
        with self._disconnect_once:
            if self._disconnected:
                return
            self._disconnected = True
        try:
            self._conn.disconnect()
        except Exception:  # a ConnectionSpi should never raise here; stay quiet but say so
            log.exception("disconnect failed", extra={"reader": self._reader})

    def disconnect(self) -> None:
        """Close the connection (the card stays powered for others). Idempotent, never raises.

        After a timeout the stuck call keeps the connection until it returns; it is then closed
        by the worker.
        """
        with self._lock:
            self._close("disconnected")
        worker = self._worker
        if (worker is not None and not self._stuck
                and worker.thread is not threading.current_thread()):
            worker.thread.join(timeout=1.0)
        log.debug("card disconnected", extra={"reader": self._reader})

    def __enter__(self) -> CardChannel:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.disconnect()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<CardChannel {self._reader!r} {state} atr={self._atr.hex().upper()}>"
