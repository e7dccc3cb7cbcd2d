"""The terminal's HTTP client for the clearing service (``backoffice``).

It uploads transaction batches, downloads the hotlist, reports cards lost and authorises
loads; it *is* a :class:`~cardsvc.load_authority.LoadAuthority` (the remote one of card-spec
section 5), so a terminal swaps it for the in-process authority without other changes.

    with ClearingClient.from_settings(settings) as clearing:
        result = clearing.upload([entry.upload_record() for entry in batch])
        acked = [e for e, o in zip(batch, result.outcomes) if o.acknowledged]
        hot = clearing.hotlist(since=my_version)
        mac2 = clearing.authorize_load(card_factor=..., alg=..., ...)   # LoadAuthority

Every request carries ``Authorization: Bearer <token>`` and has a timeout. The client does not
retry (the uploader owns retries and backoff; uploads are idempotent on the server). Errors::

    ClearingError (CardServiceError)
    ├── ClearingRejected      the service refused the request (4xx); .status, .service_code
    │   └── ClearingUnauthorized  401: missing or wrong token (a configuration matter)
    └── ClearingBadAnswer     the answer is not what the protocol says
    ClearingUnreachable (DeviceError)   no connection, timeout, or the service answered 5xx

``authorize_load`` raises the load-authority errors of :mod:`cardsvc.load_authority`
(``LoadAuthorityUnavailable``, ``LoadMac1Error``, ``LoadOverLimit``, ``LoadHotlisted``,
``LoadDeclined``, ``LoadAuthorityError``), each raised ``from`` the clearing error that says
what the service answered (HTTP status, its error code); a wrong token stays
``ClearingUnauthorized``. Messages never contain the token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import httpx

from cardsvc import crypto
from cardsvc.codes import ErrorCode as E
from cardsvc.errors import CardServiceError, DeviceError, ServiceConfigError
from cardsvc.load_authority import (
    LoadAuthority,
    LoadAuthorityError,
    LoadAuthorityUnavailable,
    LoadDeclined,
    LoadHotlisted,
    LoadMac1Error,
    LoadOverLimit,
    LoadRequest,
)
from cardsvc.profile import ALG_NAMES, AlgName, TxTypeName
from config.settings import ConfigError, Settings

__all__ = [
    "ClearingBadAnswer",
    "ClearingClient",
    "ClearingError",
    "ClearingRejected",
    "ClearingUnauthorized",
    "ClearingUnreachable",
    "Hotlist",
    "HotlistChange",
    "HotlistEntry",
    "RecordOutcome",
    "RefundAuthority",
    "UploadRecord",
    "UploadResult",
]

DEFAULT_TIMEOUT_S = 5.0


# --------------------------------------------------------------------------- errors


class _Answered:
    """What a clearing error knows of the service's answer (a mixin of data: each clearing
    error class has exactly one parent in the card service's exception tree)."""

    status: int | None
    """The HTTP status, when the service answered."""
    service_code: str | None
    """The service's error code (``error`` field), when it gave one."""

    def __init__(self, message: str | None = None, *, code: E | None = None,
                 status: int | None = None, service_code: str | None = None) -> None:
        super().__init__(message, code=code)  # type: ignore[call-arg]
        self.status = status
        self.service_code = service_code


class ClearingError(_Answered, CardServiceError, code=E.CLEARING_FAILED):
    """The clearing service refused or failed a request."""


class ClearingUnreachable(_Answered, DeviceError, code=E.CLEARING_UNAVAILABLE):
    """No connection, a timeout, or the service answered 5xx (a device-family error: the
    uploader retries it with backoff)."""


class ClearingRejected(ClearingError, code=E.CLEARING_REJECTED):
    """The service refused the request (4xx)."""


class ClearingUnauthorized(ClearingRejected, code=E.CLEARING_UNAUTHORIZED):
    """401: the token is missing or wrong."""


class ClearingBadAnswer(ClearingError, code=E.CLEARING_BAD_ANSWER):
    """The answer is not what the protocol says."""


_LOAD_REFUSALS: dict[str, type[LoadMac1Error] | type[LoadDeclined]] = {
    "mac1_invalid": LoadMac1Error,
    "load_limit": LoadOverLimit,
    "card_hotlisted": LoadHotlisted,
}
"""The clearing service's refusal codes of a load, as load-authority errors."""


# --------------------------------------------------------------------------- data


class UploadRecord(TypedDict):
    """One record of the upload contract (``cardsvc.journal.Entry.upload_record()``)."""

    card_no: str
    card_atc: int
    terminal_id: str
    ttsn: int
    type: TxTypeName
    amount_fen: int
    balance_after_fen: int
    date_time: str
    tac: str
    alg: AlgName
    hotlist_version: int


