"""The resident ID-card reader (drivers/idcard) as a :class:`kiosk.ports.IdCardPort`: a thread
polls the reader while a screen waits for a card; each card newly laid on it is read once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.idcard import Citizen, IdCardError, IdCardReader, NoCard, ReaderUnavailable
from kiosk.ports import Fault, Identity

log = logging.getLogger(__name__)


def identity_of(citizen: Citizen) -> Identity:
    return Identity(source="id_card", name=citizen.name, id_number=citizen.id_number,
                    sex=citizen.sex, birth_date=citizen.birth_date.isoformat(),
                    address=citizen.address, nation=citizen.nation)


class SerialIdCard:
    def __init__(self, url: str, *, poll_s: float = 0.3, timeout_s: float = 2.0) -> None:
        self.url, self.poll_s, self.timeout_s = url, poll_s, timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_identity: Callable[[Identity], None],
              on_fault: Callable[[Fault], None]) -> None:
        """Never blocks: the new thread waits for the previous one to let go of the port."""
        previous = self._thread
        self._stop.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(on_identity, on_fault,
                                                                self._stop, previous),
                                        name="kiosk-idcard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Never blocks (called on the UI thread): the thread ends after its current poll."""
        self._stop.set()

    def close(self) -> None:
        """Stop and wait for the thread (shutdown)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.timeout_s + 1)

    def _run(self, on_identity: Callable[[Identity], None], on_fault: Callable[[Fault], None],
             stop: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None:
            previous.join(timeout=self.timeout_s + 1)
        reader: IdCardReader | None = None
        present = False
        faulty = False
        try:
            while not stop.is_set():
                try:
                    if reader is None:
                        reader = IdCardReader.open(self.url, timeout=self.timeout_s)
                    citizen = reader.read_card()
                except NoCard:
                    present = False
                except ReaderUnavailable as exc:
                    if reader is not None:
                        reader.close()
                    reader = None
                    if not faulty:
                        log.warning("kiosk.idcard.unavailable: %s", exc,
                                    extra={"event": "kiosk.idcard.unavailable"})
                        on_fault(Fault.DEVICE)
                    faulty = True
                    stop.wait(2.0)
                    continue
                except IdCardError as exc:  # a bad read: try again, tell once
                    log.info("kiosk.idcard.read_failed: %s", type(exc).__name__,
                             extra={"event": "kiosk.idcard.read_failed"})
                else:
                    faulty = False
                    if not present:
                        present = True
                        on_identity(identity_of(citizen))
                stop.wait(self.poll_s)
        finally:
            if reader is not None:
                reader.close()
