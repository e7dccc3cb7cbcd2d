"""The city card through the card service (issue 10) as a :class:`kiosk.ports.CardPort`.

``cardsvc serve`` owns the readers and the PSAM; the kiosk is one of its clients
(:mod:`cardsvc.client`): its server-sent events tell when a card is tapped or taken away, and
its routes read the holder, the balance and the history, load the purse (online top-up with the
card's PIN) and block a lost card. Every call here blocks and runs off the UI thread: the
events on this adapter's own thread, the rest through the kiosk's ``Tasks``.

A tap becomes a login: ``card_present`` (masked, for every client) -> ``GET /v1/card/holder``
(the holder in full, for this kiosk's form) -> :class:`CardEvent` ``card_present`` with the
:class:`Identity`. A card taken away, a reader gone, or a stream that had to resync while a card
was on the reader, ends the session (``card_removed``): privacy before convenience.

The token is read from ``[service] token_file`` when the first call needs it, so a kiosk that
starts before the card service simply waits for it (the events thread tries again every
second; a screen that asks meanwhile says the card service is unavailable).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cardsvc.client import CardServiceClient, RemoteError
from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError, DeviceError, Refusal
from cardsvc.profile import PurseTxType
from config.settings import Settings
from drivers.idcard.codes import id_number_valid, sex_name
from kiosk.ports import (
    CardAccount,
    CardEvent,
    CardEventKind,
    CardTransaction,
    Fault,
    Identity,
    PortError,
)

log = logging.getLogger(__name__)

ClientFactory = Callable[[], CardServiceClient]

_FAULTS: Mapping[str, Fault] = {
    ErrorCode.WRONG_PIN: Fault.WRONG_PIN, ErrorCode.PIN_BLOCKED: Fault.PIN_BLOCKED,
    ErrorCode.PIN_MALFORMED: Fault.WRONG_PIN,
    ErrorCode.INSUFFICIENT_BALANCE: Fault.INSUFFICIENT, ErrorCode.CARD_BLOCKED: Fault.CARD_BLOCKED,
    ErrorCode.CARD_HOTLISTED: Fault.CARD_BLOCKED, ErrorCode.LOAD_HOTLISTED: Fault.CARD_BLOCKED,
    ErrorCode.BALANCE_LIMIT: Fault.LIMIT, ErrorCode.CARD_BALANCE_LIMIT: Fault.LIMIT,
    ErrorCode.AMOUNT_OVER_LIMIT: Fault.LIMIT,
    ErrorCode.NO_CARD: Fault.NO_CARD, ErrorCode.CARD_REMOVED: Fault.NO_CARD,
    ErrorCode.SEVERAL_CARDS: Fault.NO_CARD,
    ErrorCode.SERVICE_NOT_RUNNING: Fault.CARD_SERVICE,
    ErrorCode.LOAD_AUTHORITY_UNAVAILABLE: Fault.OFFLINE,
    ErrorCode.CLEARING_UNAVAILABLE: Fault.OFFLINE,
}
_KINDS: Mapping[int, str] = {PurseTxType.LOAD: "load", PurseTxType.PURCHASE: "purchase",
                             PurseTxType.COMPOUND: "bus"}


def port_error(exc: CardServiceError) -> PortError:
    """The kiosk's code for a card-service error (the service's code stays in the message)."""
    code = str(exc.code)
    fault = _FAULTS.get(code)
    if fault is None:
        fault = (Fault.CARD_REFUSED if isinstance(exc, Refusal) else
                 Fault.CARD_SERVICE if isinstance(exc, DeviceError) else Fault.UNKNOWN)
    details: dict[str, Any] = {"code": code}
    if isinstance(exc, RemoteError) and "tries_left" in exc.body:
        details["tries_left"] = exc.body["tries_left"]
    return PortError(fault, code, details=details)


def holder_identity(card_no: str, name: str, id_number: str) -> Identity:
    """The card's holder as the kiosk's :class:`Identity`; sex and birth date from a valid
    resident ID number (GB 11643: birth date at 7-14, the 17th digit odd for men)."""
    sex = birth = ""
    if id_number_valid(id_number):
        birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
        sex = sex_name("1" if int(id_number[16]) % 2 else "2")
    return Identity(source="city_card", name=name, id_number=id_number, sex=sex,
                    birth_date=birth, card_no=card_no)


class ServiceCard:
    """The card service as the kiosk's card port (one client, one events thread)."""

    def __init__(self, connect: ClientFactory, *, retry_s: float = 1.0) -> None:
        self._connect = connect
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._client: CardServiceClient | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceCard:
        """The service at ``[service]`` host and port, its token from ``token_file``."""
        return cls(lambda: CardServiceClient.from_settings(settings, timeout_s=20.0))

    def client(self) -> CardServiceClient:
        """The client, made on first use (reads the token file): a :class:`PortError`
        ``card_service`` while the service has not started."""
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._connect()
                except CardServiceError as exc:
                    raise port_error(exc) from None
            return self._client

    def _call(self, fn: Callable[[CardServiceClient], Any]) -> Any:
        client = self.client()
        try:
            return fn(client)
        except CardServiceError as exc:
            raise port_error(exc) from None

    # -- the port -------------------------------------------------------------------------------
    def watch(self, on_event: Callable[[CardEvent], None]) -> None:
        if self._thread is not None:
            raise RuntimeError("the card port is watched already")
        self._thread = threading.Thread(target=self._run, args=(on_event,),
                                        name="kiosk-card-events", daemon=True)
        self._thread.start()

    def identity(self) -> Identity:
        """The holder of the card on the reader now."""
        h = self._call(lambda c: c.holder())
        return holder_identity(h.card_no, h.name, h.id_number)

    def account(self) -> CardAccount:
        """The card's number, state and balance; a blocked (lost) card's purse cannot be read:
        its balance is 0 and its state says why (the screen shows the state, not the 0)."""
        view = self._call(lambda c: c.identify())
        status = "active" if view.status == "ok" else view.status
        try:
            fen = self._call(lambda c: c.balance()).balance_fen
        except PortError as exc:
            if exc.code is not Fault.CARD_BLOCKED:
                raise
            fen, status = 0, "blocked"
        return CardAccount(view.card_no, fen, status)

    def history(self) -> Sequence[CardTransaction]:
        doc = self._call(lambda c: c.history())
        out = []
        for r in doc.get("purse", []):
            kind = _KINDS.get(int(r.get("type", 0)), "purchase")
            place = str(r.get("terminal_id", ""))
            out.append(CardTransaction(dt.datetime.fromisoformat(r["date_time"]), kind,
                                       int(r["amount_fen"]), place))
        return out

    def top_up(self, amount_fen: int, pin: str, client_ref: str) -> CardAccount:
        tx = self._call(lambda c: c.load(amount_fen, pin, client_ref=client_ref))
        return CardAccount(tx.card_no, int(tx.balance_fen or 0), "active")

    def report_lost(self, pin: str, client_ref: str) -> None:
        # blocking is idempotent on the card and at clearing; the reference is for the log
        self._call(lambda c: c.block(pin))
        log.info("kiosk.card.reported_lost", extra={"event": "kiosk.card.reported_lost",
                                                    "client_ref": client_ref})

    def close(self) -> None:
        """Never blocks: the events thread ends at its next event or keep-alive (<= 10 s) and
        delivers nothing more."""
        self._stop.set()
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- the events thread ----------------------------------------------------------------------
    def _run(self, on_event: Callable[[CardEvent], None]) -> None:
        present = False

        def tell(kind: CardEventKind, identity: Identity | None = None, card_no: str = ""
                 ) -> None:
            if not self._stop.is_set():
                try:
                    on_event(CardEvent(kind, identity, card_no))
                except RuntimeError:  # the kiosk is gone (its relay deleted)
                    self._stop.set()

        while not self._stop.is_set():
            try:
                client = self.client()
                for event in client.events(stop=self._stop):
                    kind = event.type
                    if kind == "card_present" and "card_no" in event.data:
                        present = True
                        tell(CardEventKind.CARD_PRESENT, self._holder(), str(event.data["card_no"]))
                    elif kind == "card_present":  # a card that could not be read
                        log.info("kiosk.card.unreadable", extra={
                            "event": "kiosk.card.unreadable", "code": event.data.get("code")})
                    elif kind in ("card_removed", "reader_unavailable", "resync") and present:
                        present = False
                        tell(CardEventKind.CARD_REMOVED)
                    if kind in ("reader_available", "reader_unavailable"):
                        tell(CardEventKind(kind))
            except PortError:
                pass  # no service yet: try again
            except CardServiceError as exc:
                log.warning("kiosk.card.events_refused: %s", exc.code,
                            extra={"event": "kiosk.card.events_refused", "code": str(exc.code)})
            except Exception:
                log.exception("kiosk.card.events_failed", extra={"event": "kiosk.card.events"})
            if present:  # the stream broke: we cannot know the card is still there
                present = False
                tell(CardEventKind.CARD_REMOVED)
            self._stop.wait(self._retry_s)

    def _holder(self) -> Identity | None:
        try:
            return self.identity()
        except PortError as exc:  # taken away already, or a card without a holder
            log.info("kiosk.card.holder_unread: %s", exc.code,
                     extra={"event": "kiosk.card.holder_unread", "code": exc.code.value})
            return None