@dataclass(frozen=True)
class RecordOutcome:
    index: int
    status: Literal["new", "duplicate", "rejected"]
    reason_code: str | None = None
    """For a rejection: ``malformed``, ``bad_tac`` or ``conflict``."""
    reason: str | None = None
    flag_id: int | None = None

    @property
    def acknowledged(self) -> bool:
        """Stored at clearing (now or before): the terminal may mark it uploaded."""
        return self.status in ("new", "duplicate")


@dataclass(frozen=True)
class UploadResult:
    received: int
    new: int
    duplicate: int
    rejected: int
    outcomes: tuple[RecordOutcome, ...]
    """One per uploaded record, in the order sent."""


@dataclass(frozen=True)
class HotlistEntry:
    card_no: str
    version: int
    reason: str
    listed_at: str


@dataclass(frozen=True)
class Hotlist:
    version: int
    full: bool
    """True: ``cards`` is the whole list; false: only the entries added after ``since``."""
    since: int | None
    cards: tuple[HotlistEntry, ...]

    @property
    def card_numbers(self) -> tuple[str, ...]:
        return tuple(e.card_no for e in self.cards)


@dataclass(frozen=True)
class HotlistChange:
    added: bool
    version: int
    entry: HotlistEntry


def _field(doc: Mapping[str, Any], name: str, kind: type | tuple[type, ...],
           *, optional: bool = False) -> Any:
    value = doc.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ClearingBadAnswer(f"the clearing service's answer has no valid {name!r}")
    return value


def _entry(doc: Any) -> HotlistEntry:
    if not isinstance(doc, Mapping):
        raise ClearingBadAnswer("a hotlist entry is not an object")
    return HotlistEntry(_field(doc, "card_no", str), _field(doc, "version", int),
                        _field(doc, "reason", str), _field(doc, "listed_at", str))


def _outcome(doc: Any) -> RecordOutcome:
    if not isinstance(doc, Mapping):
        raise ClearingBadAnswer("an upload outcome is not an object")
    status = _field(doc, "status", str)
    if status not in ("new", "duplicate", "rejected"):
        raise ClearingBadAnswer(f"unknown upload outcome {status!r}")
    return RecordOutcome(_field(doc, "index", int), status,
                         _field(doc, "reason_code", str, optional=True),
                         _field(doc, "reason", str, optional=True),
                         _field(doc, "flag_id", int, optional=True))


# --------------------------------------------------------------------------- client


