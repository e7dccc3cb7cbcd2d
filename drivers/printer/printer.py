"""A receipt printer: a URL, a profile and a timeout.

    printer = open_printer("tcp://127.0.0.1:9100", profile="generic-58", timeout=3.0)
    printer.status()          # PrinterStatus; never raises for device trouble
    printer.print(document)   # PrintReport; raises PrinterNotReady / PrinterUnavailable / ...

Each operation opens its own connection and closes it (a network printer serves one client at
a time, and a fresh connection heals by itself after the printer was power-cycled). ``print``
checks the status first and sends nothing unless the printer is ready; after the last byte it
asks the status again: an answer means the printer has taken every byte before it, which is
what "printed" means for the print queue. On a write-only link (``file://``, ``status=off``)
there is no check and no confirmation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.printer.document import Document
from drivers.printer.errors import (
    PrinterConfigError,
    PrinterNotReady,
    PrinterUnavailable,
    PrintInterrupted,
)
from drivers.printer.profiles import PrinterProfile, get_profile
from drivers.printer.render import Renderer
from drivers.printer.status import PrinterState, PrinterStatus, query
from drivers.printer.transport import PrinterUrl, Transport, open_transport, parse_url

log = logging.getLogger(__name__)

TransportFactory = Callable[[PrinterUrl, float], Transport]


@dataclass(frozen=True)
class PrintReport:
    bytes_sent: int
    seconds: float
    status_before: PrinterStatus | None
    """None on a write-only link."""
    confirmed: bool
    """The printer answered after the last byte (False on a write-only link)."""


class Printer:
    def __init__(self, url: str, profile: str | PrinterProfile = "generic-58",
                 timeout: float = 3.0, transport: TransportFactory = open_transport) -> None:
        if not timeout > 0:
            raise PrinterConfigError(f"printer timeout must be positive, not {timeout!r}")
        self.url = parse_url(url)
        self.profile = get_profile(profile)
        self.timeout = float(timeout)
        self._connect = transport
        self._renderer = Renderer(self.profile)

    def __repr__(self) -> str:
        return f"Printer({self.url.text!r}, profile={self.profile.name!r})"

    @property
    def reads_status(self) -> bool:
        """Whether this link can read the printer's answers (not ``file://``, ``status=off``)."""
        return self.url.scheme != "file" and self.url.answers_status

    def render(self, doc: Document) -> bytes:
        return self._renderer.render(doc)

    def status(self) -> PrinterStatus:
        """ok / paper-near-end / paper-out / offline / unknown, within about ``timeout``."""
        started = time.monotonic()
        try:
            link = self._connect(self.url, self.timeout)
        except PrinterUnavailable as exc:
            return PrinterStatus(PrinterState.OFFLINE, str(exc))
        try:
            if not link.can_read:
                return PrinterStatus(PrinterState.UNKNOWN,
                                     "this link cannot read the printer's answers")
            left = max(0.05, self.timeout - (time.monotonic() - started))
            status = query(link, left)
        except PrinterUnavailable as exc:
            return PrinterStatus(PrinterState.OFFLINE, str(exc))
        finally:
            link.close()
        log.debug("printer.status %s", status, extra={"event": "printer.status",
                                                      "state": status.state.value})
        return status

    def print(self, doc: Document | bytes, *, check: bool = True,
              before_send: Callable[[], None] | None = None) -> PrintReport:
        """Send one document (or raw bytes). ``before_send`` runs after the status check and
        before the first byte leaves (the print queue records "sending" there).

        Raises :class:`PrinterNotReady` (answered, cannot print: nothing sent),
        :class:`PrinterUnavailable` / :class:`PrinterTimeout` (no connection: nothing sent),
        :class:`PrintInterrupted` (failed after the first byte, or no confirmation)."""
        data = doc if isinstance(doc, bytes) else self.render(doc)
        started = time.monotonic()
        link = self._connect(self.url, self.timeout)
        try:
            before: PrinterStatus | None = None
            if link.can_read and check:
                before = query(link, self.timeout)
                if not before.ready:
                    raise PrinterNotReady(f"not printing: {before}", before)
            if before_send is not None:
                before_send()
            try:
                link.write(data)
            except PrinterUnavailable as exc:
                raise PrintInterrupted(f"the link failed while sending: {exc}", 0) from exc
            confirmed = False
            if link.can_read:
                try:
                    after = query(link, self.timeout)
                except PrinterUnavailable as exc:
                    raise PrintInterrupted(f"sent {len(data)} bytes, then the link failed: "
                                           f"{exc}", len(data)) from exc
                if after.state is PrinterState.UNKNOWN:
                    raise PrintInterrupted(
                        f"sent {len(data)} bytes but the printer did not confirm: "
                        f"{after.detail}", len(data))
                confirmed = True
        finally:
            link.close()
        seconds = time.monotonic() - started
        log.info("printer.print %d bytes to %s in %.3f s", len(data), self.url, seconds,
                 extra={"event": "printer.print", "bytes": len(data), "url": self.url.text,
                        "seconds": round(seconds, 4), "confirmed": confirmed})
        return PrintReport(len(data), seconds, before, confirmed)

    def open_drawer(self, pin: int = 2) -> None:
        """Kick the cash drawer (no paper needed, so no status check)."""
        if pin not in (2, 5):
            raise PrinterConfigError(f"cash drawer pin must be 2 or 5, not {pin}")
        self.print(Document(title="drawer").drawer(2 if pin == 2 else 5), check=False)


def open_printer(url: str, *, profile: str | PrinterProfile = "generic-58",
                 timeout: float = 3.0) -> Printer:
    """A :class:`Printer` for ``url`` (checked now; nothing is connected until it is used)."""
    return Printer(url, profile, timeout)
