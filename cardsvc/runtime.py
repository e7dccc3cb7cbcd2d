"""One warm runtime per terminal: the readers, the PSAM, the journal, the fare table, the hotlist
and the uploader, held for the program's whole life (``cardsvc serve``, ``cardsvc validator``,
or a ``cardsvc pay`` run when no service is up).

Everything that touches a card runs on **one card thread** (a PC/SC context is never shared
across threads, and one terminal does one card operation at a time): API calls and taps are
queued to it. Per operation only the user card is connected (exclusive mode, so no other program
can slip a command in); the PSAM stays connected, exclusively, for the runtime's life
(:mod:`cardsvc.psam_session`).

The reader monitor drives taps: a card comes (``card present``) -> it is read and, by role, charged
(``processing``) -> ``waiting for removal`` until it leaves; a card left on the reader is never
charged twice. Roles: ``service`` (reads each tap and publishes ``card_present``; a waiting sale
charges the next fresh tap), ``validator`` (charges the line's fare on every tap, with an
anti-passback window). :mod:`cardsvc.runtime_ops` holds the operations themselves.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from cardsvc.clearing_client import ClearingClient
from cardsvc.errors import CardServiceError
from cardsvc.events import EventHub
from cardsvc.fares import FareTable
from cardsvc.journal import Journal
from cardsvc.psam_session import PsamSession
from cardsvc.session import open_backend_for, open_journal, sam_spec
from cardsvc.uploader import Uploader
from config.settings import Settings
from drivers.pcsc import monitor as mon
from drivers.pcsc.feedback import NoFeedback, ReaderFeedback
from drivers.pcsc.spi import BackendSpi

__all__ = ["Role", "Runtime", "RuntimeOptions", "with_card"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")
Role = Literal["service", "validator"]
POKE_EVERY_S = 1.0


@dataclass(frozen=True)
class RuntimeOptions:
    role: Role = "service"
    line: str = ""
    """The validator's bus line (``validator`` role)."""
    passback_s: float = 30.0
    """Anti-passback window of the validator: the same card again within it is not charged."""
    feedback: ReaderFeedback | None = None
    uploader: bool = True
    """Run the uploader thread when a clearing service is configured."""


def with_card(settings: Settings, **card: Any) -> Settings:
    """``settings`` with ``[card]`` keys replaced where a value is given (command-line options:
    ``reader``, ``sam``, ``backend``)."""
    return settings.override({"card": card})


