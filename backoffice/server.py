"""One process, one or both services: ``backoffice serve`` (both, for the demo) or ``--only
clearing|hall``. Both share the error plumbing and the tokens file, nothing else: each has its
own database, engine and schema."""

# no `from __future__ import annotations`: FastAPI reads the signatures of the installed routes
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from backoffice.auth import TokenStore
from backoffice.clearing.app import API_VERSION, build_service, install_clearing
from backoffice.clearing.service import ClearingService
from backoffice.clearing.settings import ServerSettings
from backoffice.clearing.terminals_api import install_terminals
from backoffice.hall.app import HALL_TAGS, install_hall
from backoffice.hall.service import HallService
from backoffice.hall.settings import HallServerSettings
from backoffice.web import install_error_handlers

__all__ = ["create_server_app"]

log = logging.getLogger("backoffice.serve")


def create_server_app(*, clearing: ServerSettings | None, hall: HallServerSettings | None,
                      clearing_service: ClearingService | None = None,
                      hall_service: HallService | None = None) -> FastAPI:
    """An app with the clearing routes, the hall routes, or both; it closes what it opened."""
    if clearing is None and hall is None:
        raise ValueError("serve at least one service")
    csvc = clearing_service if clearing_service is not None or clearing is None \
        else build_service(clearing)
    hsvc = hall_service if hall_service is not None or hall is None else HallService(hall)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        extra: dict[str, Any] = {"event": "start"}
        if csvc is not None:
            extra["clearing"] = csvc.repo.db.url.redacted()
        if hsvc is not None:
            extra["hall"] = hsvc.store.url.redacted()
        log.info("back office ready", extra=extra)
        try:
            yield
        finally:
            if csvc is not None:
                csvc.repo.db.close()
            if hsvc is not None:
                hsvc.close()
            log.info("back office stopped", extra={"event": "stop"})

    which = " and ".join(n for n, s in (("clearing", csvc), ("hall", hsvc)) if s is not None)
    tags: list[dict[str, Any]] = []
    app = FastAPI(title=f"Citizen hall back office ({which})", version=API_VERSION,
                  lifespan=lifespan, openapi_tags=tags,
                  description="The back office of the 市民之家: clearing of the city card and "
                              "the hall service. Errors answer `{error, message, message_zh}`.")
    install_error_handlers(app)
    if csvc is not None and clearing is not None:
        tokens = TokenStore(hall.tokens_file) if hall is not None else None
        install_clearing(app, clearing, csvc, tokens)
        if tokens is not None:  # the fleet: registration issues tokens from the tokens file
            install_terminals(app, csvc.repo.db, tokens)
    if hsvc is not None:
        app.state.hall = hsvc
        tags.extend(HALL_TAGS)
        install_hall(app, hsvc, alone=csvc is None)
    return app
