"""The clearing service's HTTP API (FastAPI), built by :func:`create_app` (no global app).

Every ``/v1`` route needs ``Authorization: Bearer <token>``; ``/healthz`` and the OpenAPI
document (``/openapi.json``, ``/docs``) do not. Errors answer ``{"error": code, "message":
text, "message_zh": 中文}`` with the status of :mod:`backoffice.errors` (:mod:`backoffice.web`).
"""

# no `from __future__ import annotations`: FastAPI reads the route signatures, which use locals

import datetime as dt
import hmac
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator

from backoffice.auth import TokenStore
from backoffice.clearing.demo import seed_demo
from backoffice.clearing.models import (
    UPLOAD_RESULT_ADAPTER,
    CardRegistered,
    CardRegistration,
    ErrorBody,
    FlaggedRecord,
    Health,
    Hotlist,
    HotlistChange,
    HotlistReport,
    LoadAuthorisation,
    LoadAuthorisationRequest,
    Reconciliation,
    RefundAuthorisationRequest,
    RegisteredCard,
    StoredTransaction,
    TransactionRecord,
    UploadResult,
)
from backoffice.clearing.repository import Repository
from backoffice.clearing.service import ClearingService
from backoffice.clearing.settings import ServerSettings
from backoffice.clearing.verify import CardKeys
from backoffice.db import Database
from backoffice.errors import Unauthorized
from backoffice.messages import MESSAGES
from backoffice.web import install_error_handlers, read_bounded

__all__ = ["build_service", "create_app", "install_clearing"]

log = logging.getLogger(__name__)

API_VERSION = "1.0"
MAX_ID = 2**63 - 1
"""The largest id or version a query may name (a database's 64-bit integer)."""
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong bearer token."},
    422: {"model": ErrorBody, "description": "Malformed request."},
    503: {"model": ErrorBody, "description": "The database is unavailable."},
}
_TAGS = [
    {"name": "transactions", "description": "Upload and query cleared card transactions."},
    {"name": "hotlist", "description": "Cards reported lost; terminals refuse them."},
    {"name": "loads", "description": "Online load authorisation (MAC1 in, MAC2 out)."},
    {"name": "cards", "description": "Issued cards and their balance at issue."},
    {"name": "reconciliation", "description": "Per-day totals and mismatches."},
]
_DESCRIPTION = """Clearing service of the city card (一卡通): verifies every TAC with MTK, stores
each transaction once, publishes the hotlist, authorises online loads and reconciles each day.

Every `/v1` route needs `Authorization: Bearer <token>`. Amounts are integer fen; times are
ISO 8601 local time without an offset."""


