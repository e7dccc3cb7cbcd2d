"""The handling modes, the state machine, supplements, overdue flags and the audit log, on the
service (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from backoffice.errors import Forbidden, InvalidInput, InvalidState
from backoffice.hall import tables as t
from backoffice.hall.casework import Clerk
from backoffice.hall.models import ClerkAction, Identity, NewCase
from backoffice.hall.service import HallService
from tests.backoffice.hall.catalogue import code_of
from tests.backoffice.hall.conftest import ID_A, SetClock, jpeg_page


def _submitted(hall: HallService, name: str) -> tuple[str, str]:
    created = hall.cases.file(NewCase(
        matter_code=code_of(name), identity=Identity(source="city_card", id_number=ID_A,
                                                     name="王小明", card_no="4102000000000001"),
        form={"phone": "13800000000"}))
    for m in created.materials:
        hall.cases.add_page(created.token, m.id, jpeg_page(seed=hash(m.id) % 100), None)
    hall.cases.submit(created.token)
    return created.number, created.token


def act(hall: HallService, number: str, action: str, dept: str = "AMR", **kw: object) -> str:
    return hall.work.act(number, action, Clerk(dept, "张三"), ClerkAction(**kw)).status  # type: ignore[arg-type]


def test_immediate_is_decided_at_acceptance(hall: HallService) -> None:
    number, _ = _submitted(hall, "企业名称自主申报")
    assert act(hall, number, "accept") == "approved"
    shown = hall.work.show(number, Clerk("AMR", "x"))
    assert shown.promised_date == hall.clock().date()
    assert [e.kind for e in shown.timeline][-2:] == ["accepted", "approved"]


def test_promised_due_date_and_overdue(hall: HallService, hall_clock: SetClock) -> None:
    number, token = _submitted(hall, "营业执照注销")  # promised 5 working days
    act(hall, number, "accept")
    due = hall.cases.calendar.add_working_days(hall_clock.now.date(), 5)
    progress = hall.cases.progress_by_token(token)
    assert progress.promised_date == due and not progress.overdue
    hall_clock.now = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9))
    assert hall.cases.progress_by_token(token).overdue
    queue = hall.work.list(Clerk("AMR", "x"), overdue=True)
    assert [c.number for c in queue] == [number]
    act(hall, number, "approve")
    assert not hall.cases.progress_by_token(token).overdue


def test_supplement_is_one_notice_then_resubmit(hall: HallService) -> None:
    number, token = _submitted(hall, "营业执照注销")
    with pytest.raises(InvalidInput):
        act(hall, number, "supplement")  # nothing listed
    assert act(hall, number, "supplement", missing=["营业执照正本", "清算报告"]) == \
        "supplement_requested"
    assert hall.cases.progress_by_token(token).missing == ["营业执照正本", "清算报告"]
    hall.cases.add_page(token, "licence", jpeg_page(seed=77), "image/jpeg")
    hall.cases.submit(token)
    with pytest.raises(InvalidState) as once:
        act(hall, number, "supplement", missing=["again"])
    assert once.value.code == "supplement_once"
    assert act(hall, number, "accept") == "accepted"


def test_joint_matter_needs_every_review(hall: HallService) -> None:
    number, _ = _submitted(hall, "食品经营许可证核发")  # AMR leads, HUD reviews
    act(hall, number, "accept")
    with pytest.raises(InvalidState) as pending:
        act(hall, number, "approve")
    assert pending.value.code == "joint_reviews_pending"
    assert [c.number for c in hall.work.list(Clerk("HUD", "x"))] == [number]
    with pytest.raises(Forbidden):
        act(hall, number, "approve", dept="HUD")
    act(hall, number, "review", dept="HUD", opinion="approve", note="同意")
    assert act(hall, number, "approve") == "approved"
    kinds = [e.kind for e in hall.work.show(number, Clerk(None, "admin")).timeline]
    assert kinds[-3:] == ["joint_review", "joint_reviews_complete", "approved"]


def test_approval_matter_forwarded_and_returned(hall: HallService) -> None:
    number, _ = _submitted(hall, "建筑工程施工许可证核发")
    act(hall, number, "accept", dept="HUD")
    assert act(hall, number, "forward", dept="HUD") == "forwarded"
    shown = hall.work.show(number, Clerk("HUD", "x"))
    assert shown.forwarded_to == "河南省人力资源和社会保障厅"
    with pytest.raises(InvalidState):
        act(hall, number, "approve", dept="HUD")
    assert act(hall, number, "return", dept="HUD", note="省厅同意") == "under_review"
    assert act(hall, number, "approve", dept="HUD") == "approved"
    other, _ = _submitted(hall, "营业执照注销")
    act(hall, other, "accept")
    with pytest.raises(InvalidState) as not_approval:
        act(hall, other, "forward")
    assert not_approval.value.code == "not_an_approval_matter"


def test_urgent_first_and_refusals_need_reasons(hall: HallService) -> None:
    normal, _ = _submitted(hall, "居住证签注")
    urgent, _ = _submitted(hall, "出入境通行证签发")
    assert [c.number for c in hall.work.list(Clerk("PSB", "x"))][:2] == [urgent, normal]
    with pytest.raises(InvalidInput):
        act(hall, normal, "refuse", dept="PSB")
    assert act(hall, normal, "refuse", dept="PSB", note="不符合条件") == "not_accepted"
    with pytest.raises(InvalidState):
        act(hall, normal, "accept", dept="PSB")


def test_every_action_is_audited(hall: HallService) -> None:
    number, _ = _submitted(hall, "营业执照注销")
    act(hall, number, "accept")
    act(hall, number, "approve")
    with hall.store.read() as conn:
        rows = conn.execute(sa.select(t.audit_log.c.action, t.audit_log.c.actor,
                                      t.audit_log.c.department)
                            .where(t.audit_log.c.object == number)
                            .order_by(t.audit_log.c.id)).all()
    assert [tuple(r) for r in rows] == [("case_accept", "张三", "AMR"),
                                        ("case_approve", "张三", "AMR")]
