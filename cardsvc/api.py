"""The card service's local API (FastAPI, the back office's web stack): for the kiosk, the cash
register and the CLI on the same machine. Loopback TCP or a unix socket; OpenAPI at
``/openapi.json`` and ``/docs``; every route but ``/healthz`` needs ``Authorization: Bearer
<token>`` (the scheme in any case, RFC 7235).

    GET  /healthz                              liveness (no token)
    GET  /v1/status                            readers, journal counts, hotlist, SAM
    GET  /v1/events                            card events, server-sent (Last-Event-ID resumes)
    GET  /v1/card | /v1/card/balance | /v1/card/history       the card on the reader now
    GET  /v1/card/holder                       its holder in full (a kiosk's form; not in events)
    POST /v1/card/purchase  {amount_fen, kind, client_ref, again}
    POST /v1/card/ride      {line, fare_fen, client_ref, again}
    POST /v1/card/load      {amount_fen, pin, client_ref, again}    online top-up
    POST /v1/card/block     {pin}                                   lost card (and hotlist)
    POST /v1/card/refund    {pin, original_client_ref, client_ref}  a sale made by mistake
    POST /v1/sales          {amount_fen, kind, client_ref, timeout_s, receipt}   wait for a tap
    POST /v1/sales/{client_ref}/cancel
    POST /v1/recover | GET /v1/journal | POST /v1/upload

Errors answer ``{"error": code, "message", "message_zh", ...particulars}``: the codes are the
``ErrorCode`` enumeration of the OpenAPI document (with their words), HTTP 400 malformed,
401 token, 404 route, 409 refused (nothing taken), 413 body too large, 502 the card answered
wrongly, 503 no pcscd / reader / card / SAM / clearing, 504 no tap in time, 500 configuration.
"""

# no `from __future__ import annotations`: FastAPI reads the signatures of the routes
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from cardsvc.api_models import (
    BalanceOut,
    BlockOut,
    BlockRequest,
    CancelOut,
    CardInfoOut,
    ErrorBody,
    HolderOut,
    LoadRequest,
    PurchaseRequest,
    RefundRequest,
    RideRequest,
    SaleRequest,
    TxOut,
)
from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    CardProtocolError,
    CardServiceError,
    DeviceError,
    Refusal,
    SaleEnded,
    ServiceConfigError,
)
from cardsvc.messages import MESSAGES
from cardsvc.runtime import Runtime
from cardsvc.runtime_ops import card_event
from cardsvc.session import open_journal
from cardsvc.terminal import CardInfo, TxResult

__all__ = ["MAX_BODY", "create_app", "error_status"]

log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024
MAX_STREAMS = 16
"""Event streams open at once (a kiosk, a cash register, a technician's tools)."""
API_VERSION = "2.0"
_PARAMS = ("tries_left", "balance_fen", "amount_fen", "card", "seconds")
_ERRORS = ((400, "malformed request"), (401, "missing or wrong token"),
           (409, "refused: nothing taken"), (502, "the card answered wrongly"),
           (503, "reader, card, SAM or clearing unavailable"))


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode, detail: str = "") -> None:
        super().__init__(detail or MESSAGES.en(code))
        self.status, self.code = status, code


def error_status(exc: CardServiceError) -> int:
    if isinstance(exc, SaleEnded):
        return 504 if exc.code is ErrorCode.SALE_TIMEOUT else 409
    if isinstance(exc, Refusal):
        return 409
    if isinstance(exc, DeviceError) or exc.code in (ErrorCode.CLEARING_UNAVAILABLE,
                                                    ErrorCode.LOAD_AUTHORITY_UNAVAILABLE):
        return 503
    if isinstance(exc, CardProtocolError):
        return 502
    if isinstance(exc, ServiceConfigError):
        return 500
    return 409


def _body(code: ErrorCode, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code.value, "message": message, "message_zh": MESSAGES.zh(code), **extra}


