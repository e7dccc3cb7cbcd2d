"""Applications (cases): filing with a verified identity, materials, submission, and the views
of a case (the citizen's progress, the clerk's detail).

A case is created as a ``draft`` with its number (:mod:`backoffice.hallcat.numbers`) and an
unguessable QR token (128 random bits; only its SHA-256 is stored). Materials the hall already holds
for this applicant (Art.22: an ID copy verified on an earlier case, say) are attached at once and
marked ``reuse``; the kiosk shows them and uploads only the rest. ``submit`` checks that every
required material has a page. The clerk's actions are :mod:`backoffice.hall.casework`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backoffice.errors import ErrorCode, InvalidInput, InvalidState, NotFound, PayloadTooLarge
from backoffice.hall import tables as t
from backoffice.hall.catalogue import Catalogue, hall_error
from backoffice.hall.clock import Clock
from backoffice.hall.materials import Limits, check_page, sniff, store_file
from backoffice.hall.models import (
    CaseCreated,
    Event,
    HeldMaterial,
    Identity,
    MaterialState,
    NewCase,
    Progress,
)
from backoffice.hall.sealing import HallKeys, mask_name
from backoffice.hall.store import HallStore, insert_ignore
from backoffice.hall.workflow import DECIDED, OPEN_FOR_UPLOAD, next_status, status_zh
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Matter
from backoffice.hallcat.forms import validate_answers
from backoffice.hallcat.numbers import KIND_CASE, make_number
from backoffice.hallcat.workdays import WorkCalendar
from drivers.idcard.codes import mask_id_number

__all__ = ["CaseRow", "CaseService", "next_sequence", "token_hash"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def next_sequence(conn: sa.Connection, kind: str, day: dt.date) -> int:
    """The next number of ``kind`` on ``day`` (a row lock on PostgreSQL, the writer lock on
    SQLite: never the same number twice)."""
    insert_ignore(conn, t.counters, {"kind": kind, "day": day, "value": 0})
    conn.execute(sa.update(t.counters).where(t.counters.c.kind == kind, t.counters.c.day == day)
                 .values(value=t.counters.c.value + 1))
    return int(conn.scalar(sa.select(t.counters.c.value).where(
        t.counters.c.kind == kind, t.counters.c.day == day)) or 0)


@dataclass(frozen=True)
class CaseRow:
    """A case as stored (the columns of ``cases``)."""

    row: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


class CaseService:
    def __init__(self, store: HallStore, catalogue: Catalogue, keys: HallKeys,
                 calendar: WorkCalendar, clock: Clock, limits: Limits) -> None:
        self.store = store
        self.catalogue = catalogue
        self.keys = keys
        self.calendar = calendar
        self.clock = clock
        self.limits = limits

    # ------------------------------------------------------------------ filing

    def file(self, req: NewCase) -> CaseCreated:
        version_id, matter = self.catalogue.published(req.matter_code)
        if not matter.online:
            raise InvalidState("this matter cannot be applied for at a kiosk (at a window only)",
                               "该事项不能在自助终端申请，请到窗口办理", code="not_online")
        assert matter.form is not None  # a published matter has its form
        try:
            answers = validate_answers(matter.form, req.form, req.identity.as_form_values())
        except HallDataError as exc:
            raise hall_error(exc) from None
        now = self.clock()
        token = req.client_token or secrets.token_urlsafe(16)
        ident = req.identity
        id_hash = self.keys.lookup_hash(ident.id_number)
        with self.store.write() as conn:
            if req.client_token is not None:
                again = self._filed_before(conn, req, token, id_hash, matter)
                if again is not None:
                    return again
            number = make_number(KIND_CASE, now.date(), next_sequence(conn, "case", now.date()))
            case_id = conn.execute(sa.insert(t.cases).values(
                number=number, token_hash=token_hash(token), matter_code=matter.code,
                matter_version_id=version_id, department=matter.department,
                handling_mode=matter.handling_mode, status="draft", id_hash=id_hash,
                id_masked=mask_id_number(ident.id_number),
                id_sealed=self.keys.seal({"id_number": ident.id_number, "name": ident.name,
                                          "card_no": ident.card_no}),
                name_masked=mask_name(ident.name), identity_source=ident.source,
                form_sealed=self.keys.seal(answers), channel=req.channel, created_at=now,
                supplements=0)).inserted_primary_key[0]  # type: ignore[index]
            self._event(conn, case_id, now, "created", "draft", f"applicant ({req.channel})")
            self._attach_reusable(conn, case_id, id_hash, matter, now)
            states = self._material_states(conn, case_id, matter)
        return CaseCreated(number=number, token=token, status="draft", materials=states)

    def _filed_before(self, conn: sa.Connection, req: NewCase, token: str, id_hash: str,
                      matter: Matter) -> CaseCreated | None:
        """The case a client token already filed (a retry): the same answer again, whatever
        happened to it since; another applicant's or another matter's token is refused."""
        row = conn.execute(sa.select(t.cases).where(
            t.cases.c.token_hash == token_hash(token))).first()
        if row is None:
            return None
        case = CaseRow(row)
        if case.id_hash != id_hash or case.matter_code != req.matter_code:
            raise InvalidState("this client token belongs to another application",
                               "此客户端编号已用于其他申请", code=ErrorCode.CLIENT_TOKEN_USED)
        return CaseCreated(number=case.number, token=token, status=case.status,
                           materials=self._material_states(conn, case.id, matter))

    def held(self, identity: Identity, matter_code: str) -> list[HeldMaterial]:
        """Art.22, before filing: which of this matter's materials the hall already holds for
        the verified applicant (a kiosk offers them instead of a scan; filing attaches them)."""
        _, matter = self.catalogue.published(matter_code)
        id_hash = self.keys.lookup_hash(identity.id_number)
        ad = t.applicant_documents
        out = []
        with self.store.read() as conn:
            for mat in matter.materials:
                if mat.reuse_kind is None:
                    continue
                row = conn.execute(sa.select(ad.c.pages, ad.c.verified_at).where(
                    ad.c.id_hash == id_hash, ad.c.reuse_kind == mat.reuse_kind)
                    .order_by(ad.c.verified_at.desc(), ad.c.id.desc()).limit(1)).first()
                if row is not None:
                    out.append(HeldMaterial(material_id=mat.id, reuse_kind=mat.reuse_kind,
                                            pages=len(row.pages), verified_at=row.verified_at))
        return out

    def _attach_reusable(self, conn: sa.Connection, case_id: int, id_hash: str,
                         matter: Matter, now: dt.datetime) -> None:
        """Art.22: what the hall already holds for this applicant is attached, not asked."""
        ad = t.applicant_documents
        for mat in matter.materials:
            if mat.reuse_kind is None:
                continue
            pages = conn.scalar(sa.select(ad.c.pages).where(
                ad.c.id_hash == id_hash, ad.c.reuse_kind == mat.reuse_kind)
                .order_by(ad.c.verified_at.desc(), ad.c.id.desc()).limit(1))
            for n, page in enumerate(pages or [], start=1):
                conn.execute(sa.insert(t.case_materials).values(
                    case_id=case_id, material_id=mat.id, page=n, sha256=page["sha256"],
                    media_type=page["media_type"], bytes=page["bytes"], source="reuse",
                    added_at=now))

    def _event(self, conn: sa.Connection, case_id: int, at: dt.datetime, kind: str,
               status: str, actor: str, department: str | None = None,
               note: str | None = None, data: dict[str, Any] | None = None) -> None:
        conn.execute(sa.insert(t.case_events).values(
            case_id=case_id, at=at, kind=kind, status=status, actor=actor[:80],
            department=department, note=note, data=data))

    # ------------------------------------------------------------------ finding

    def by_token(self, conn: sa.Connection, token: str) -> CaseRow:
        row = conn.execute(sa.select(t.cases).where(
            t.cases.c.token_hash == token_hash(token))).first()
        if row is None:
            raise NotFound("no case with this token", "没有与该二维码对应的办件",
                           code="case_not_found")
        return CaseRow(row)

    def by_number(self, conn: sa.Connection, number: str) -> CaseRow:
        row = conn.execute(sa.select(t.cases).where(t.cases.c.number == number)).first()
        if row is None:
            raise NotFound(f"no case {number}", f"没有办件 {number}", code="case_not_found")
        return CaseRow(row)

    def matter_of(self, case: CaseRow) -> Matter:
        return self.catalogue.version(int(case.matter_version_id))

    # ------------------------------------------------------------------ materials

    def add_page(self, token: str, material_id: str, data: bytes,
                 declared: str | None) -> MaterialState:
        """Append one page (JPEG or PDF by content) to a material of a draft case. Uploading to
        a material that was reused replaces the reused pages."""
        check_page(data, self.limits)
        media = sniff(data, declared)
        now = self.clock()
        cm = t.case_materials
        with self.store.write() as conn:
            case = self.by_token(conn, token)
            if case.status not in OPEN_FOR_UPLOAD:
                raise InvalidState("materials can be added only before submission or when a "
                                   "supplement was asked for", "当前状态不能上传材料")
            matter = self.matter_of(case)
            mat = next((m for m in matter.materials if m.id == material_id), None)
            if mat is None:
                raise NotFound(f"this matter has no material {material_id}",
                               f"该事项没有材料 {material_id}", code="material_not_found")
            conn.execute(sa.delete(cm).where(cm.c.case_id == case.id,
                                             cm.c.material_id == material_id,
                                             cm.c.source == "reuse"))
            rows = conn.execute(sa.select(cm.c.page, cm.c.bytes).where(
                cm.c.case_id == case.id)).all()
            mine = [r.page for r in conn.execute(sa.select(cm.c.page).where(
                cm.c.case_id == case.id, cm.c.material_id == material_id))]
            if len(mine) >= self.limits.pages:
                raise PayloadTooLarge(f"at most {self.limits.pages} pages per material",
                                      f"每项材料最多 {self.limits.pages} 页")
            if sum(r.bytes for r in rows) + len(data) > self.limits.case_bytes:
                raise PayloadTooLarge(f"a case's pages are at most {self.limits.case_bytes} "
                                      "bytes in all", "本办件材料总大小超过限制")
            page = store_file(conn, data, media, now)
            conn.execute(sa.insert(cm).values(
                case_id=case.id, material_id=material_id, page=max(mine, default=0) + 1,
                sha256=page.sha256, media_type=media, bytes=page.bytes, source="upload",
                added_at=now))
            state = next(s for s in self._material_states(conn, case.id, matter)
                         if s.id == material_id)
        return state

    def clear_material(self, token: str, material_id: str) -> None:
        with self.store.write() as conn:
            case = self.by_token(conn, token)
            if case.status not in OPEN_FOR_UPLOAD:
                raise InvalidState("materials can be changed only before submission",
                                   "当前状态不能修改材料")
            conn.execute(sa.delete(t.case_materials).where(
                t.case_materials.c.case_id == case.id,
                t.case_materials.c.material_id == material_id))

    def _material_states(self, conn: sa.Connection, case_id: int,
                         matter: Matter) -> list[MaterialState]:
        cm = t.case_materials
        counts: dict[str, tuple[int, str]] = {}
        for r in conn.execute(sa.select(cm.c.material_id, cm.c.source).where(
                cm.c.case_id == case_id)):
            n, _ = counts.get(r.material_id, (0, r.source))
            counts[r.material_id] = (n + 1, r.source)
        return [MaterialState(id=m.id, name_zh=m.name.zh, name_en=m.name.en or m.name.zh,
                              required=m.required, pages=counts.get(m.id, (0, "none"))[0],
                              source=counts.get(m.id, (0, "none"))[1])  # type: ignore[arg-type]
                for m in matter.materials]

    # ------------------------------------------------------------------ submission

    def submit(self, token: str) -> Progress:
        now = self.clock()
        with self.store.write() as conn:
            case = self.by_token(conn, token)
            status = next_status("submit", case.status, case.handling_mode)
            matter = self.matter_of(case)
            states = self._material_states(conn, case.id, matter)
            missing = [s for s in states if s.required and s.pages == 0]
            if missing:
                raise InvalidInput(
                    "required materials missing: " + ", ".join(s.id for s in missing),
                    "缺少必需材料：" + "、".join(s.name_zh for s in missing),
                    code="materials_missing")
            conn.execute(sa.update(t.cases).where(t.cases.c.id == case.id).values(
                status=status, submitted_at=now, missing=None))
            self._event(conn, case.id, now, "resubmitted" if case.submitted_at else "submitted",
                        status, "applicant")
        return self.progress_by_token(token)

    # ------------------------------------------------------------------ views

    def overdue(self, case: CaseRow, today: dt.date | None = None) -> bool:
        today = today or self.clock().date()
        return case.due_date is not None and case.status not in DECIDED \
            and case.due_date < today

    def _timeline(self, conn: sa.Connection, case_id: int) -> list[Event]:
        ev = t.case_events
        return [Event(at=r.at, kind=r.kind, status=r.status, status_zh=status_zh(r.status),
                      actor=r.actor if not r.actor.startswith("clerk:") else "clerk",
                      department=r.department, note=r.note)
                for r in conn.execute(sa.select(ev).where(ev.c.case_id == case_id)
                                      .order_by(ev.c.at, ev.c.id))]

    def progress(self, conn: sa.Connection, case: CaseRow) -> Progress:
        matter = self.matter_of(case)
        rated = conn.scalar(sa.select(sa.func.count()).select_from(t.ratings)
                            .where(t.ratings.c.case_id == case.id))
        return Progress(
            number=case.number, matter_code=case.matter_code,
            matter_name={"zh": matter.name.zh, "en": matter.name.en or matter.name.zh},
            department=case.department, handling_mode=case.handling_mode, status=case.status,
            status_zh=status_zh(case.status), applicant=case.name_masked,
            id_masked=case.id_masked, submitted_at=case.submitted_at,
            accepted_at=case.accepted_at, promised_date=case.due_date,
            overdue=self.overdue(case), missing=list(case.missing or []),
            decision=case.decision, timeline=self._timeline(conn, case.id),
            materials=self._material_states(conn, case.id, matter),
            can_rate=case.status != "draft" and not rated)

    def progress_by_token(self, token: str) -> Progress:
        with self.store.read() as conn:
            return self.progress(conn, self.by_token(conn, token))

    def cases_of(self, id_number: str) -> list[Progress]:
        """Every case of a verified card holder, newest first."""
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t.cases).where(
                t.cases.c.id_hash == self.keys.lookup_hash(id_number))
                .order_by(t.cases.c.created_at.desc(), t.cases.c.id.desc()).limit(50)).all()
            return [self.progress(conn, CaseRow(r)) for r in rows]

    def id_tail_matches(self, case: CaseRow, tail: str) -> bool:
        full = str(self.keys.open(case.id_sealed)["id_number"])
        return secrets.compare_digest(full[-6:].upper(), tail.strip().upper())

    def identity_of(self, case: CaseRow) -> dict[str, Any]:
        ident: dict[str, Any] = self.keys.open(case.id_sealed)
        return ident

    def form_of(self, case: CaseRow) -> dict[str, Any]:
        form: dict[str, Any] = self.keys.open(case.form_sealed)
        return form

    def pages(self, conn: sa.Connection, case_id: int) -> Sequence[Any]:
        cm = t.case_materials
        return conn.execute(sa.select(cm).where(cm.c.case_id == case_id)
                            .order_by(cm.c.material_id, cm.c.page)).all()