def _iso_day(value: object) -> object:
    """A day only as ``YYYY-MM-DD`` (pydantic alone would read ``0`` as 1970-01-01)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]
"""A calendar day in a path or a query, written ``YYYY-MM-DD``."""


def build_service(settings: ServerSettings,
                  clock: Callable[[], dt.datetime] | None = None) -> ClearingService:
    """Open the database (creating the schema) and build the service over it."""
    db = Database(settings.db_url, pool_size=settings.pool_size)
    try:
        repo = Repository(db)
        repo.ensure_schema()
        keys = CardKeys(settings.keys)
    except BaseException:
        db.close()
        raise
    if clock is None:
        return ClearingService(repo, keys, max_batch=settings.max_batch)
    return ClearingService(repo, keys, clock=clock, max_batch=settings.max_batch)


def create_app(settings: ServerSettings, *, service: ClearingService | None = None,
               clock: Callable[[], dt.datetime] | None = None,
               tokens: TokenStore | None = None) -> FastAPI:
    """The FastAPI application for ``settings``; it owns (and closes) the service's database.

    ``service`` may be given (tests); it is then closed with the app too. ``tokens``: also
    accept issued tokens of scope ``terminal`` (or ``admin``) besides ``settings.token``.
    """
    svc = service if service is not None else build_service(settings, clock)
    if settings.demo:
        seed_demo(svc)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("clearing service ready", extra={"event": "start",
                                                  "database": svc.repo.db.url.redacted()})
        try:
            yield
        finally:
            svc.repo.db.close()
            log.info("clearing service stopped", extra={"event": "stop"})

    app = FastAPI(title="Citizen hall clearing service", version=API_VERSION,
                  description=_DESCRIPTION, openapi_tags=_TAGS, lifespan=lifespan)
    install_error_handlers(app)
    install_clearing(app, settings, svc, tokens)
    return app


def install_clearing(app: FastAPI, settings: ServerSettings, svc: ClearingService,
                     tokens: TokenStore | None = None) -> None:
    """Add the clearing routes to ``app`` (alone, or beside the hall in ``backoffice serve``)."""
    app.state.service = svc
    token = settings.token.encode()
    bearer = HTTPBearer(auto_error=False, scheme_name="token",
                        description="The back office token (`$BACKOFFICE_TOKEN`), or an "
                                    "issued token of scope terminal.")

    def authorised(
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if creds is not None and hmac.compare_digest(creds.credentials.encode(), token):
            return
        if tokens is not None and creds is not None:
            tokens.verify(creds.credentials).require("terminal")
            return
        raise Unauthorized("a valid bearer token is required")

    auth = [Depends(authorised)]

    @app.get("/healthz", response_model=Health, tags=["transactions"],
             summary="Liveness and database check (no token needed)")
    def health() -> dict[str, Any]:
        return svc.health()

    @app.post(
        "/v1/transactions", dependencies=auth, response_model=UploadResult, tags=["transactions"],
        summary="Upload a batch of transactions (idempotent)",
        responses={**_ERRORS, 413: {"model": ErrorBody, "description": "Batch too large."}},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "array", "maxItems": settings.max_batch,
                       "items": {"$ref": "#/components/schemas/TransactionRecord"}}}}}},
        description="A JSON array of records. Each record is checked on its own: its TAC is "
                    "verified with MTK; an altered or forged record, or one that conflicts "
                    "with a stored record, is rejected and flagged while the rest of the batch "
                    "is stored. A record already stored with the same content is a duplicate "
                    "(stored once). The answer lists one outcome per record, in order.\n\n"
                    "Identity of a record: (card_no, counter kind, card_atc, terminal_id, "
                    "ttsn). The card has two counters: the counter kind is `debit` (offline "
                    "ATC) for purchase and compound, `load` (online ATC) for a load. A card "
                    "counter value belongs to one transaction, and so does a terminal's "
                    "purchase TTSN: a record that matches a stored one on either but differs "
                    "in any field (other than hotlist_version) is a conflict.")
    async def upload(request: Request) -> Response:
        body = await read_bounded(request, settings.max_body_bytes)
        result = await run_in_threadpool(svc.ingest_json, body)
        return Response(UPLOAD_RESULT_ADAPTER.dump_json(result, exclude_none=True),
                        media_type="application/json")

    @app.get("/v1/transactions", dependencies=auth, response_model=list[StoredTransaction],
             tags=["transactions"], responses=_ERRORS, summary="Cleared transactions")
    def transactions(
        card_no: Annotated[str | None, Query(pattern=r"^[0-9]{16}$")] = None,
        date: Annotated[IsoDay | None, Query(description="Transaction date.")] = None,
        after_id: Annotated[int, Query(ge=0, le=MAX_ID, description="Page after this id.")] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> list[StoredTransaction]:
        return svc.transactions(card_no=card_no, day=date, after_id=after_id, limit=limit)

    @app.get("/v1/flagged", dependencies=auth, response_model=list[FlaggedRecord],
             tags=["transactions"], responses=_ERRORS,
             summary="Rejected suspect records (bad TAC, conflict, malformed)")
    def flagged(
        date: Annotated[IsoDay | None, Query(description="Transaction date.")] = None,
        after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> list[FlaggedRecord]:
        return svc.flagged(day=date, after_id=after_id, limit=limit)

    @app.get("/v1/hotlist", dependencies=auth, response_model=Hotlist, tags=["hotlist"],
             responses=_ERRORS, summary="The hotlist, or its changes since a version",
             description="Without `since`: the whole list (`full` true). With `since=V`: the "
                         "entries added after V (`full` false), to merge into the terminal's "
                         "copy; a V above the current version gets the whole list.")
    def get_hotlist(
        since: Annotated[int | None, Query(ge=0, le=MAX_ID,
                                           description="The terminal's version.")] = None,
    ) -> Hotlist:
        return svc.hotlist(since)

    @app.post("/v1/hotlist", dependencies=auth, response_model=HotlistChange, tags=["hotlist"],
              responses={**_ERRORS, 201: {"model": HotlistChange,
                                          "description": "Added to the hotlist."}},
              summary="Report a card lost (puts it on the hotlist)", status_code=200)
    def report_lost(report: HotlistReport, response: Response) -> HotlistChange:
        # 201 when the card was added, 200 when it was listed already (see `responses`)
        change = svc.report_lost(report)
        response.status_code = 201 if change.added else 200
        return change

    @app.post("/v1/loads/authorise", dependencies=auth, response_model=LoadAuthorisation,
              tags=["loads"], summary="Authorise a load: check MAC1, answer MAC2",
              responses={**_ERRORS, 403: {"model": ErrorBody, "description":
                                          "Refused: card_hotlisted, mac1_invalid, load_limit."}})
    def authorise_load(req: LoadAuthorisationRequest) -> LoadAuthorisation:
        return svc.authorise_load(req)

    @app.post("/v1/refunds/authorise", dependencies=auth, response_model=LoadAuthorisation,
              tags=["loads"], summary="Authorise a refund of a cleared purchase",
              responses={**_ERRORS,
                         403: {"model": ErrorBody, "description": "Refused (MAC1, hotlist)."},
                         404: {"model": ErrorBody, "description": "No such purchase."}})
    def authorise_refund(req: RefundAuthorisationRequest) -> LoadAuthorisation:
        """A refund of a purchase clearing holds, as an online load (MAC2), at most once."""
        return svc.authorise_refund(req)

    @app.post("/v1/cards", dependencies=auth, response_model=CardRegistered, tags=["cards"],
              summary="Register an issued card (idempotent)",
              responses={**_ERRORS, 201: {"model": CardRegistered, "description": "Registered."},
                         409: {"model": ErrorBody,
                               "description": "Registered with other data."}})
    def register_card(card: CardRegistration, response: Response) -> CardRegistered:
        result = svc.register_card(card)
        response.status_code = 201 if result.created else 200
        return result

    @app.get("/v1/cards", dependencies=auth, response_model=list[RegisteredCard],
             tags=["cards"], responses=_ERRORS, summary="Registered cards")
    def cards() -> list[RegisteredCard]:
        return svc.cards()

    @app.get("/v1/reconciliation/{day}", dependencies=auth, response_model=Reconciliation,
             tags=["reconciliation"], responses=_ERRORS,
             summary="A day's reconciliation per terminal and per card, with mismatches")
    def reconciliation(day: IsoDay) -> Reconciliation:
        return svc.reconcile(day)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes,
                                 tags=app.openapi_tags)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            record = TransactionRecord.model_json_schema(
                ref_template="#/components/schemas/{model}")
            components.update(record.pop("$defs", {}))
            components["TransactionRecord"] = record
            components["ErrorBody"]["properties"]["error"] = MESSAGES.openapi(
                description="Stable machine code; x-messages gives its words (zh, en).")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
