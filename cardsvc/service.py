"""The card service (``cardsvc serve``): the long-running part of a terminal.

* On start it counts the journal's unresolved entries (a crash left them ``pending`` or
  ``unknown``) and resolves each one as its card comes back: a reader monitor watches the
  readers and every inserted card with unresolved entries is recovered before anything else.
* It serves the local API (:mod:`cardsvc.api`): card operations for the kiosk and the POS,
  loopback only, bearer token.
* It runs the uploader (when a clearing service is configured) and pokes it after each
  transaction.

Card operations are serialised (one card, one reader, one PSAM): a lock is held for each.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cardsvc.clearing_client import ClearingClient
from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError, ServiceConfigError
from cardsvc.session import card_session, open_journal, sam_spec
from cardsvc.terminal import CardTerminal
from cardsvc.uploader import Uploader, UploadReport
from config.files import TokenFileError, read_token_file
from config.settings import Settings
from drivers.pcsc import monitor as mon

log = logging.getLogger(__name__)
_T = TypeVar("_T")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def load_or_create_token(path: Path) -> str:
    """The API token from ``path``; a new random one (mode 0600) if the file is missing."""
    try:
        return read_token_file(path)
    except TokenFileError as exc:
        if exc.reason != "missing":
            code = ErrorCode.TOKEN_FILE_OPEN if exc.reason == "open" else \
                ErrorCode.TOKEN_FILE_INVALID
            raise ServiceConfigError(str(exc), code=code) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never two tokens
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    log.info("created the local API token", extra={"path": str(path)})
    return token


class CardService:
    def __init__(self, settings: Settings) -> None:
        if settings.service.host not in LOOPBACK:
            raise ServiceConfigError(
                f"the card service binds to loopback only, not {settings.service.host!r}",
                code=ErrorCode.API_NOT_LOOPBACK)
        self.settings = settings
        self.token = load_or_create_token(settings.var_path(settings.service.token_file))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor: mon.ReaderMonitor | None = None
        self._watcher: threading.Thread | None = None
        self.uploader: Uploader | None = None
        self._clearing: ClearingClient | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        with open_journal(self.settings) as journal:
            counts = journal.counts()
        unresolved = counts["pending"] + counts["unknown"]
        log.info("card service starting", extra={"unresolved": unresolved,
                                                 "not_uploaded": counts["not_uploaded"]})
        self._monitor = mon.ReaderMonitor(self.settings.card.backend)
        events = self._monitor.events()
        self._monitor.start()
        self._watcher = threading.Thread(target=self._watch, args=(events,), name="recovery",
                                         daemon=True)
        self._watcher.start()
        if self.settings.clearing_client.url:
            self._clearing = ClearingClient.from_settings(self.settings)
            self.uploader = Uploader(self.settings.var.journal, self._clearing)
            self.uploader.start()

    def stop(self) -> None:
        self._stop.set()
        if self._monitor:
            self._monitor.stop()
        if self._watcher:
            self._watcher.join(5)
        if self.uploader:
            self.uploader.stop()
        if self._clearing:
            self._clearing.close()

    # -- crash recovery as cards come back -----------------------------------------------
    def _watch(self, events: queue.Queue[mon.MonitorEvent]) -> None:
        try:
            skip = sam_spec(self.settings).reader
        except CardServiceError:  # a malformed [card] sam: every card operation says so
            skip = None
        while not self._stop.is_set():
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(event, mon.CardInserted) and event.reader != skip:
                self._recover_on_insert(event.reader)

    def _recover_on_insert(self, reader: str) -> None:
        with open_journal(self.settings) as journal:
            if not journal.unresolved():
                return
        try:
            resolved = self.run(lambda t: t.recover(), reader=reader)
        except CardServiceError as exc:
            log.warning("recovery on insert failed", extra={"reader": reader, "error": str(exc)})
            return
        for r in resolved:
            log.info("recovered on insert", extra=r.as_dict())

    # -- operations ----------------------------------------------------------------------
    def run(self, op: Callable[[CardTerminal], _T], *, reader: str | None = None,
            load: bool = False) -> _T:
        """Run one operation on the card in the reader, serialised with all others."""
        settings = self.settings.override({"card": {"reader": reader}})
        with self._lock, card_session(settings, with_load_authority=load) as t:
            result = op(t)
        if self.uploader:
            self.uploader.poke()
        return result

    def upload_now(self) -> UploadReport:
        if not self.uploader:
            raise ServiceConfigError("no clearing service is configured ([clearing_client] url)",
                                     code=ErrorCode.CLEARING_NOT_CONFIGURED)
        return self.uploader.upload_once()

    def status(self) -> dict[str, Any]:
        with open_journal(self.settings) as journal:
            counts = journal.counts()
            hotlist = journal.hotlist_version()
        readers = {}
        if self._monitor:
            readers = {name: info.state.value for name, info in self._monitor.readers().items()}
        return {"journal": counts, "hotlist_version": hotlist, "readers": readers,
                "pcsc_available": self._monitor.service_available if self._monitor else None,
                "clearing": self.settings.clearing_client.url or None}
