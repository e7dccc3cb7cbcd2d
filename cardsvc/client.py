"""The card service's client: what the kiosk, the cash register and the CLI use (httpx, sync).

    with CardServiceClient.from_settings(settings) as svc:        # token from [service] token_file
        for event in svc.events(stop=stop_flag):                   # card events, reconnecting
            if event.type == "card_present": ...
        info = svc.identify(); svc.holder(); svc.balance(); svc.history()
        tx = svc.load(10000, pin="123456")                         # a client_ref is made for you
        tx = svc.sale(1250, "canteen", client_ref="pos1-42", timeout_s=60)
        svc.cancel_sale("pos1-42")

A money call always carries a ``client_ref`` (yours, or a fresh one) and is retried with the same
key when the answer is lost (connection reset, timeout): the service answers the first result
and never charges twice. Errors are the card service's families, with the service's code:
:class:`RemoteRefusal` (409: nothing taken), :class:`RemoteUnavailable` (503, 504, or no
service), :class:`RemoteProtocolError` (502), :class:`RemoteConfigError` (401, 500),
:class:`RemoteBadRequest` (400, 404, 413). ``exc.code`` is the :class:`ErrorCode`,
``exc.message_zh`` the service's Chinese, ``exc.body`` the whole answer.

A local GUI gets its token from the token file (``[service] token_file``), which
``cardsvc serve --token-group GROUP`` makes readable (0640) by the kiosk's group.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx

from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    CardProtocolError,
    CardServiceError,
    DeviceError,
    Refusal,
    ServiceConfigError,
)
from cardsvc.events import Event
from cardsvc.service import read_token
from config.settings import Settings

__all__ = ["Balance", "CardServiceClient", "CardView", "Holder", "RemoteBadRequest",
           "RemoteConfigError",
           "RemoteError", "RemoteProtocolError", "RemoteRefusal", "RemoteUnavailable", "Tx"]

log = logging.getLogger(__name__)
RETRIES = 2


class RemoteError:
    """What an error the service answered carries (a mixin of data, not an exception class:
    each remote error is in exactly one family of the card service's tree)."""

    message_zh: str
    body: dict[str, Any]
    status: int | None

    def __init__(self, body: Mapping[str, Any], status: int | None = None) -> None:
        try:
            code = ErrorCode(str(body.get("error")))
        except ValueError:
            code = ErrorCode.FAILED
        super().__init__(str(body.get("message") or code.value), code=code)  # type: ignore[call-arg]
        self.message_zh = str(body.get("message_zh") or "")
        self.body = dict(body)
        self.status = status


class RemoteRefusal(RemoteError, Refusal):
    """409: refused, nothing taken."""


class RemoteUnavailable(RemoteError, DeviceError):
    """503/504, or no service at all."""


class RemoteProtocolError(RemoteError, CardProtocolError):
    """502: the card answered wrongly."""


class RemoteConfigError(RemoteError, ServiceConfigError):
    """401 or 500: token or configuration."""


class RemoteBadRequest(RemoteError, CardServiceError):
    """400, 404, 413: the request itself."""


_RemoteKind = (type[RemoteRefusal] | type[RemoteUnavailable] | type[RemoteProtocolError]
               | type[RemoteConfigError] | type[RemoteBadRequest])
_BY_STATUS: Mapping[int, _RemoteKind] = MappingProxyType({
    409: RemoteRefusal, 503: RemoteUnavailable, 504: RemoteUnavailable,
    502: RemoteProtocolError, 401: RemoteConfigError, 500: RemoteConfigError})


def remote_error(status: int, body: Any) -> CardServiceError:
    """The card-service error of an answer with HTTP ``status`` and JSON ``body``."""
    kind = _BY_STATUS.get(status, RemoteBadRequest)
    return kind(body if isinstance(body, dict) else {}, status)


@dataclass(frozen=True)
class CardView:
    """The card on the reader, as a kiosk shows it."""

    card_no: str
    card_no_masked: str
    holder_name: str | None
    id_number_masked: str | None
    card_type: str
    card_type_zh: str
    status: str
    valid_from: str
    valid_to: str


@dataclass(frozen=True)
class Holder:
    """The card holder in full: what a kiosk fills a form with (never log it)."""

    card_no: str
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    id_type: int = 0


@dataclass(frozen=True)
class Balance:
    card_no: str
    balance_fen: int


@dataclass(frozen=True)
class Tx:
    """A completed debit or load (or a free ride: ``free``, amount 0)."""

    card_no: str
    amount_fen: int
    balance_fen: int | None
    client_ref: str | None
    replayed: bool
    free: bool
    raw: Mapping[str, Any]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Tx:
        return cls(str(doc["card_no"]), int(doc["amount_fen"]),
                   None if doc.get("balance_fen") is None else int(doc["balance_fen"]),
                   doc.get("client_ref"), bool(doc.get("replayed")), bool(doc.get("free")),
                   dict(doc))


class CardServiceClient:
    def __init__(self, token: str, base_url: str = "http://127.0.0.1:8470", *,
                 uds: str | None = None, timeout_s: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if transport is None and uds is not None:
            transport = httpx.HTTPTransport(uds=uds)
        self.base_url = "http://cardsvc" if uds else base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout_s
        self._transport = transport
        self._http = httpx.Client(base_url=self.base_url, headers=self._headers,
                                  timeout=timeout_s, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings, *, uds: str | None = None,
                      timeout_s: float = 30.0) -> CardServiceClient:
        """The local service of ``settings`` ([service] host, port, token_file)."""
        path = settings.var_path(settings.service.token_file)
        try:
            token = read_token(path)
        except FileNotFoundError:
            raise RemoteUnavailable({"error": ErrorCode.SERVICE_NOT_RUNNING.value,
                                     "message": f"no token file {path}: is cardsvc serve "
                                                "running?", "message_zh": "卡服务未运行"}
                                    ) from None
        except PermissionError:
            raise RemoteConfigError({"error": ErrorCode.TOKEN_FILE_OPEN.value,
                                     "message": f"cannot read the token file {path}",
                                     "message_zh": "无法读取令牌文件"}) from None
        host = settings.service.host
        host = f"[{host}]" if ":" in host else host
        return cls(token, f"http://{host}:{settings.service.port}", uds=uds,
                   timeout_s=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CardServiceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None, *,
              retry: bool = False, timeout: float | None = None) -> Any:
        attempts = RETRIES + 1 if retry else 1
        for attempt in range(attempts):
            try:
                answer = self._http.request(method, path, json=body,
                                            timeout=timeout or self._timeout)
                break
            except httpx.ConnectError as exc:
                if attempt + 1 == attempts:
                    raise RemoteUnavailable({"error": ErrorCode.SERVICE_NOT_RUNNING.value,
                                             "message": f"{self.base_url}: {exc}",
                                             "message_zh": "卡服务未运行"}) from None
            except httpx.TransportError as exc:  # the answer may be lost: same client_ref
                if attempt + 1 == attempts:
                    raise RemoteUnavailable({"error": ErrorCode.SERVICE_NOT_RUNNING.value,
                                             "message": f"{self.base_url}: no answer: {exc}",
                                             "message_zh": "卡服务无应答"}) from None
                log.warning("no answer from the card service; retrying with the same key",
                            extra={"path": path, "attempt": attempt + 1})
            time.sleep(0.2 * (attempt + 1))
        try:
            doc = answer.json()
        except ValueError:
            doc = {"error": ErrorCode.FAILED.value, "message": answer.text[:200]}
        if answer.status_code >= 400:
            raise remote_error(answer.status_code, doc)
        return doc

    @staticmethod
    def _ref(client_ref: str | None) -> str:
        return client_ref or f"cli-{uuid.uuid4().hex[:24]}"

    # -- reading -------------------------------------------------------------------------
    def health(self) -> bool:
        try:
            return self._http.get("/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/v1/status")
        return result

    def identify(self) -> CardView:
        d = self._call("GET", "/v1/card")
        return CardView(d["card_no"], d["card_no_masked"], d["holder_name"],
                        d["id_number_masked"], d["card_type"], d["card_type_zh"], d["status"],
                        d["valid_from"], d["valid_to"])

    def holder(self) -> Holder:
        """The holder of the card on the reader in full (``/v1/card/holder``)."""
        d = self._call("GET", "/v1/card/holder")
        return Holder(str(d["card_no"]), str(d["name"]), str(d["id_number"]),
                      int(d["id_type"]))

    def balance(self) -> Balance:
        d = self._call("GET", "/v1/card/balance")
        return Balance(d["card_no"], int(d["balance_fen"]))

    def history(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/v1/card/history")
        return result

    # -- money ---------------------------------------------------------------------------
    def purchase(self, amount_fen: int, kind: str = "canteen", *, client_ref: str | None = None,
                 again: bool = False) -> Tx:
        return Tx.of(self._call("POST", "/v1/card/purchase", {
            "amount_fen": amount_fen, "kind": kind, "client_ref": self._ref(client_ref),
            "again": again}, retry=True))

    def ride(self, line: str, fare_fen: int | None = None, *, client_ref: str | None = None,
             again: bool = False) -> Tx:
        return Tx.of(self._call("POST", "/v1/card/ride", {
            "line": line, "fare_fen": fare_fen, "client_ref": self._ref(client_ref),
            "again": again}, retry=True))

    def load(self, amount_fen: int, pin: str, *, client_ref: str | None = None,
             again: bool = False) -> Tx:
        return Tx.of(self._call("POST", "/v1/card/load", {
            "amount_fen": amount_fen, "pin": pin, "client_ref": self._ref(client_ref),
            "again": again}, retry=True))

    def refund(self, original_client_ref: str, pin: str, *,
               client_ref: str | None = None) -> Tx:
        """Refund the sale ``original_client_ref`` onto its card (online, once per sale)."""
        return Tx.of(self._call("POST", "/v1/card/refund", {
            "pin": pin, "original_client_ref": original_client_ref,
            "client_ref": self._ref(client_ref)}, retry=True))

    def block(self, pin: str | None = None) -> str:
        return str(self._call("POST", "/v1/card/block", {"pin": pin})["card_no"])

    def sale(self, amount_fen: int, kind: str, client_ref: str, *, timeout_s: float = 60.0,
             receipt: bool = True) -> Tx:
        """Wait (in the service) up to ``timeout_s`` for a tap and charge it."""
        return Tx.of(self._call("POST", "/v1/sales", {
            "amount_fen": amount_fen, "kind": kind, "client_ref": client_ref,
            "timeout_s": timeout_s, "receipt": receipt}, retry=True, timeout=timeout_s + 15))

    def cancel_sale(self, client_ref: str) -> bool:
        return bool(self._call("POST", f"/v1/sales/{client_ref}/cancel")["cancelled"])

    def journal(self, *, unresolved: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/journal?unresolved={unresolved}")
        return result

    # -- events --------------------------------------------------------------------------
    def events(self, *, last_id: int | None = None, stop: threading.Event | None = None,
               reconnect_s: float = 0.5) -> Iterator[Event]:
        """Card events as they happen; reconnects (resuming after the last event seen) until
        ``stop`` is set. Check ``stop`` between events: a quiet stream wakes every 10 s."""
        stop = stop or threading.Event()
        while not stop.is_set():
            headers = dict(self._headers)
            if last_id is not None:
                headers["Last-Event-ID"] = str(last_id)
            try:
                with httpx.Client(base_url=self.base_url, transport=self._transport,
                                  timeout=httpx.Timeout(5.0, read=30.0)) as http, \
                        http.stream("GET", "/v1/events", headers=headers) as answer:
                    if answer.status_code != 200:
                        answer.read()
                        raise remote_error(answer.status_code, answer.json())
                    for event in _parse(answer.iter_lines()):
                        last_id = event.id or last_id
                        yield event
                        if stop.is_set():
                            return
            except httpx.TransportError as exc:
                log.info("event stream lost; reconnecting", extra={"error": str(exc)})
            stop.wait(reconnect_s)


def _parse(lines: Iterator[str]) -> Iterator[Event]:
    fields: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            if name:
                fields[name] = value[1:] if value.startswith(" ") else value
            continue
        if "data" in fields:
            doc = json.loads(fields["data"])
            yield Event(int(doc["id"]), str(doc["type"]), doc.get("data", {}),
                        float(doc.get("at", 0.0)))
        fields = {}

