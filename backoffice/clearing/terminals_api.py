"""The fleet's routes (backoffice/clearing/terminals.py): registration by an administrator, the
terminal's own view of its registration, its heartbeat, and the fleet list.

    POST /v1/terminals                 admin      register (again): the terminal's new tokens
    GET  /v1/terminals                 admin      every terminal with its flags
    GET  /v1/terminals/me              terminal   the caller's registration (provisioning checks)
    POST /v1/terminals/me/heartbeat    terminal   version, hotlist version, unsent, doctor
"""

# no `from __future__ import annotations`: FastAPI reads the route signatures
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from backoffice.auth import Principal, TokenStore
from backoffice.clearing.terminals import (
    Heartbeat,
    Registration,
    TerminalRegistry,
    flags_of,
)
from backoffice.db import Database
from backoffice.errors import NotFound, Unauthorized

__all__ = ["install_terminals"]

TerminalId = Annotated[str, Field(pattern=r"^[0-9A-F]{12}$")]
Role = Literal["kiosk", "canteen", "retail", "validator", "backoffice"]
Text = Annotated[str, Field(min_length=0, max_length=200)]


class RegistrationIn(BaseModel):
    terminal_id: TerminalId
    psam_id: Annotated[str, Field(pattern=r"^[0-9A-F]{0,32}$")] = ""
    role: Role
    location: Text = ""
    name: Text = ""


class Issued(BaseModel):
    terminal_id: str
    token: str
    """The clearing token (scope terminal), shown once."""
    hall_token: str = ""
    """A kiosk's token for the hall (scope kiosk), shown once; empty for other roles."""
    replaced: bool


class HeartbeatIn(BaseModel):
    software_version: Text
    hotlist_version: int | None = None
    unsent: Annotated[int, Field(ge=0)] = 0
    health: dict[str, Any] = Field(default_factory=dict)


def install_terminals(app: FastAPI, db: Database, tokens: TokenStore,
                      stale_after: dt.timedelta = dt.timedelta(hours=1)) -> TerminalRegistry:
    """Add the fleet routes to ``app``; the registry (its table made if missing)."""
    registry = TerminalRegistry(db)
    registry.ensure_schema()
    bearer = HTTPBearer(auto_error=False, scheme_name="issued",
                        description="An issued token (backoffice tokens issue).")

    def caller(
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if creds is None:
            raise Unauthorized("a valid bearer token is required", "需要有效的访问令牌")
        return tokens.verify(creds.credentials)

    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 - a type alias

    def register(body: RegistrationIn) -> Issued:
        reg = Registration(body.terminal_id, body.psam_id, body.role, body.location,
                           body.name or body.terminal_id)
        record, token = tokens.issue("terminal", label=f"terminal {reg.terminal_id}")
        hall_id, hall_token = "", ""
        if reg.role == "kiosk":
            hall_record, hall_token = tokens.issue("kiosk", label=f"kiosk {reg.terminal_id}")
            hall_id = hall_record.id
        old = registry.register(reg, record.id, hall_id)
        for token_id in (old or "").split(","):
            if token_id:
                tokens.revoke(token_id)
        return Issued(terminal_id=reg.terminal_id, token=token, hall_token=hall_token,
                      replaced=old is not None)

    @app.post("/v1/terminals", response_model=Issued, tags=["terminals"],
              summary="Register a terminal (again): issues its tokens (admin)")
    async def post_terminal(body: RegistrationIn, who: Caller) -> Issued:
        who.require("admin")
        return await run_in_threadpool(register, body)

    @app.get("/v1/terminals", tags=["terminals"], summary="The fleet with its flags (admin)")
    async def get_terminals(who: Caller,
                            stale_after_s: Annotated[int | None, Query(ge=1)] = None,
                            ) -> list[dict[str, Any]]:
        who.require("admin")
        limit = dt.timedelta(seconds=stale_after_s) if stale_after_s else stale_after
        rows = await run_in_threadpool(registry.all)
        now = dt.datetime.now()
        return [{**r.as_dict(), "flags": flags_of(r, now, limit)} for r in rows]

    @app.get("/v1/terminals/me", tags=["terminals"],
             summary="The calling terminal's registration")
    async def get_me(who: Caller) -> dict[str, Any]:
        row = await run_in_threadpool(registry.by_token, who.token_id)
        if row is None:
            raise NotFound("this token belongs to no registered terminal",
                           "此令牌不属于已登记的终端")
        return row.as_dict()

    @app.post("/v1/terminals/me/heartbeat", tags=["terminals"],
              summary="The calling terminal's state and device health")
    async def heartbeat(body: HeartbeatIn, who: Caller) -> dict[str, Any]:
        who.require("terminal")
        beat = Heartbeat(body.software_version, body.hotlist_version, body.unsent, body.health)
        if not await run_in_threadpool(registry.heartbeat, who.token_id, beat):
            raise NotFound("this token belongs to no registered terminal",
                           "此令牌不属于已登记的终端")
        return {"recorded": True}

    return registry
