"""The hall's HTTP API (FastAPI): :func:`install_hall` adds it to an app (alone, or beside
clearing in ``backoffice serve``); :func:`create_hall_app` builds the hall alone.

Every ``/v1/hall`` route needs ``Authorization: Bearer <token>`` (``backoffice tokens issue``);
``/v1/hall/healthz`` and the OpenAPI document do not. Errors answer ``{"error": code,
"message": English, "message_zh": Chinese}`` (:mod:`backoffice.web`).
"""

# no `from __future__ import annotations`: FastAPI reads the route signatures
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backoffice.auth import Principal
from backoffice.hall.api_citizen import citizen_router
from backoffice.hall.api_staff import staff_router
from backoffice.hall.clock import Clock, system_clock
from backoffice.hall.service import HallService
from backoffice.hall.settings import HallServerSettings
from backoffice.web import install_error_handlers

__all__ = ["API_VERSION", "HALL_TAGS", "create_hall_app", "install_hall"]

log = logging.getLogger(__name__)
API_VERSION = "1.0"
HALL_TAGS = [
    {"name": "citizen", "description": "Kiosks and other channels (token scope `kiosk`): "
                                       "matters, applications, progress, 好差评, complaints."},
    {"name": "clerk", "description": "Window clerks (scope `clerk`, one department)."},
    {"name": "admin", "description": "The hall's administrators (scope `admin`)."},
]
_DESCRIPTION = """The hall back office of the 市民之家: the matter catalogue with pinyin search,
applications with materials and working-day deadlines, progress lookup, 好差评 and complaints.

Every `/v1/hall` route needs `Authorization: Bearer <token>`. Errors answer
`{"error": code, "message": English, "message_zh": Chinese}` with stable codes. Times are local
time without an offset; dates ISO; money integer fen; limits in working days."""


def install_hall(app: FastAPI, svc: HallService, *, alone: bool) -> None:
    bearer = HTTPBearer(auto_error=False, scheme_name="token",
                        description="A token from `backoffice tokens issue`.")

    def principal(
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        return svc.tokens.verify(creds.credentials if creds else None)

    @app.get("/v1/hall/healthz", tags=["citizen"], summary="Liveness (no token needed)")
    def health() -> dict[str, Any]:
        return svc.health()

    if alone:
        app.add_api_route("/healthz", health, methods=["GET"], include_in_schema=False)
    app.include_router(citizen_router(svc, principal))
    app.include_router(staff_router(svc, principal))


def create_hall_app(settings: HallServerSettings, *, service: HallService | None = None,
                    clock: Clock = system_clock) -> FastAPI:
    """The hall alone; it owns (and closes) its service."""
    svc = service if service is not None else HallService(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("hall service ready", extra={"event": "start",
                                              "database": svc.store.url.redacted()})
        try:
            yield
        finally:
            svc.close()
            log.info("hall service stopped", extra={"event": "stop"})

    app = FastAPI(title="Citizen hall back office: hall service", version=API_VERSION,
                  description=_DESCRIPTION, openapi_tags=HALL_TAGS, lifespan=lifespan)
    app.state.hall = svc
    install_error_handlers(app)
    install_hall(app, svc, alone=True)
    return app
