"""好差评 (国办发〔2019〕51号, GB/T 39734-2020): ratings, work orders, appeals, statistics.

* Exactly five levels, one rating per case, nothing preselected (``level`` has no default).
* A case may be rated once it is submitted (the kiosk's service is done) and until
  ``rating_window_days`` calendar days after it closed (decided or not accepted).
* 不满意 and 非常不满意 (差评) need at least one reason from the fixed list (free text required
  with ``other``) and open a rectification work order due ``work_order_days`` working days
  later: call-back (every 差评 is called back), outcome, and an appeal by the department
  against a mistaken or malicious rating (an upheld appeal takes the rating out of the
  statistics).
* When nobody rates within the window: ``no_rating = "default"`` records ``default_level``
  (marked ``defaulted``), ``"none"`` leaves the case unrated. :meth:`Ratings.close_windows`
  applies it (run by ``backoffice hall ratings close-window`` and before statistics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backoffice.errors import Conflict, InvalidInput, InvalidState, NotFound
from backoffice.hall import tables as t
from backoffice.hall.audit import audit
from backoffice.hall.cases import CaseRow, CaseService
from backoffice.hall.models import RatingIn, RatingOut, WorkOrderView
from backoffice.hallcat.errors import HallDataError

__all__ = ["LEVELS", "REASONS", "RatingPolicy", "Ratings"]

LEVELS = {"very_satisfied": (5, "非常满意"), "satisfied": (4, "满意"), "basic": (3, "基本满意"),
          "dissatisfied": (2, "不满意"), "very_dissatisfied": (1, "非常不满意")}
_BY_VALUE = {v: k for k, (v, _) in LEVELS.items()}
REASONS = {
    "guide_unclear": ("办事指南不清楚", "The guide was unclear"),
    "too_many_materials": ("要求的材料太多", "Too many documents were asked for"),
    "procedure_complex": ("办理流程繁琐", "The procedure was complicated"),
    "slow": ("办理太慢", "It took too long"),
    "staff_attitude": ("工作人员态度不好", "Staff attitude"),
    "interface_unfriendly": ("自助设备或网站不好用", "The machine or website was hard to use"),
    "fees_wrong": ("收费不合理", "The fees were wrong"),
    "result_wrong": ("办理结果有误", "The result was wrong"),
    "other": ("其他", "Something else"),
}
"""The reasons a 差评 may give (``RatingIn.reasons``), with their words, in the order shown."""


@dataclass(frozen=True)
class RatingPolicy:
    window_days: int = 7
    work_order_days: int = 5
    no_rating: str = "default"
    default_level: str = "basic"

    def __post_init__(self) -> None:
        if self.no_rating not in ("default", "none") or self.default_level not in LEVELS:
            raise ValueError("no_rating is default or none; default_level is a level name")


class Ratings:
    def __init__(self, cases: CaseService, policy: RatingPolicy) -> None:
        self.cases = cases
        self.policy = policy

    def rate(self, token: str, rating: RatingIn, channel: str) -> RatingOut:
        return self._rate(lambda conn: self.cases.by_token(conn, token), rating, channel)

    def rate_by_number(self, number: str, id_tail: str, rating: RatingIn,
                       channel: str) -> RatingOut:
        """Rate a case found by its number and the last 6 of the applicant's ID number (a
        kiosk that looked it up that way, or from the verified card holder). A wrong tail and
        an unknown number answer the same ``case_not_found``."""
        def find(conn: sa.Connection) -> CaseRow:
            case = self.cases.by_number(conn, number)
            if not self.cases.id_tail_matches(case, id_tail):
                raise NotFound("no case with this number and ID",
                               "没有与该编号和身份证号对应的办件", code="case_not_found")
            return case
        return self._rate(find, rating, channel)

    def _rate(self, find: Callable[[sa.Connection], CaseRow], rating: RatingIn,
              channel: str) -> RatingOut:
        value, _ = LEVELS[rating.level]
        bad = value <= 2
        if bad and not rating.reasons:
            raise InvalidInput("a 不满意 or 非常不满意 rating gives a reason from the list",
                               "差评须选择原因", code="reason_required")
        if "other" in rating.reasons and not (rating.text or "").strip():
            raise InvalidInput("the reason 'other' needs a few words", "选择“其他”请填写说明",
                               code="text_required")
        if not bad and rating.reasons:
            raise InvalidInput("reasons are given with 不满意 or 非常不满意 only",
                               "只有差评需要选择原因", code="reasons_not_allowed")
        now = self.cases.clock()
        with self.cases.store.write() as conn:
            case = find(conn)
            if case.status == "draft":
                raise InvalidState("a case is rated once it is submitted", "提交后才能评价",
                                   code="not_rateable")
            if case.closed_at is not None and \
                    now > case.closed_at + dt.timedelta(days=self.policy.window_days):
                raise InvalidState(f"the rating window ({self.policy.window_days} days after "
                                   "the case closed) is over", "评价期已过",
                                   code="rating_window_over")
            out = self._insert(conn, case, value, list(rating.reasons), rating.text, channel,
                               rating.window, now, defaulted=False)
        return out

    def _insert(self, conn: sa.Connection, case: CaseRow, value: int, reasons: list[str],
                text: str | None, channel: str, window: str | None, now: dt.datetime, *,
                defaulted: bool) -> RatingOut:
        exists = conn.scalar(sa.select(t.ratings.c.id).where(t.ratings.c.case_id == case.id))
        if exists is not None:
            raise Conflict("this case has been rated (one rating per service)",
                           "该办件已评价（每次服务只评价一次）", code="already_rated")
        rating_id = conn.execute(sa.insert(t.ratings).values(
            case_id=case.id, level=value, reasons=reasons, text=text, channel=channel,
            department=case.department, window=window, matter_code=case.matter_code,
            rated_at=now, defaulted=defaulted, excluded=False)).inserted_primary_key[0]  # type: ignore[index]
        order_id = due = None
        if value <= 2:
            try:
                due = self.cases.calendar.add_working_days(now.date(),
                                                           self.policy.work_order_days)
            except HallDataError as exc:
                raise InvalidState(str(exc), exc.message_zh, code=exc.code) from None
            order_id = conn.execute(sa.insert(t.work_orders).values(
                rating_id=rating_id, department=case.department, status="open",
                opened_at=now, due_date=due)).inserted_primary_key[0]  # type: ignore[index]
        level = _BY_VALUE[value]
        return RatingOut(case_number=case.number, level=level, level_zh=LEVELS[level][1],  # type: ignore[arg-type]
                         rated_at=now, defaulted=defaulted, work_order=order_id,
                         work_order_due=due)

    def close_windows(self) -> int:
        """Apply the no-rating rule to every case whose window has ended; how many."""
        if self.policy.no_rating == "none":
            return 0
        now = self.cases.clock()
        limit = now - dt.timedelta(days=self.policy.window_days)
        value, _ = LEVELS[self.policy.default_level]
        done = 0
        with self.cases.store.write() as conn:
            rated = sa.select(t.ratings.c.case_id)
            rows = conn.execute(sa.select(t.cases).where(
                t.cases.c.closed_at.is_not(None), t.cases.c.closed_at < limit,
                t.cases.c.id.not_in(rated))).all()
            for row in rows:
                self._insert(conn, CaseRow(row), value, [], None, "default", None, now,
                             defaulted=True)
                done += 1
        return done

    # ------------------------------------------------------------------ work orders

    def work_orders(self, department: str | None, *, open_only: bool = False,
                    ) -> list[WorkOrderView]:
        wo, r, c = t.work_orders, t.ratings, t.cases
        q = sa.select(wo, r.c.level, r.c.reasons, r.c.text, c.c.number).join(
            r, r.c.id == wo.c.rating_id).join(c, c.c.id == r.c.case_id).order_by(wo.c.id)
        if department:
            q = q.where(wo.c.department == department)
        if open_only:
            q = q.where(wo.c.status != "closed")
        today = self.cases.clock().date()
        with self.cases.store.read() as conn:
            return [WorkOrderView(
                id=x.id, case_number=x.number, department=x.department,
                level=_BY_VALUE[x.level], reasons=list(x.reasons), text=x.text,  # type: ignore[arg-type]
                status=x.status, opened_at=x.opened_at, due_date=x.due_date,
                overdue=x.status != "closed" and x.due_date < today,
                callback_at=x.callback_at, callback_note=x.callback_note, outcome=x.outcome,
                appeal_reason=x.appeal_reason, appeal_decision=x.appeal_decision)
                for x in conn.execute(q)]

    def work_order_step(self, order_id: int, step: str, actor: str, department: str | None,
                        note: str) -> WorkOrderView:
        """``callback`` (called back), ``resolve`` (outcome), ``appeal`` (reason),
        ``uphold`` / ``reject`` (the appeal's decision, administrators)."""
        if not note.strip():
            raise InvalidInput("say what was done", "请填写处理说明", code="note_required")
        wo = t.work_orders
        now = self.cases.clock()
        moves: dict[str, tuple[tuple[str, ...], str, dict[str, Any]]] = {
            "callback": (("open",), "called_back", {"callback_at": now, "callback_by": actor,
                                                     "callback_note": note}),
            "resolve": (("called_back",), "closed", {"outcome": note, "resolved_at": now}),
            "appeal": (("open", "called_back"), "appealed", {"appeal_reason": note,
                                                             "appeal_at": now}),
            "uphold": (("appealed",), "closed", {"appeal_decision": "upheld",
                                                 "appeal_decided_at": now, "outcome": note}),
            "reject": (("appealed",), "called_back", {"appeal_decision": "rejected",
                                                      "appeal_decided_at": now}),
        }
        if step not in moves:
            raise InvalidInput(f"unknown step {step}", "未知的处理步骤")
        allowed, status, values = moves[step]
        with self.cases.store.write() as conn:
            row = conn.execute(sa.select(wo).where(wo.c.id == order_id)).first()
            if row is None or (department is not None and row.department != department):
                raise NotFound(f"no work order {order_id}", f"没有工单 {order_id}")
            if step in ("uphold", "reject") and department is not None:
                raise InvalidState("an appeal is decided by the hall's administrators",
                                   "申诉由大厅管理方裁定", code="admin_only")
            if row.status not in allowed:
                raise InvalidState(f"the work order is {row.status}", "工单当前状态不能进行此操作")
            if step == "resolve" and row.callback_at is None:
                raise InvalidState("call the citizen back first", "须先回访")
            conn.execute(sa.update(wo).where(wo.c.id == order_id).values(status=status,
                                                                       **values))
            if step == "uphold":
                conn.execute(sa.update(t.ratings).where(t.ratings.c.id == row.rating_id)
                             .values(excluded=True))
            audit(conn, now, "clerk" if department else "admin", actor, department,
                  f"work_order_{step}", str(order_id), {"note": note[:200]})
        return next(w for w in self.work_orders(None) if w.id == order_id)

    # ------------------------------------------------------------------ statistics

    def statistics(self, by: str) -> list[dict[str, Any]]:
        """Counts per level and the satisfaction rate, per ``department``, ``window`` or
        ``matter``; appeals upheld are left out. Applies the no-rating rule first."""
        self.close_windows()
        column = {"department": t.ratings.c.department, "window": t.ratings.c.window,
                  "matter": t.ratings.c.matter_code}[by]
        with self.cases.store.read() as conn:
            rows = conn.execute(sa.select(column.label("key"), t.ratings.c.level,
                                          sa.func.count().label("n"))
                                .where(t.ratings.c.excluded.is_(False))
                                .group_by(column, t.ratings.c.level)).all()
        out: dict[str, dict[str, Any]] = {}
        for key, level, n in rows:
            entry = out.setdefault(str(key or "-"), {by: str(key or "-"), "total": 0,
                                                     **{name: 0 for name in LEVELS}})
            entry[_BY_VALUE[level]] += n
            entry["total"] += n
        for entry in out.values():
            good = entry["very_satisfied"] + entry["satisfied"] + entry["basic"]
            entry["satisfaction"] = round(good / entry["total"], 4) if entry["total"] else None
        return sorted(out.values(), key=lambda e: e[by])
