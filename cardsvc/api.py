"""The card service's local HTTP API (JSON), for the kiosk and the POS on the same machine.

Loopback only; every request except ``GET /healthz`` needs ``Authorization: Bearer <token>``
(the token file of ``[service] token_file``). Amounts are integer fen.

    GET  /healthz                       liveness, no token
    GET  /v1/status                     readers, journal counts, hotlist version
    GET  /v1/card                       identify the card in the reader
    GET  /v1/card/balance
    GET  /v1/card/history
    POST /v1/card/purchase  {"amount_fen": 1250, "kind": "canteen" | "retail"}
    POST /v1/card/ride      {"line": "1", "fare_fen": null}
    POST /v1/card/load      {"amount_fen": 10000, "pin": "123456"}
    POST /v1/card/block
    POST /v1/recover        resolve the unresolved entries of the card in the reader
    GET  /v1/journal[?unresolved=1]
    POST /v1/upload         upload to clearing now

Errors answer ``{"error": ClassName, "code": stable code (:class:`cardsvc.codes.ErrorCode`),
"message": ..., "message_zh": ..., ...}`` with 400 (bad
request), 401 (token), 404, 409 (refused: nothing taken), 502 (card answered wrongly), 503
(no pcscd / reader / card / clearing) or 500 (configuration).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from cardsvc.errors import (
    CardProtocolError,
    CardServiceError,
    DeviceError,
    Refusal,
    ServiceConfigError,
)
from cardsvc.messages import MESSAGES
from cardsvc.profile import PURCHASE_KINDS, PurchaseKind
from cardsvc.service import CardService
from cardsvc.session import open_journal

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


class BadRequest(Exception):
    pass


def _int(body: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(f"{name} must be an integer number of fen")
    return value


def _amount(body: dict[str, Any]) -> int:
    value = _int(body, "amount_fen")
    assert value is not None
    return value


def _str(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{name} must be a non-empty string")
    return value


def error_status(exc: CardServiceError) -> HTTPStatus:
    if isinstance(exc, Refusal):
        return HTTPStatus.CONFLICT
    if isinstance(exc, DeviceError):
        return HTTPStatus.SERVICE_UNAVAILABLE
    if isinstance(exc, CardProtocolError):
        return HTTPStatus.BAD_GATEWAY
    if isinstance(exc, ServiceConfigError):
        return HTTPStatus.INTERNAL_SERVER_ERROR
    return HTTPStatus.CONFLICT


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("api " + format, *args)

    def _send(self, status: HTTPStatus, doc: Any) -> None:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        want = f"Bearer {self.server.service.token}"
        return hmac.compare_digest(given.encode(), want.encode())

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise BadRequest("request body too large")
        raw = self.rfile.read(length) if length else b"{}"
        try:
            doc = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            raise BadRequest(f"body is not JSON: {exc.msg}") from None
        if not isinstance(doc, dict):
            raise BadRequest("body must be a JSON object")
        return doc

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlparse(self.path)
        if method == "GET" and url.path == "/healthz":
            self._send(HTTPStatus.OK, {"ok": True})
            return
        if not self._authorised():
            self._send(HTTPStatus.UNAUTHORIZED, {"error": "Unauthorized",
                                                 "message": "missing or wrong bearer token"})
            return
        try:
            result = self._route(method, url.path, parse_qs(url.query))
        except BadRequest as exc:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "BadRequest", "message": str(exc)})
        except CardServiceError as exc:
            extra = {k: v for k, v in vars(exc).items()
                     if k in ("tries_left", "balance_fen", "amount_fen", "sw", "expiry")}
            self._send(error_status(exc), {"error": type(exc).__name__,
                                           "code": exc.code.value, "message": str(exc),
                                           "message_zh": MESSAGES.zh(exc),
                                           **{k: str(v) if k == "expiry" else v
                                              for k, v in extra.items()}})
        except Exception:
            log.exception("API request failed", extra={"path": url.path})
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       {"error": "InternalError", "message": "internal error, see the log"})
        else:
            if result is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": "NotFound", "message": url.path})
            else:
                self._send(HTTPStatus.OK, result)

    def _route(self, method: str, path: str, query: dict[str, list[str]]) -> Any:
        svc = self.server.service
        if method == "GET":
            gets: dict[str, Callable[[], Any]] = {
                "/v1/status": svc.status,
                "/v1/card": lambda: svc.run(lambda t: t.identify()).as_dict(),
                "/v1/card/balance": lambda: _balance(svc.run(lambda t: t.balance())),
                "/v1/card/history": lambda: svc.run(lambda t: t.history()).as_dict(),
                "/v1/journal": lambda: _journal(svc, unresolved=bool(query.get("unresolved"))),
            }
            handler = gets.get(path)
            return handler() if handler else None
        body = self._body()
        if path == "/v1/card/purchase":
            amount = _amount(body)
            kind = _str(body, "kind", "canteen")
            if kind not in PURCHASE_KINDS:
                raise BadRequest(f"kind must be {' or '.join(PURCHASE_KINDS)}")
            purchase_kind: PurchaseKind = "retail" if kind == "retail" else "canteen"
            return svc.run(lambda t: t.purchase(amount, purchase_kind)).as_dict()
        if path == "/v1/card/ride":
            line, fare = _str(body, "line"), _int(body, "fare_fen", optional=True)
            return svc.run(lambda t: t.ride(line, fare)).as_dict()
        if path == "/v1/card/load":
            amount, pin = _amount(body), _str(body, "pin")
            return svc.run(lambda t: t.load(amount, pin), load=True).as_dict()
        if path == "/v1/card/block":
            return {"card_no": svc.run(lambda t: t.block()), "blocked": True}
        if path == "/v1/recover":
            return {"resolved": [r.as_dict() for r in svc.run(lambda t: t.recover())]}
        if path == "/v1/upload":
            return svc.upload_now().as_dict()
        return None


def _balance(result: tuple[str, int]) -> dict[str, Any]:
    return {"card_no": result[0], "balance_fen": result[1]}


def _journal(svc: CardService, *, unresolved: bool) -> dict[str, Any]:
    with open_journal(svc.settings) as journal:
        return {"entries": [e.as_dict() for e in journal.entries(unresolved=unresolved)],
                "counts": journal.counts()}


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: CardService) -> None:
        self.service = service
        host, port = service.settings.service.host, service.settings.service.port
        super().__init__((host, port), _Handler)

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="api", daemon=True)
        thread.start()
        return thread
