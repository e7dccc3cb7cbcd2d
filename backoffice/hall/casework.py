"""The window clerks' work on cases: list, show, accept, supplement, review, forward, approve,
refuse, collect; every action checked against the state machine (:mod:`.workflow`), the
clerk's department, and written to the case's timeline and the audit log in one transaction.

A clerk sees the cases of their department: those it leads, and the joint (联办) cases it
reviews. Only the lead department moves a case; a joint department only gives its review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from backoffice.errors import Forbidden, InvalidInput, InvalidState, NotFound
from backoffice.hall import tables as t
from backoffice.hall.audit import audit
from backoffice.hall.cases import CaseRow, CaseService
from backoffice.hall.models import CaseDetail, CaseSummary, ClerkAction
from backoffice.hall.workflow import DECIDED, next_status
from backoffice.hallcat.errors import HallDataError

__all__ = ["CaseWork", "Clerk"]


class Clerk:
    """Who acts: a department (``None`` = administrator, every department) and a name."""

    def __init__(self, department: str | None, name: str, scope: str = "clerk") -> None:
        self.department = department
        self.name = name
        self.scope = scope

    @property
    def actor(self) -> str:
        return f"clerk:{self.name}"


class CaseWork:
    def __init__(self, cases: CaseService) -> None:
        self.cases = cases

    def _reviewers(self, conn: sa.Connection, case_id: int) -> dict[str, str | None]:
        rv = t.case_reviews
        return {r.department: r.opinion for r in conn.execute(
            sa.select(rv.c.department, rv.c.opinion).where(rv.c.case_id == case_id))}

    def _visible(self, conn: sa.Connection, case: CaseRow, clerk: Clerk) -> None:
        if clerk.department is None or case.department == clerk.department:
            return
        if clerk.department in self._reviewers(conn, case.id):
            return
        # the same answer as a number that does not exist: a clerk learns nothing of others
        raise self._not_found(case.number)

    @staticmethod
    def _not_found(number: str) -> NotFound:
        return NotFound(f"no case {number}", f"没有办件 {number}", code="case_not_found")

    # ------------------------------------------------------------------ reading

    def list(self, clerk: Clerk, *, status: str | None = None, overdue: bool = False,
             limit: int = 200) -> list[CaseSummary]:
        """The clerk's queue: urgent first, then overdue, then by due date and submission."""
        c = t.cases
        today = self.cases.clock().date()
        q = sa.select(c, t.matter_versions.c.name_zh).join(
            t.matter_versions, t.matter_versions.c.id == c.c.matter_version_id).where(
            c.c.status != "draft")
        if clerk.department is not None:
            joint = sa.select(t.case_reviews.c.case_id).where(
                t.case_reviews.c.department == clerk.department)
            q = q.where(sa.or_(c.c.department == clerk.department, c.c.id.in_(joint)))
        if status:
            q = q.where(c.c.status == status)
        with self.cases.store.read() as conn:
            rows = [CaseRow(r) for r in conn.execute(q.limit(5000))]
        out = [CaseSummary(number=r.number, matter_code=r.matter_code, matter_name_zh=r.name_zh,
                           department=r.department, handling_mode=r.handling_mode,
                           status=r.status, urgent=r.handling_mode == "urgent",
                           submitted_at=r.submitted_at, due_date=r.due_date,
                           overdue=self.cases.overdue(r, today), applicant=r.name_masked)
               for r in rows]
        if overdue:
            out = [s for s in out if s.overdue]
        out.sort(key=lambda s: (s.status in DECIDED, not s.urgent, not s.overdue,
                                s.due_date or dt.date.max, s.submitted_at or dt.datetime.max,
                                s.number))
        return out[:limit]

    def show(self, number: str, clerk: Clerk) -> CaseDetail:
        with self.cases.store.read() as conn:
            case = self.cases.by_number(conn, number)
            self._visible(conn, case, clerk)
            base = self.cases.progress(conn, case)
            ident = self.cases.identity_of(case)
            reviews = self._reviewers(conn, case.id)
        return CaseDetail(**base.model_dump(), id_number=ident["id_number"],
                          applicant_name=ident["name"], identity_source=case.identity_source,
                          form=self.cases.form_of(case), reviews=reviews,
                          forwarded_to=case.forwarded_to)

    # ------------------------------------------------------------------ acting

    def act(self, number: str, action: str, clerk: Clerk, body: ClerkAction) -> CaseDetail:
        now = self.cases.clock()
        with self.cases.store.write() as conn:
            case = self.cases.by_number(conn, number)
            self._visible(conn, case, clerk)
            lead = clerk.department is None or clerk.department == case.department
            if action == "review" and not lead:
                self._joint_review(conn, case, clerk, body, now)
            else:
                if not lead:
                    raise Forbidden("only the lead department moves this case; a joint "
                                    "department gives its review", "只有牵头部门可以办理此操作")
                self._lead_action(conn, case, action, clerk, body, now)
            audit(conn, now, clerk.scope, clerk.name, clerk.department, f"case_{action}",
                  number, body.model_dump(exclude_none=True, exclude_defaults=True) or None)
        return self.show(number, clerk)

    def _joint_review(self, conn: sa.Connection, case: CaseRow, clerk: Clerk,
                      body: ClerkAction, now: dt.datetime) -> None:
        if case.status not in ("accepted", "under_review"):
            raise InvalidState("a joint review is given after acceptance, before the decision",
                               "联办审查须在受理后、决定前进行")
        if body.opinion is None:
            raise InvalidInput("a joint review gives its opinion (approve or refuse)",
                               "联办审查须给出意见", code="opinion_required")
        rv = t.case_reviews
        conn.execute(sa.update(rv).where(rv.c.case_id == case.id,
                                         rv.c.department == clerk.department)
                     .values(opinion=body.opinion, note=body.note, reviewed_at=now))
        self.cases._event(conn, case.id, now, "joint_review", case.status, clerk.actor,
                          clerk.department, body.note, {"opinion": body.opinion})
        if all(self._reviewers(conn, case.id).values()):
            self.cases._event(conn, case.id, now, "joint_reviews_complete", case.status,
                              "system", case.department)

    def _lead_action(self, conn: sa.Connection, case: CaseRow, action: str, clerk: Clerk,
                     body: ClerkAction, now: dt.datetime) -> None:
        if action == "return":
            status = next_status("return", case.status, case.handling_mode)
        else:
            status = next_status(action, case.status, case.handling_mode)
        values: dict[str, Any] = {"status": status}
        data: dict[str, Any] | None = None
        matter = self.cases.matter_of(case)
        if action == "accept":
            values["accepted_at"] = now
            try:
                values["due_date"] = self.cases.calendar.add_working_days(
                    now.date(), matter.promised_limit_days)
            except HallDataError as exc:
                raise InvalidState(str(exc), exc.message_zh, code=exc.code) from None
            for dept in matter.joint_departments:
                conn.execute(sa.insert(t.case_reviews).values(case_id=case.id, department=dept))
            self._remember_documents(conn, case, matter, now)
        elif action == "supplement":
            if case.supplements:
                raise InvalidState("a supplement was already asked for: one notice lists "
                                   "everything missing (一次性告知)",
                                   "已发出过补正告知：一次性告知所有需补正的材料",
                                   code="supplement_once")
            if not body.missing:
                raise InvalidInput("list every missing item at once", "请一次性列出全部需补正内容",
                                   code="missing_required")
            values.update(supplements=case.supplements + 1, missing=body.missing)
            data = {"missing": body.missing}
        elif action in ("approve", "refuse") and case.status != "submitted":
            reviews = self._reviewers(conn, case.id)
            if action == "approve" and any(v is None for v in reviews.values()):
                raise InvalidState("joint departments have not all reviewed yet",
                                   "联办部门尚未全部审查", code="joint_reviews_pending")
            if action == "approve" and any(v == "refuse" for v in reviews.values()):
                raise InvalidState("a joint department refused: the case cannot be approved",
                                   "有联办部门不同意，不能批准", code="joint_refused")
        elif action == "forward":
            values["forwarded_to"] = body.to or (matter.outside_step.zh if matter.outside_step
                                                 else "上级机关")
            data = {"to": values["forwarded_to"]}
        if action == "refuse" and not body.note:
            raise InvalidInput("a refusal gives its reason", "不予受理或不予批准须说明理由",
                               code="reason_required")
        if status in ("approved", "refused", "not_accepted"):
            values.update(decided_at=now, decision=status)
        self.cases._event(conn, case.id, now, {"accept": "accepted", "supplement":
                                               "supplement_requested", "review": "review_started",
                                               "forward": "forwarded", "return": "returned",
                                               "approve": "approved", "refuse": status,
                                               "collect": "collected"}[action],
                          status, clerk.actor, clerk.department, body.note, data)
        if action == "accept" and case.handling_mode == "immediate":
            decision = "refused" if body.decision == "refuse" else "approved"
            if decision == "refused" and not body.note:
                raise InvalidInput("a refusal gives its reason", "不予批准须说明理由",
                                   code="reason_required")
            values.update(status=decision, decided_at=now, decision=decision)
            self.cases._event(conn, case.id, now, decision, decision, clerk.actor,
                              clerk.department, "即办件当场办结")
        if values.get("status") in DECIDED and case.closed_at is None:
            values["closed_at"] = now
        conn.execute(sa.update(t.cases).where(t.cases.c.id == case.id).values(**values))

    def _remember_documents(self, conn: sa.Connection, case: CaseRow, matter: Any,
                            now: dt.datetime) -> None:
        """Art.22: reusable materials checked at acceptance go into the applicant's store."""
        kinds = {m.id: m.reuse_kind for m in matter.materials if m.reuse_kind}
        pages: dict[str, list[dict[str, Any]]] = {}
        for p in self.cases.pages(conn, case.id):
            if p.material_id in kinds and p.source == "upload":
                pages.setdefault(p.material_id, []).append(
                    {"sha256": p.sha256, "media_type": p.media_type, "bytes": p.bytes})
        for material_id, kept in pages.items():
            conn.execute(sa.insert(t.applicant_documents).values(
                id_hash=case.id_hash, reuse_kind=kinds[material_id], pages=kept,
                from_case=case.number, verified_at=now))
