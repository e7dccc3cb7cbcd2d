"""The receipt printer through the durable print queue and its worker (drivers/printer):
``submit`` is one SQLite insert, the worker prints when the printer can. A waiting job says
why from its own ``note`` (what the printer answered at that job's last attempt), not from
whatever the printer says now."""

from __future__ import annotations

from collections.abc import Callable

from drivers.printer import Document, Job, JobNote, JobState, PrinterState, PrintWorker
from kiosk.ports import PrintJob, PrintState

_WAIT_REASONS = {PrinterState.PAPER_OUT: "paper_out", PrinterState.OFFLINE: "offline",
                 PrinterState.PAPER_NEAR_END: "paper_near_end"}
_NOTES = {JobNote.PAPER_OUT: "paper_out", JobNote.OFFLINE: "offline",
          JobNote.UNKNOWN: "unknown"}


class QueuePrinter:
    """A :class:`kiosk.ports.PrinterPort` over a started :class:`PrintWorker`."""

    def __init__(self, worker: PrintWorker) -> None:
        self.worker = worker

    def submit(self, document: Document, key: str | None = None) -> PrintJob:
        return self._job(self.worker.submit(document, key))

    def job(self, job_id: int) -> PrintJob:
        return self._job(self.worker.job(job_id))

    def watch(self, on_change: Callable[[PrintJob], None]) -> None:
        """Job changes (on the worker's thread)."""
        self.worker.on_change = lambda job: on_change(self._job(job))

    def _job(self, job: Job) -> PrintJob:
        if job.state is JobState.PENDING:
            if job.note is not None:
                return PrintJob(job.id, PrintState.WAITING, _NOTES[job.note])
            if job.message:  # a queue written before notes: the printer's state now
                status = self.worker.printer_status
                reason = _WAIT_REASONS.get(status.state, "unknown") if status else "unknown"
                return PrintJob(job.id, PrintState.WAITING, reason)
            return PrintJob(job.id, PrintState.QUEUED)
        state = {JobState.SENDING: PrintState.PRINTING, JobState.DONE: PrintState.DONE,
                 JobState.UNCERTAIN: PrintState.UNCERTAIN,
                 JobState.FAILED: PrintState.FAILED}[job.state]
        return PrintJob(job.id, state)