class Runtime:
    """Start with :meth:`start`, end with :meth:`stop`. The operations are in
    :class:`cardsvc.runtime_ops.Operations` (``runtime.ops``)."""

    def __init__(self, settings: Settings, options: RuntimeOptions | None = None, *,
                 backend: BackendSpi | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        from cardsvc.runtime_ops import Operations  # noqa: PLC0415 - the two halves

        self.settings = settings
        self.options = options or RuntimeOptions()
        self.clock = clock
        self.events = EventHub()
        self.feedback: ReaderFeedback = self.options.feedback or NoFeedback()
        self._given_backend = backend
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = concurrent.futures.Future[None]()
        self.monitor: mon.ReaderMonitor | None = None
        self.uploader: Uploader | None = None
        self._clearing: ClearingClient | None = None
        # card-thread state (touched only on the card thread)
        self.backend: BackendSpi | None = None
        self.journal: Journal | None = None
        self.psam: PsamSession | None = None
        self.fares: FareTable = FareTable.load(settings.card.fare_table)
        self.sam_reader = sam_spec(settings).reader
        self.ops = Operations(self)
        self._poked = 0.0

    # -- lifecycle -----------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> None:
        self._thread = threading.Thread(target=self._run, name="card", daemon=True)
        self._thread.start()
        self._ready.result(timeout)  # a configuration error surfaces here
        source: BackendSpi | str = self._given_backend or self.settings.card.backend
        self.monitor = mon.ReaderMonitor(source, poll_timeout=1.0)
        self.monitor.subscribe(self._on_monitor_event)
        self.monitor.start()
        if self.options.uploader and self.settings.clearing_client.url:
            self._clearing = ClearingClient.from_settings(self.settings)
            self.uploader = Uploader(self.settings.var.journal, self._clearing)
            self.uploader.start()

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        self.ops.shutdown()
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(10)
            self._thread = None
        if self.uploader is not None:
            self.uploader.stop()
        if self._clearing is not None:
            self._clearing.close()

    def __enter__(self) -> Runtime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the card thread -----------------------------------------------------------------
    def _open(self) -> None:
        self.backend = self._given_backend or open_backend_for(self.settings)
        self.journal = open_journal(self.settings)
        self.psam = PsamSession(sam_spec(self.settings), self.backend,
                                self.settings.var.sam_state)
        with contextlib.suppress(CardServiceError):
            self.psam.sam()  # warm from the start; a missing PSAM is retried per operation
        counts = self.journal.counts()
        log.info("card runtime ready", extra={"role": self.options.role,
                                              "unresolved": counts["pending"] + counts["unknown"],
                                              "not_uploaded": counts["not_uploaded"]})

    def _close(self) -> None:
        if self.psam is not None:
            self.psam.close()
        if self.journal is not None:
            self.journal.close()
        if self.backend is not None and self.backend is not self._given_backend:
            self.backend.close()

    def _run(self) -> None:
        try:
            self._open()
        except BaseException as exc:  # noqa: BLE001 - handed to start()
            self._ready.set_exception(exc)
            self._close()
            return
        self._ready.set_result(None)
        try:
            while (job := self._jobs.get()) is not None:
                try:
                    job()
                except Exception:  # a job reports its own errors; this is a bug
                    log.exception("card job failed")
        finally:
            self._close()

    def call(self, fn: Callable[[], _T], timeout: float | None = None) -> _T:
        """Run ``fn`` on the card thread and wait for its result (or its exception)."""
        if threading.current_thread() is self._thread:
            return fn()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def job() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)

        self._jobs.put(job)
        return future.result(timeout)

    def post(self, fn: Callable[[], None]) -> None:
        """Queue ``fn`` on the card thread without waiting."""
        self._jobs.put(fn)

    # -- readers -------------------------------------------------------------------------
    def is_user_reader(self, reader: str) -> bool:
        wanted = self.settings.card.reader
        return reader == wanted if wanted else reader != self.sam_reader

    def user_readers(self) -> dict[str, mon.ReaderInfo]:
        if self.monitor is None:
            return {}
        return {n: i for n, i in self.monitor.readers().items() if self.is_user_reader(n)}

    def _on_monitor_event(self, event: mon.MonitorEvent) -> None:
        """In the monitor's thread, under its lock: hand the event to the card thread."""
        reader = getattr(event, "reader", None)
        if reader is not None and not self.is_user_reader(reader):
            if reader == self.sam_reader and isinstance(event, mon.CardInserted):
                self.post(lambda: self.psam.retry_now() if self.psam else None)
            return
        self.post(lambda: self.ops.on_reader_event(event))

    # -- helpers for the operations ------------------------------------------------------
    def poke_uploader(self) -> None:
        """Upload soon after a transaction; at most one poke a second (a busy validator's
        taps go up in batches, the uploader's own interval takes the rest)."""
        now = time.monotonic()
        if self.uploader is not None and now - self._poked >= POKE_EVERY_S:
            self._poked = now
            self.uploader.poke()

    def clearing(self) -> ClearingClient | None:
        if self._clearing is None and self.settings.clearing_client.url:
            self._clearing = ClearingClient.from_settings(self.settings)
        return self._clearing

    def status(self) -> dict[str, Any]:
        def collect() -> dict[str, Any]:
            assert self.journal is not None and self.psam is not None
            return {"journal": self.journal.counts(),
                    "hotlist_version": self.journal.hotlist_version(),
                    "free_rides": self.journal.free_rides(),
                    "sam_connects": self.psam.connects}
        out = self.call(collect, 10)
        out.update(role=self.options.role,
                   readers={n: i.state.value for n, i in self.user_readers().items()},
                   pcsc_available=self.monitor.service_available if self.monitor else None,
                   clearing=self.settings.clearing_client.url or None,
                   events=self.events.last_id)
        return out

