"""The print worker: one thread that drains the print queue, so callers never wait on paper.

    worker = PrintWorker(printer, PrintQueue.in_dir(settings.paths.var_dir))
    worker.start()
    job = worker.submit(document, key="card:000123")   # returns at once (one SQLite insert)
    worker.job(job.id).note                             # JobNote.PAPER_OUT while it waits
    worker.stop()

Jobs print in order. Before each job the printer is asked its status; out of paper, offline or
silent, the job stays pending with a note of why (:class:`JobNote`, a code a screen shows in
words) and is tried again every ``retry_s``
(and whenever a new job is submitted). See :mod:`drivers.printer.queue` for exactly-once. Only
one worker may serve a queue: :meth:`PrintWorker.start` takes an exclusive lock file beside the
database, then turns jobs a crash left ``sending`` into ``uncertain``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable

from drivers.printer.document import Document
from drivers.printer.errors import (
    LayoutError,
    PrinterConfigError,
    PrinterNotReady,
    PrinterUnavailable,
    PrintInterrupted,
    QueueError,
)
from drivers.printer.printer import Printer
from drivers.printer.queue import Job, JobNote, JobState, PrintQueue
from drivers.printer.status import PrinterState, PrinterStatus

log = logging.getLogger(__name__)


class PrintWorker:
    def __init__(self, printer: Printer, queue: PrintQueue, *, retry_s: float = 2.0,
                 on_change: Callable[[Job], None] | None = None) -> None:
        self.printer = printer
        self.queue = queue
        self.retry_s = retry_s
        self.on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._status: PrinterStatus | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._take_lock()
        recovered = self.queue.recover()
        if recovered:
            log.warning("printer.queue.recovered: jobs %s were interrupted while sending and "
                        "are now uncertain (not reprinted automatically)", recovered,
                        extra={"event": "printer.queue.recovered", "jobs": recovered})
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
        self._thread.start()
        log.info("printer.worker.started %s", self.printer,
                 extra={"event": "printer.worker.started", "url": self.printer.url.text})

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the job in hand (a job being sent is finished, not cut short)."""
        thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout if timeout is not None else self.printer.timeout * 4 + 5)
        self._release_lock()

    def __enter__(self) -> PrintWorker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take_lock(self) -> None:
        path = self.queue.path.with_name(self.queue.path.name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise QueueError(f"another print worker is serving {self.queue.path}") from None
        self._lock_fd = fd

    def _release_lock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- for callers ------------------------------------------------------------------------
    def submit(self, doc: Document, key: str | None = None) -> Job:
        """Queue a document and return at once; it prints when the printer can."""
        job = self.queue.submit(doc, key)
        log.info("printer.job.submitted %d %s", job.id, job.title,
                 extra={"event": "printer.job.submitted", "job": job.id, "key": key})
        self._wake.set()
        return job

    def job(self, job_id: int) -> Job:
        return self.queue.get(job_id)

    def wait(self, job_id: int, timeout: float) -> Job:
        """The job once it is final (done, uncertain, failed) or when ``timeout`` runs out."""
        deadline = time.monotonic() + timeout
        job = self.queue.get(job_id)
        while not job.state.final and time.monotonic() < deadline:
            time.sleep(0.02)
            job = self.queue.get(job_id)
        return job

    @property
    def printer_status(self) -> PrinterStatus | None:
        """The status seen at the last attempt (None before the first)."""
        return self._status

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.queue.next_pending()
                delay = self.retry_s if job is None else self._attempt(job)
            except Exception:  # the worker must never die silently
                log.exception("printer.worker.error", extra={"event": "printer.worker.error"})
                delay = self.retry_s
            if delay:
                self._wake.wait(delay)
                self._wake.clear()

    def _attempt(self, job: Job) -> float:
        """Try to print ``job``; the seconds to wait before the next attempt."""
        try:
            doc = self.queue.document(job.id)
            report = self.printer.print(doc, before_send=lambda: self._changed(
                self.queue.mark_sending(job.id)))
        except PrinterNotReady as exc:
            self._status = exc.status
            self._wait(job, exc.status)
            return self.retry_s
        except PrintInterrupted as exc:
            self._changed(self.queue.mark_uncertain(job.id, f"may be partly printed: {exc}"))
            log.error("printer.job.uncertain %d: %s", job.id, exc,
                      extra={"event": "printer.job.uncertain", "job": job.id})
            return 0
        except PrinterUnavailable as exc:
            self._status = PrinterStatus(PrinterState.OFFLINE, str(exc))
            self._wait(job, self._status)
            return self.retry_s
        except (LayoutError, PrinterConfigError) as exc:
            self._changed(self.queue.mark_failed(job.id, f"cannot print: {exc}"))
            log.error("printer.job.failed %d: %s", job.id, exc,
                      extra={"event": "printer.job.failed", "job": job.id})
            return 0
        except Exception:  # a bug or a database error: never leave the job "sending"
            with contextlib.suppress(QueueError):
                if self.queue.get(job.id).state is JobState.SENDING:
                    self._changed(self.queue.mark_uncertain(job.id, "failed while sending"))
            raise
        self._status = report.status_before
        self._changed(self.queue.mark_done(job.id))
        log.info("printer.job.done %d (%d bytes, %.3f s)", job.id, report.bytes_sent,
                 report.seconds, extra={"event": "printer.job.done", "job": job.id,
                                        "bytes": report.bytes_sent})
        return 0

    def _wait(self, job: Job, status: PrinterStatus) -> None:
        note = JobNote.waiting_for(status.state)
        if job.note is not note:
            log.warning("printer.job.waiting %d: %s", job.id, status,
                        extra={"event": "printer.job.waiting", "job": job.id,
                               "why": str(status)})
            self._changed(self.queue.mark_waiting(job.id, note, str(status)))

    def _changed(self, job: Job) -> None:
        if self.on_change is not None:
            try:
                self.on_change(job)
            except Exception:
                log.exception("printer.worker.listener_error")