def error_body(exc: CardServiceError) -> dict[str, Any]:
    words = MESSAGES.words(exc)
    extra = {k: getattr(exc, k, exc.params.get(k)) for k in _PARAMS
             if getattr(exc, k, exc.params.get(k)) is not None}
    return {"error": str(exc.code), "message": str(exc), "message_zh": words.zh, **extra}


class BodyLimit:
    """Pure ASGI: a body over ``limit`` bytes is refused (413) before the route runs, whether
    announced by Content-Length or streamed; a malformed Content-Length never gets this far
    (the HTTP parser answers 400)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            status = 413 if declared.isdigit() else 400
            code = ErrorCode.BODY_TOO_LARGE if status == 413 else ErrorCode.BAD_REQUEST
            response = JSONResponse(_body(code, MESSAGES.en(code)), status_code=status)
            await response(scope, receive, send)
            return
        seen = 0

        async def bounded() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, ErrorCode.BODY_TOO_LARGE)
            return message

        await self.app(scope, bounded, send)


def create_app(runtime: Runtime, token: str, *,
               print_receipt: Callable[[TxResult, str], None] | None = None) -> FastAPI:
    """The API over a started runtime; ``print_receipt(result, merchant kind)`` prints a
    sale's receipt (the print queue), when there is a printer."""
    app = FastAPI(title="Citizen card service (卡服务)", version=API_VERSION,
                  description=__doc__ or "")
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    want = token.encode()

    def authorised(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), want):
            raise ApiError(401, ErrorCode.UNAUTHORIZED)

    @app.exception_handler(CardServiceError)
    async def on_card_error(_: Request, exc: CardServiceError) -> JSONResponse:
        return JSONResponse(error_body(exc), status_code=error_status(exc))

    @app.exception_handler(ApiError)
    async def on_api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(_body(exc.code, str(exc)), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: "
                 f"{e.get('msg', 'invalid')}" for e in exc.errors()[:5]]
        return JSONResponse(_body(ErrorCode.BAD_REQUEST, "; ".join(parts)), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = ErrorCode.NOT_FOUND if exc.status_code in (404, 405) else ErrorCode.BAD_REQUEST
        return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("API request failed", exc_info=exc)
        return JSONResponse(_body(ErrorCode.INTERNAL_ERROR, "internal error, see the log"),
                            status_code=500)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        return {"ok": True, "role": runtime.options.role}

    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody, "description": what} for status, what in _ERRORS}
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authorised)], responses=errors)
    ops = runtime.ops

    @v1.get("/status", tags=["service"])
    def status() -> dict[str, Any]:
        return runtime.status()

    streams = [0]  # open event streams (each waits in a worker thread): bounded

    @v1.get("/events", tags=["events"], response_class=EventSourceResponse,
            responses={503: {"model": ErrorBody, "description": "too many event streams"}})
    async def events(request: Request) -> EventSourceResponse:
        if streams[0] >= MAX_STREAMS:
            raise ApiError(503, ErrorCode.DEVICE_UNAVAILABLE, "too many event streams open")
        last = request.headers.get("last-event-id", "")

        async def stream() -> AsyncIterator[dict[str, str]]:
            sub = runtime.events.subscribe(int(last) if last.isdigit() else None)
            streams[0] += 1
            try:
                while not await request.is_disconnected():
                    event = await anyio.to_thread.run_sync(sub.get, 0.5)
                    if event is not None:
                        yield {"id": str(event.id), "event": event.type,
                               "data": json.dumps(event.as_dict(), ensure_ascii=False)}
            finally:
                sub.close()
                streams[0] -= 1

        return EventSourceResponse(stream(), ping=10)

    @v1.get("/card", tags=["card"], response_model=CardInfoOut)
    def identify() -> dict[str, Any]:
        info: CardInfo = ops.identify()
        return {**info.as_dict(), **card_event(info)}

    @v1.get("/card/holder", tags=["card"], response_model=HolderOut,
            responses={404: {"model": ErrorBody, "description": "the card names no holder"}})
    def holder() -> dict[str, Any]:
        info: CardInfo = ops.holder()
        if info.holder is None:
            raise ApiError(404, ErrorCode.NOT_FOUND, "the card names no holder")
        return {"card_no": info.card_no, "name": info.holder.name,
                "id_number": info.holder.id_number, "id_type": info.holder.id_type}

    @v1.get("/card/balance", tags=["card"], response_model=BalanceOut)
    def balance() -> dict[str, Any]:
        card_no, fen = ops.balance()
        return {"card_no": card_no, "balance_fen": fen}

    @v1.get("/card/history", tags=["card"])
    def history() -> dict[str, object]:
        return ops.history().as_dict()

    @v1.post("/card/purchase", tags=["money"], response_model=TxOut)
    def purchase(req: PurchaseRequest) -> dict[str, object]:
        return ops.purchase(req.amount_fen, req.kind, client_ref=req.client_ref,
                            again=req.again).as_dict()

    @v1.post("/card/ride", tags=["money"], response_model=TxOut)
    def ride(req: RideRequest) -> dict[str, object]:
        return ops.ride(req.line, req.fare_fen, client_ref=req.client_ref,
                        again=req.again).as_dict()

    @v1.post("/card/load", tags=["money"], response_model=TxOut)
    def load(req: LoadRequest) -> dict[str, object]:
        return ops.load(req.amount_fen, req.pin, client_ref=req.client_ref,
                        again=req.again).as_dict()

    @v1.post("/card/refund", tags=["cashier"], response_model=TxOut)
    def refund(req: RefundRequest) -> dict[str, object]:
        return ops.refund(req.pin, original_client_ref=req.original_client_ref,
                          original_entry_id=req.original_entry_id,
                          client_ref=req.client_ref).as_dict()

    @v1.post("/card/block", tags=["card"], response_model=BlockOut)
    def block(req: BlockRequest) -> dict[str, object]:
        return {"card_no": ops.block(req.pin), "blocked": True}

    @v1.post("/sales", tags=["cashier"], response_model=TxOut,
             responses={504: {"model": ErrorBody, "description": "no tap in time"}})
    def sale(req: SaleRequest) -> dict[str, object]:
        result = ops.sale(req.amount_fen, req.kind, req.client_ref, req.timeout_s)
        if req.receipt and print_receipt is not None and not result.replayed:
            print_receipt(result, req.kind)
        return result.as_dict()

    @v1.post("/sales/{client_ref}/cancel", tags=["cashier"], response_model=CancelOut)
    def cancel(client_ref: str) -> dict[str, bool]:
        return {"cancelled": ops.cancel_sale(client_ref)}

    @v1.post("/recover", tags=["journal"])
    def recover() -> dict[str, object]:
        return {"resolved": [r.as_dict() for r in ops.recover()]}

    @v1.get("/journal", tags=["journal"])
    def journal(unresolved: bool = False, limit: int = 500) -> dict[str, object]:
        with open_journal(runtime.settings) as jr:
            entries = jr.entries(unresolved=unresolved)[-max(1, min(limit, 5000)):]
            return {"entries": [e.as_dict() for e in entries], "counts": jr.counts()}

    @v1.post("/upload", tags=["journal"])
    def upload() -> dict[str, object]:
        if runtime.uploader is None:
            raise ServiceConfigError("no clearing service is configured ([clearing_client] url)",
                                     code=ErrorCode.CLEARING_NOT_CONFIGURED)
        return runtime.uploader.upload_once().as_dict()

    app.include_router(v1)
    _document_codes(app)
    return app


def _document_codes(app: FastAPI) -> None:
    """The OpenAPI document names every error code (an enumeration, with its words)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = build()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorCode"] = MESSAGES.openapi(description="Every error code of the card "
                                                            "service, with its words.")
        if "ErrorBody" in schemas:
            schemas["ErrorBody"]["properties"]["error"] = {"$ref": "#/components/schemas/"
                                                                   "ErrorCode"}
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