class ClearingClient(LoadAuthority):
    """HTTP client of the clearing service. Thread-safe (one ``httpx.Client``)."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not base_url:
            raise ServiceConfigError("no clearing service URL ([clearing_client] url)",
                                     code=E.CLEARING_NOT_CONFIGURED)
        if not token:
            raise ServiceConfigError("no clearing service token ([clearing_client] token_file)",
                                     code=E.CLEARING_NOT_CONFIGURED)
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=httpx.Timeout(timeout_s), transport=transport,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                      transport: httpx.BaseTransport | None = None) -> ClearingClient:
        """From ``[clearing_client] url, token_file``; :class:`ServiceConfigError` when there
        is no URL or no usable token."""
        client = settings.clearing_client
        if not client.url:
            raise ServiceConfigError("no clearing service URL ([clearing_client] url)",
                                     code=E.CLEARING_NOT_CONFIGURED)
        try:
            token = settings.client_token(client, "clearing_client")
        except ConfigError as exc:
            raise ServiceConfigError(str(exc), code=E.CLEARING_NOT_CONFIGURED) from None
        return cls(client.url, token, timeout_s=timeout_s, transport=transport)

    def __repr__(self) -> str:
        return f"ClearingClient({self.base_url!r}, token=<hidden>)"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClearingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _request(self, method: str, path: str, *, json: Any = None,
                 params: Mapping[str, Any] | None = None, ok: tuple[int, ...] = (200,)) -> Any:
        what = f"{method} {self.base_url}{path}"
        try:
            response = self._http.request(method, path, json=json, params=params)
        except httpx.TimeoutException:
            raise ClearingUnreachable(f"{what}: timed out") from None
        except httpx.HTTPError as exc:
            raise ClearingUnreachable(f"{what}: {type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        code = body.get("error") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        detail = f"{what}: {response.status_code} {code or ''} {message or ''}".rstrip()
        if response.status_code >= 500:
            raise ClearingUnreachable(detail, status=response.status_code, service_code=code)
        if response.status_code == 401:
            raise ClearingUnauthorized(detail, status=401, service_code=code)
        if response.status_code not in ok:
            raise ClearingRejected(detail, status=response.status_code, service_code=code)
        if body is None:
            raise ClearingBadAnswer(f"{what}: the answer is not JSON",
                                    status=response.status_code)
        return body

    # ------------------------------------------------------------------ operations

    def health(self) -> dict[str, Any]:
        body = self._request("GET", "/healthz")
        if not isinstance(body, dict):
            raise ClearingBadAnswer("the health answer is not an object")
        return body

    def upload(self, records: Sequence[Mapping[str, Any]]) -> UploadResult:
        """Upload one batch (at most the service's limit, 5000 by default) in one request.

        Returns one outcome per record, in order. A record is stored at clearing when its
        outcome is ``acknowledged`` (new or duplicate); a rejected one never will be (send it
        to the dead letters with ``reason``).
        """
        body = self._request("POST", "/v1/transactions", json=[dict(r) for r in records])
        if not isinstance(body, dict) or not isinstance(body.get("outcomes"), list):
            raise ClearingBadAnswer("the upload answer has no outcomes")
        outcomes = tuple(_outcome(o) for o in body["outcomes"])
        if len(outcomes) != len(records) or any(o.index != i for i, o in enumerate(outcomes)):
            raise ClearingBadAnswer(f"the upload answer has {len(outcomes)} outcomes for "
                                    f"{len(records)} records")
        return UploadResult(_field(body, "received", int), _field(body, "new", int),
                            _field(body, "duplicate", int), _field(body, "rejected", int),
                            outcomes)

    def hotlist(self, since: int | None = None) -> Hotlist:
        """The whole hotlist, or (``since``) the entries added after that version."""
        params = {"since": since} if since is not None else None
        body = self._request("GET", "/v1/hotlist", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("cards"), list):
            raise ClearingBadAnswer("the hotlist answer has no cards")
        return Hotlist(_field(body, "version", int), _field(body, "full", bool),
                       _field(body, "since", int, optional=True),
                       tuple(_entry(e) for e in body["cards"]))

    def report_lost(self, card_no: str, reason: str = "lost") -> HotlistChange:
        """Put a card on the hotlist (nothing changes when it already is)."""
        body = self._request("POST", "/v1/hotlist", json={"card_no": card_no,
                                                          "reason": reason}, ok=(200, 201))
        if not isinstance(body, dict):
            raise ClearingBadAnswer("the hotlist answer is not an object")
        return HotlistChange(_field(body, "added", bool), _field(body, "version", int),
                             _entry(body.get("entry")))

    def _authorize(self, request: LoadRequest, *, path: str = "/v1/loads/authorise",
                   extra: Mapping[str, Any] | None = None) -> bytes:
        try:
            card_no = crypto.from_bcd(request.card_factor)
            moment = crypto.parse_bcd_datetime(request.date + request.time)
            terminal_id = crypto.from_bcd(request.terminal_id)
        except crypto.CryptoError as exc:
            raise LoadDeclined(f"malformed load request: {exc}") from None
        payload = {
            "card_no": card_no, "alg": ALG_NAMES[request.alg], "online_atc": request.online_atc,
            "card_random": request.card_random.hex().upper(),
            "balance_before_fen": request.balance_before, "amount_fen": request.amount,
            "terminal_id": terminal_id, "date_time": moment.isoformat(),
            "mac1": request.mac1.hex().upper(), **(extra or {}),
        }
        try:
            body = self._request("POST", path, json=payload)
        except ClearingUnreachable as exc:
            raise LoadAuthorityUnavailable(str(exc)) from exc
        except ClearingUnauthorized:
            raise
        except ClearingRejected as exc:
            refusal = _LOAD_REFUSALS.get(exc.service_code or "", LoadDeclined)
            if exc.service_code in ("already_refunded", "original_not_found"):
                raise LoadDeclined(str(exc), code=E.REFUND_REFUSED) from exc
            raise refusal(str(exc)) from exc
        except ClearingBadAnswer as exc:
            raise LoadAuthorityError(str(exc), code=E.LOAD_BAD_ANSWER) from exc
        mac2_hex = body.get("mac2") if isinstance(body, dict) else None
        try:
            mac2 = bytes.fromhex(mac2_hex) if isinstance(mac2_hex, str) else b""
        except ValueError:
            mac2 = b""
        if len(mac2) != 4:
            raise LoadAuthorityError("the load authorisation answer has no valid MAC2",
                                     code=E.LOAD_BAD_ANSWER)
        if body.get("card_no") != card_no or body.get("online_atc") != request.online_atc:
            raise LoadAuthorityError("the load authorisation answer is for another card or ATC",
                                     code=E.LOAD_BAD_ANSWER)
        return mac2


class RefundAuthority(LoadAuthority):
    """The load authority of one refund: clearing authorises the load against the original
    purchase (``terminal_id``, ``ttsn``), at most once per purchase."""

    def __init__(self, clearing: ClearingClient, terminal_id: str, ttsn: int) -> None:
        self._clearing = clearing
        self._original = {"original_terminal_id": terminal_id, "original_ttsn": ttsn}

    def _authorize(self, request: LoadRequest) -> bytes:
        return self._clearing._authorize(request, path="/v1/refunds/authorise",
                                         extra=self._original)
