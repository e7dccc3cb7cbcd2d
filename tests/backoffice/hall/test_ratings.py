"""好差评: levels, reasons, the rating window and its default, work orders, appeals, statistics;
and complaints' steps."""

from __future__ import annotations

import datetime as dt

import pytest

from backoffice.errors import InvalidInput, InvalidState
from backoffice.hall.models import NewComplaint, RatingIn
from backoffice.hall.service import HallService
from tests.backoffice.hall.conftest import SetClock
from tests.backoffice.hall.test_workflow import _submitted, act


def test_rating_window_default_and_statistics(hall: HallService, hall_clock: SetClock) -> None:
    n1, t1 = _submitted(hall, "企业名称自主申报")
    n2, t2 = _submitted(hall, "居住证签注")
    n3, _ = _submitted(hall, "医疗保险参保登记")
    act(hall, n1, "accept")
    act(hall, n2, "accept", dept="PSB")
    act(hall, n3, "accept", dept="MIB")
    hall.ratings.rate(t1, RatingIn(level="very_satisfied", window="A01"), "kiosk")
    hall_clock.now += dt.timedelta(days=8)  # the window (7 days) is over for the others
    with pytest.raises(InvalidState) as late:
        hall.ratings.rate(t2, RatingIn(level="satisfied"), "kiosk")
    assert late.value.code == "rating_window_over"
    stats = {s["department"]: s for s in hall.ratings.statistics("department")}
    assert stats["AMR"]["very_satisfied"] == 1 and stats["AMR"]["satisfaction"] == 1.0
    assert stats["PSB"]["basic"] == 1 and stats["MIB"]["basic"] == 1  # defaulted 基本满意
    assert hall.ratings.close_windows() == 0  # once
    by_window = {s["window"]: s["total"] for s in hall.ratings.statistics("window")}
    assert by_window == {"A01": 1, "-": 2}


def test_bad_rating_work_order_callback_appeal(hall: HallService) -> None:
    number, token = _submitted(hall, "营业执照注销")
    with pytest.raises(InvalidInput):
        hall.ratings.rate(token, RatingIn(level="very_dissatisfied", reasons=["other"]), "k")
    with pytest.raises(InvalidInput):
        hall.ratings.rate(token, RatingIn(level="satisfied", reasons=["slow"]), "k")
    out = hall.ratings.rate(token, RatingIn(level="very_dissatisfied",
                                            reasons=["staff_attitude"]), "k")
    assert out.work_order is not None and out.work_order_due == \
        hall.cases.calendar.add_working_days(hall.clock().date(), 5)
    order = out.work_order
    with pytest.raises(InvalidState):
        hall.ratings.work_order_step(order, "resolve", "李", "AMR", "改了")  # call back first
    hall.ratings.work_order_step(order, "appeal", "李", "AMR", "恶意差评：与办件无关")
    with pytest.raises(InvalidState):
        hall.ratings.work_order_step(order, "uphold", "李", "AMR", "x")  # admins decide
    done = hall.ratings.work_order_step(order, "uphold", "admin", None, "经核实为恶意评价")
    assert done.status == "closed" and done.appeal_decision == "upheld"
    assert hall.ratings.statistics("matter") == []  # an upheld appeal leaves the statistics
    assert number


def test_complaint_steps_are_in_order_and_timed(hall: HallService, hall_clock: SetClock) -> None:
    filed = hall.complaints.file(NewComplaint(name="李四", phone="13900001111", subject="态度",
                                              text="窗口人员态度差"), "kiosk")
    with pytest.raises(InvalidState):
        hall.complaints.step(filed.number, "handle", "admin", "skip")
    for verb in ("accept", "investigate", "handle", "answer", "archive"):
        hall_clock.now += dt.timedelta(hours=2)
        view = hall.complaints.step(filed.number, verb, "admin", f"{verb} done")
    assert view.status == "archived" and view.answer == "answer done"
    times = [s.at for s in view.steps]
    assert times == sorted(times) and len(set(times)) == 6
    assert hall.complaints.lookup(filed.number, "0000") is None
    assert hall.complaints.lookup(filed.number, "1111") is not None
