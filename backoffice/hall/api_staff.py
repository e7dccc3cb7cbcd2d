"""The hall API for staff: window clerks (scope ``clerk``, one department) and administrators
(scope ``admin``): the case queue and actions, work orders, complaints, the catalogue and
statistics. The same operations as ``backoffice hall ...`` on the command line."""

# no `from __future__ import annotations`: FastAPI reads the route signatures
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from backoffice.auth import Principal
from backoffice.errors import NotFound
from backoffice.hall.casework import Clerk
from backoffice.hall.catalogue import hall_error
from backoffice.hall.models import (
    CaseDetail,
    CaseSummary,
    ClerkAction,
    ComplaintView,
    WorkOrderView,
)
from backoffice.hall.service import HallService
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Matter, parse_document
from backoffice.web import ErrorBody, read_bounded

__all__ = ["staff_router"]

Number = Annotated[str, Path(pattern=r"^[0-9]{14}$")]
Action = Literal["accept", "supplement", "review", "forward", "return", "approve", "refuse",
                 "collect"]
_ERR: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorBody, "description": d} for c, d in (
        (401, "No or wrong token."), (403, "Not allowed for this token."),
        (404, "Not found (or not your department's)."), (409, "Not possible now."),
        (422, "Malformed request."))}


class Note(BaseModel):
    note: str = Field(min_length=1, max_length=1000)


class Imported(BaseModel):
    departments: int
    categories: int
    added: int
    unchanged: int
    published: int


def _clerk(p: Principal) -> Clerk:
    return Clerk(p.department if p.scope == "clerk" else None, p.label or p.token_id, p.scope)


def staff_router(svc: HallService, principal: Any) -> APIRouter:
    def clerk(p: Annotated[Principal, Depends(principal)]) -> Principal:
        return p.require("clerk")

    def admin(p: Annotated[Principal, Depends(principal)]) -> Principal:
        return p.require("admin")

    ClerkP = Annotated[Principal, Depends(clerk)]  # noqa: N806 - a type alias
    AdminP = Annotated[Principal, Depends(admin)]  # noqa: N806 - a type alias
    r = APIRouter(prefix="/v1/hall")

    @r.get("/clerk/cases", response_model=list[CaseSummary], tags=["clerk"], responses=_ERR,
           summary="The department's queue: urgent first, then overdue, then by due date")
    def queue(who: ClerkP, status: Annotated[str | None, Query(max_length=24)] = None,
              overdue: bool = False) -> list[CaseSummary]:
        return svc.work.list(_clerk(who), status=status, overdue=overdue)

    @r.get("/clerk/cases/{number}", response_model=CaseDetail, tags=["clerk"], responses=_ERR,
           summary="A case in full (identity, form, materials, timeline)")
    def show(who: ClerkP, number: Number) -> CaseDetail:
        return svc.work.show(number, _clerk(who))

    @r.post("/clerk/cases/{number}/{action}", response_model=CaseDetail, tags=["clerk"],
            responses=_ERR, summary="Move a case on (audited)")
    def act(who: ClerkP, number: Number, action: Action, body: ClerkAction) -> CaseDetail:
        return svc.work.act(number, action, _clerk(who), body)

    @r.get("/clerk/cases/{number}/materials/{material_id}/{page}", tags=["clerk"],
           responses=_ERR, response_class=Response, summary="One uploaded page")
    def page(who: ClerkP, number: Number,
             material_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
             page: Annotated[int, Path(ge=1, le=1000)]) -> Response:
        svc.work.show(number, _clerk(who))  # visibility
        with svc.store.read() as conn:
            case = svc.cases.by_number(conn, number)
            for p in svc.cases.pages(conn, case.id):
                if p.material_id == material_id and p.page == page:
                    media, data = svc.catalogue.file(p.sha256)
                    return Response(data, media_type=media)
        raise NotFound("no such page", "没有该页")

    @r.get("/clerk/work-orders", response_model=list[WorkOrderView], tags=["clerk"],
           responses=_ERR, summary="Rectification work orders of 差评")
    def orders(who: ClerkP, open_only: bool = False) -> list[WorkOrderView]:
        return svc.ratings.work_orders(_clerk(who).department, open_only=open_only)

    @r.post("/clerk/work-orders/{order_id}/{step}", response_model=WorkOrderView,
            tags=["clerk"], responses=_ERR,
            summary="callback, resolve, appeal (clerk); uphold or reject an appeal (admin)")
    def order_step(who: ClerkP, order_id: Annotated[int, Path(ge=1, le=2**62)],
                   step: Literal["callback", "resolve", "appeal", "uphold", "reject"],
                   body: Note) -> WorkOrderView:
        c = _clerk(who)
        return svc.ratings.work_order_step(order_id, step, c.name, c.department, body.note)

    @r.post("/admin/catalogue", response_model=Imported, tags=["admin"], responses=_ERR,
            summary="Import a catalogue document (all or nothing)",
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object"}}}}})
    async def import_catalogue(who: AdminP, request: Request) -> Imported:
        body = await read_bounded(request, 64 * 1024 * 1024)
        try:
            doc = parse_document(body)
        except HallDataError as exc:
            raise hall_error(exc) from None
        result = svc.catalogue.import_document(doc, actor=who.label or who.token_id)
        return Imported(**vars(result))

    @r.post("/admin/matters/{code}/publish", response_model=Matter, tags=["admin"],
            responses=_ERR, summary="Publish a matter's latest version (refused if incomplete)")
    def publish(who: AdminP, code: Annotated[str, Path(pattern=r"^[0-9A-Z]{32}$")]) -> Matter:
        return svc.catalogue.publish(code, actor=who.label or who.token_id)

    @r.get("/admin/statistics", tags=["admin"], responses=_ERR,
           summary="好差评 per department, window or matter")
    def statistics(_: AdminP, by: Literal["department", "window", "matter"] = "department",
                   ) -> list[dict[str, Any]]:
        return svc.ratings.statistics(by)

    @r.get("/admin/complaints", response_model=list[ComplaintView], tags=["admin"],
           responses=_ERR, summary="Complaints")
    def complaints(_: AdminP, status: Annotated[str | None, Query(max_length=16)] = None,
                   ) -> list[ComplaintView]:
        return svc.complaints.list(status)

    @r.post("/admin/complaints/{number}/{step}", response_model=ComplaintView, tags=["admin"],
            responses=_ERR, summary="Move a complaint one step on (timed)")
    def complaint_step(who: AdminP, number: Number,
                       step: Literal["accept", "investigate", "handle", "answer", "archive"],
                       body: Note) -> ComplaintView:
        return svc.complaints.step(number, step, who.label or who.token_id, body.note)

    return r
