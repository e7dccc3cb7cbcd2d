"""Complaints (Art.15; GB/T 36113-2018): filed -> accepted -> investigated -> handled ->
answered -> archived, each step timed and noted; handled by the hall's administrators (the
执委会, Art.5(8)), not by the department complained about. The complainant looks a complaint up
by its number and the last four digits of the phone given (rate-limited like case lookups)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from backoffice.errors import InvalidInput, InvalidState, NotFound
from backoffice.hall import tables as t
from backoffice.hall.audit import audit
from backoffice.hall.cases import next_sequence
from backoffice.hall.clock import Clock
from backoffice.hall.models import ComplaintFiled, ComplaintView, Event, NewComplaint
from backoffice.hall.sealing import HallKeys, mask_name, mask_phone
from backoffice.hall.store import HallStore
from backoffice.hallcat.numbers import KIND_COMPLAINT, make_number

__all__ = ["STEPS", "Complaints"]

STEPS = ("filed", "accepted", "investigated", "handled", "answered", "archived")
_ZH = {"filed": "已登记", "accepted": "已受理", "investigated": "已调查", "handled": "已处理",
       "answered": "已答复", "archived": "已归档"}
_VERB = {"accept": "accepted", "investigate": "investigated", "handle": "handled",
         "answer": "answered", "archive": "archived"}


class Complaints:
    def __init__(self, store: HallStore, keys: HallKeys, clock: Clock) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock

    def file(self, req: NewComplaint, channel: str) -> ComplaintFiled:
        now = self.clock()
        with self.store.write() as conn:
            number = make_number(KIND_COMPLAINT, now.date(),
                                 next_sequence(conn, "complaint", now.date()))
            cid = conn.execute(sa.insert(t.complaints).values(
                number=number, name_masked=mask_name(req.name),
                phone_hash=self.keys.lookup_hash(req.phone), phone_masked=mask_phone(req.phone),
                contact_sealed=self.keys.seal({"name": req.name, "phone": req.phone}),
                department=req.department, case_number=req.case_number, subject=req.subject,
                text=req.text, status="filed", filed_at=now)).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(sa.insert(t.complaint_steps).values(
                complaint_id=cid, step="filed", at=now, actor=f"complainant ({channel})"))
        return ComplaintFiled(number=number, status="filed")

    def step(self, number: str, verb: str, actor: str, note: str) -> ComplaintView:
        """Move a complaint one step on (steps cannot be skipped); ``answer`` keeps the note as
        the answer the complainant reads."""
        if verb not in _VERB:
            raise InvalidInput(f"unknown step {verb}", "未知的处理步骤")
        if not note.strip():
            raise InvalidInput("say what was done", "请填写处理说明", code="note_required")
        step = _VERB[verb]
        now = self.clock()
        with self.store.write() as conn:
            row = self._row(conn, number)
            if STEPS.index(step) != STEPS.index(row.status) + 1:
                raise InvalidState(f"the complaint is {row.status}; next is "
                                   f"{STEPS[min(STEPS.index(row.status) + 1, len(STEPS) - 1)]}",
                                   f"投诉当前为“{_ZH[row.status]}”，不能跳过步骤")
            values = {"status": step, **({"answer": note} if step == "answered" else {})}
            conn.execute(sa.update(t.complaints).where(t.complaints.c.id == row.id)
                         .values(**values))
            conn.execute(sa.insert(t.complaint_steps).values(
                complaint_id=row.id, step=step, at=now, actor=actor[:80], note=note))
            audit(conn, now, "admin", actor, row.department, f"complaint_{verb}", number)
            return self._view(conn, number)

    def _row(self, conn: sa.Connection, number: str) -> sa.Row[tuple[object, ...]]:
        row = conn.execute(sa.select(t.complaints).where(t.complaints.c.number == number)
                           ).first()
        if row is None:
            raise NotFound(f"no complaint {number}", f"没有投诉 {number}",
                           code="complaint_not_found")
        return row

    def _view(self, conn: sa.Connection, number: str) -> ComplaintView:
        row = self._row(conn, number)
        cs = t.complaint_steps
        steps = [Event(at=s.at, kind=s.step, status=s.step, status_zh=_ZH[s.step],
                       actor="hall" if s.step != "filed" else "complainant", note=None)
                 for s in conn.execute(sa.select(cs).where(cs.c.complaint_id == row.id)
                                       .order_by(cs.c.at, cs.c.id))]
        return ComplaintView(number=row.number, status=row.status, status_zh=_ZH[row.status],
                             subject=row.subject, department=row.department,
                             filed_at=row.filed_at, steps=steps, answer=row.answer)

    def view(self, number: str) -> ComplaintView:
        with self.store.read() as conn:
            return self._view(conn, number)

    def lookup(self, number: str, phone_tail: str) -> ComplaintView | None:
        """The complaint if the phone's last four digits agree; ``None`` otherwise."""
        with self.store.read() as conn:
            row = conn.execute(sa.select(t.complaints.c.contact_sealed).where(
                t.complaints.c.number == number)).first()
            if row is None:
                return None
            phone = str(self.keys.open(row.contact_sealed)["phone"])
            if not secrets.compare_digest(phone[-4:], phone_tail):
                return None
            return self._view(conn, number)

    def list(self, status: str | None = None) -> list[ComplaintView]:
        with self.store.read() as conn:
            q = sa.select(t.complaints.c.number).order_by(t.complaints.c.id)
            if status:
                q = q.where(t.complaints.c.status == status)
            return [self._view(conn, n) for n in conn.scalars(q)]
