"""The citizen-facing hall API (the kiosk and any other channel; token scope ``kiosk``).

Small on purpose: search and read the catalogue, file an application with its materials,
follow it (by number + last 6 of the ID number, by QR token, or as the verified card holder),
rate it, complain. Nothing here returns another person's data: a case is reached only through
its secret QR token, its number together with its applicant's ID tail, or the verified holder.
"""

# no `from __future__ import annotations`: FastAPI reads the route signatures
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from backoffice.auth import Principal
from backoffice.errors import NotFound
from backoffice.hall.models import (
    CaseCreated,
    ComplaintFiled,
    ComplaintView,
    HeldMaterial,
    HeldQuery,
    Identity,
    MaterialState,
    MatterHit,
    NewCase,
    NewComplaint,
    Progress,
    RatingIn,
    RatingOut,
    RatingReason,
)
from backoffice.hall.ratings import REASONS
from backoffice.hall.service import HallService
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Category, Department, Matter
from backoffice.hallcat.numbers import KIND_CASE, KIND_COMPLAINT, parse_number
from backoffice.web import ErrorBody, read_bounded

__all__ = ["citizen_router"]

Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{16,64}$",
                            description="The case's QR token (from its receipt).")]
Number = Annotated[str, Path(pattern=r"^[0-9]{14}$", description="14-digit number.")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {401: "No or wrong token.", 403: "The token's scope does not allow this.",
             404: "Not found (or not yours).", 409: "Not possible in the present state.",
             413: "Too large.", 415: "Neither JPEG nor PDF.", 422: "Malformed request.",
             429: "Too many failed lookups: wait (Retry-After).",
             503: "The database is unavailable."}
    return {c: {"model": ErrorBody, "description": words[c]} for c in (401, 403, *codes)}


def citizen_router(svc: HallService, principal: Any) -> APIRouter:
    """``principal`` is the dependency that checks the bearer token."""

    def kiosk(p: Annotated[Principal, Depends(principal)]) -> Principal:
        return p.require("kiosk")

    Caller = Annotated[Principal, Depends(kiosk)]  # noqa: N806 - a type alias
    r = APIRouter(prefix="/v1/hall", tags=["citizen"])

    def caller_key(request: Request, who: Principal) -> str:
        host = request.client.host if request.client else "-"
        return f"{who.token_id}|{host}"

    @r.get("/departments", response_model=list[Department], responses=_errors(),
           summary="Departments of the hall")
    def departments(_: Caller) -> list[Department]:
        return svc.catalogue.departments()

    @r.get("/categories", response_model=list[Category], responses=_errors(),
           summary="Categories (themes) to browse by")
    def categories(_: Caller) -> list[Category]:
        return svc.catalogue.categories()

    @r.get("/matters", response_model=list[MatterHit], responses=_errors(422),
           summary="Search matters: characters, full pinyin, initials (yyzz), mixed, aliases",
           description="Best first (ranking in docs/design.md). An empty `q` with a "
                       "`department` or `category` lists that group's matters.")
    def search(
        _: Caller,
        q: Annotated[str, Query(max_length=40, examples=["yyzz"])] = "",
        department: Annotated[str | None, Query(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")] = None,
        category: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> list[MatterHit]:
        return [MatterHit(code=m.code, name={"zh": m.name.zh, "en": m.name.en},
                          department=m.department, category=m.category,
                          handling_mode=m.handling_mode,
                          promised_limit_days=m.promised_limit_days, score=h.score,
                          matched=h.matched)
                for h, m in svc.catalogue.search(q, department=department, category=category,
                                                 limit=limit)]

    @r.get("/matters/{code}", response_model=Matter, responses=_errors(404),
           summary="A matter's published guide, with its form and materials")
    def matter(_: Caller, code: Annotated[str, Path(pattern=r"^[0-9A-Z]{32}$")]) -> Matter:
        return svc.catalogue.published(code)[1]

    @r.get("/catalogue", responses=_errors(),
           summary="The whole published catalogue (exchange format) for an offline copy",
           description="`X-Catalogue-Revision` tells the revision; fetch again when it moves. "
                       "`search_keys` (code -> the search tokens stored at publish time) lets "
                       "a kiosk search its copy without computing pinyin.")
    def catalogue(_: Caller, response: Response) -> dict[str, Any]:
        response.headers["X-Catalogue-Revision"] = str(svc.catalogue.revision())
        return {**svc.catalogue.export(), "search_keys": svc.catalogue.search_keys()}

    @r.get("/files/{sha256}", responses={**_errors(404), 200: {"content": {
        "application/pdf": {}, "image/jpeg": {}}}},
           summary="A blank form or filled sample named by a guide", response_class=Response)
    def file(_: Caller, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]) -> Response:
        media, data = svc.catalogue.file(sha256)
        return Response(data, media_type=media)

    @r.post("/cases", status_code=201, response_model=CaseCreated, responses=_errors(404, 409,
                                                                                      422),
            summary="File an application (a draft until submitted)",
            description="The identity is the one the kiosk verified (city card or ID card); "
                        "the form's identity fields are filled from it. Materials the hall "
                        "already holds for this person are attached (`source: reuse`, Art.22).")
    def file_case(_: Caller, req: NewCase) -> CaseCreated:
        return svc.cases.file(req)

    @r.post("/cases/{token}/materials/{material_id}", response_model=MaterialState,
            responses=_errors(404, 409, 413, 415), summary="Add one page (JPEG or PDF)",
            openapi_extra={"requestBody": {"required": True, "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
            description="The body is the page itself. Its type is read from its content. "
                        "Uploading to a reused material replaces the reused pages.")
    async def add_page(_: Caller, request: Request, token: Token,
                       material_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
                       ) -> MaterialState:
        data = await read_bounded(request, svc.settings.limits.page_bytes)
        return await run_in_threadpool(svc.cases.add_page, token, material_id, data,
                                       request.headers.get("content-type"))

    @r.delete("/cases/{token}/materials/{material_id}", status_code=204,
              responses=_errors(404, 409), summary="Remove a material's pages (to redo it)")
    def clear(_: Caller, token: Token,
              material_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")]) -> Response:
        svc.cases.clear_material(token, material_id)
        return Response(status_code=204)

    @r.post("/cases/{token}/submit", response_model=Progress, responses=_errors(404, 409, 422),
            summary="Submit (again after a supplement request)")
    def submit(_: Caller, token: Token) -> Progress:
        return svc.cases.submit(token)

    @r.get("/cases/{token}", response_model=Progress, responses=_errors(404, 429),
           summary="Progress by QR token")
    def by_token(who: Caller, request: Request, token: Token) -> Progress:
        key = caller_key(request, who)
        svc.limiter.check(key)
        try:
            return svc.cases.progress_by_token(token)
        except NotFound:
            svc.limiter.failed(key)
            raise

    @r.get("/progress/{number}", response_model=Progress, responses=_errors(404, 429),
           summary="Progress by case number and the last 6 characters of the ID number")
    def by_number(who: Caller, request: Request, number: Number,
                  id_tail: Annotated[str, Query(pattern=r"^[0-9]{5}[0-9Xx]$")]) -> Progress:
        key = caller_key(request, who)
        svc.limiter.check(key)
        not_found = NotFound("no case with this number and ID", "没有与该编号和身份证号对应的办件",
                             code="case_not_found")
        try:
            canonical = parse_number(number, KIND_CASE)
        except HallDataError:
            svc.limiter.failed(key)
            raise not_found from None
        with svc.store.read() as conn:
            try:
                case = svc.cases.by_number(conn, canonical)
            except NotFound:
                case = None
            if case is None or not svc.cases.id_tail_matches(case, id_tail):
                svc.limiter.failed(key)
                raise not_found
            return svc.cases.progress(conn, case)

    @r.post("/progress/holder", response_model=list[Progress], responses=_errors(422),
            summary="Every case of the verified card holder, newest first")
    def holder(_: Caller, identity: Identity) -> list[Progress]:
        return svc.cases.cases_of(identity.id_number)

    @r.post("/cases/{token}/rating", status_code=201, response_model=RatingOut,
            responses=_errors(404, 409, 422), summary="Rate the service (好差评), once",
            description="Five levels, nothing preselected. `dissatisfied` and "
                        "`very_dissatisfied` need `reasons` (and `text` with `other`); they "
                        "open a rectification work order.")
    def rate(who: Caller, token: Token, rating: RatingIn) -> RatingOut:
        return svc.ratings.rate(token, rating, channel=who.label or who.token_id)

    @r.post("/held", response_model=list[HeldMaterial], responses=_errors(404, 422),
            summary="Art.22: what the hall already holds for this applicant, for this matter",
            description="Before filing: the materials a kiosk may offer to reuse instead of a "
                        "scan (filing attaches them; uploading pages replaces them).")
    def held(_: Caller, query: HeldQuery) -> list[HeldMaterial]:
        return svc.cases.held(query.identity, query.matter_code)

    @r.get("/rating-reasons", response_model=list[RatingReason], responses=_errors(),
           summary="The reasons a 差评 may give, with their words (in the order to show)")
    def rating_reasons(_: Caller) -> list[RatingReason]:
        return [RatingReason(code=code, zh=zh, en=en) for code, (zh, en) in REASONS.items()]

    @r.post("/progress/{number}/rating", status_code=201, response_model=RatingOut,
            responses=_errors(404, 409, 422, 429),
            summary="Rate a case found by its number and the last 6 of the ID number",
            description="As the rating by QR token, for a kiosk that found the case by number "
                        "(typed, or the verified card holder's). Failed lookups count against "
                        "the same limit as progress lookups.")
    def rate_by_number(who: Caller, request: Request, number: Number,
                       id_tail: Annotated[str, Query(pattern=r"^[0-9]{5}[0-9Xx]$")],
                       rating: RatingIn) -> RatingOut:
        key = caller_key(request, who)
        svc.limiter.check(key)
        try:
            canonical = parse_number(number, KIND_CASE)
            return svc.ratings.rate_by_number(canonical, id_tail, rating,
                                              channel=who.label or who.token_id)
        except (HallDataError, NotFound):
            svc.limiter.failed(key)
            raise NotFound("no case with this number and ID", "没有与该编号和身份证号对应的办件",
                           code="case_not_found") from None

    @r.post("/complaints", status_code=201, response_model=ComplaintFiled,
            responses=_errors(422), summary="File a complaint (Art.15)")
    def complain(who: Caller, req: NewComplaint) -> ComplaintFiled:
        return svc.complaints.file(req, channel=who.label or who.token_id)

    @r.get("/complaints/{number}", response_model=ComplaintView, responses=_errors(404, 429),
           summary="A complaint by number and the last 4 digits of the phone given")
    def complaint(who: Caller, request: Request, number: Number,
                  phone_tail: Annotated[str, Query(pattern=r"^[0-9]{4}$")]) -> ComplaintView:
        key = caller_key(request, who)
        svc.limiter.check(key)
        try:
            view = svc.complaints.lookup(parse_number(number, KIND_COMPLAINT), phone_tail)
        except HallDataError:
            view = None
        if view is None:
            svc.limiter.failed(key)
            raise NotFound("no complaint with this number and phone", "没有对应的投诉",
                           code="complaint_not_found")
        return view

    return r
