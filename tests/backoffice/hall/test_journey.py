"""The whole journey over real HTTP, on SQLite and PostgreSQL: search, file with materials,
a clerk accepts and approves from the CLI, progress by number and by QR token, rate, complain;
and Art.22 reuse on the next application."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backoffice.cli import main
from backoffice.hallcat.workdays import WorkCalendar
from tests.backoffice.hall.catalogue import code_of
from tests.backoffice.hall.conftest import ID_A, LiveHall, identity, jpeg_page, pdf_page

LICENCE = "营业执照登记（个体工商户）"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_search_file_accept_approve_progress_rate_complain(
        live_hall: LiveHall, capsys: pytest.CaptureFixture[str]) -> None:
    kiosk = live_hall.client(live_hall.tokens.kiosk)
    hits = kiosk.get("/v1/hall/matters", params={"q": "yyzz"}).json()
    assert code_of(LICENCE) in [h["code"] for h in hits[:3]]
    guide = kiosk.get(f"/v1/hall/matters/{code_of(LICENCE)}").json()
    assert guide["form"]["properties"]["id_number"]["x-ui"]["identity"] == "id_number"

    # file: identity from the card, the form's identity fields are not typed
    filed = kiosk.post("/v1/hall/cases", json={
        "matter_code": code_of(LICENCE), "identity": identity(),
        "form": {"phone": "13800000000", "applicant_name": "someone else"}})
    assert filed.status_code == 201, filed.text
    case = filed.json()
    number, token = case["number"], case["token"]
    assert [m["source"] for m in case["materials"]] == ["none", "none"]
    early = kiosk.post(f"/v1/hall/cases/{token}/submit")
    assert early.status_code == 422 and early.json()["error"] == "materials_missing"
    for page in (jpeg_page(seed=1), jpeg_page(seed=2)):
        up = kiosk.post(f"/v1/hall/cases/{token}/materials/id_card_copy", content=page,
                        headers={"Content-Type": "image/jpeg"})
        assert up.status_code == 200, up.text
    assert up.json()["pages"] == 2
    up = kiosk.post(f"/v1/hall/cases/{token}/materials/premises", content=pdf_page(),
                    headers={"Content-Type": "application/pdf"})
    assert up.status_code == 200
    submitted = kiosk.post(f"/v1/hall/cases/{token}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    # the clerk of AMR accepts and approves from the command line
    cfg = str(live_hall.config)
    code, out, err = cli(capsys, "hall", "case", "list", "--department", "AMR", "--json",
                         "--config", cfg)
    assert code == 0, err
    assert number in [c["number"] for c in json.loads(out)]
    code, out, err = cli(capsys, "hall", "case", "accept", number, "--department", "AMR",
                         "--clerk", "张三", "--json", "--config", cfg)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["status"] == "accepted" and shown["id_number"] == ID_A
    assert shown["form"]["applicant_name"] == "王小明"  # overwritten from the identity
    calendar = WorkCalendar.load(live_hall.service.settings.calendar_dir)
    accepted_day = shown["accepted_at"][:10]
    expected_due = calendar.add_working_days(dt.date.fromisoformat(accepted_day), 3)
    assert shown["promised_date"] == expected_due.isoformat()

    # progress by number + ID tail: accepted, promised date, not overdue
    progress = kiosk.get(f"/v1/hall/progress/{number}", params={"id_tail": ID_A[-6:]}).json()
    assert progress["status"] == "accepted" and progress["overdue"] is False
    assert progress["promised_date"] == expected_due.isoformat()
    assert "form" not in progress and ID_A not in json.dumps(progress)

    code, out, err = cli(capsys, "hall", "case", "approve", number, "--department", "AMR",
                         "--note", "材料齐全", "--config", cfg)
    assert code == 0, err
    assert "approved" in out
    by_token = kiosk.get(f"/v1/hall/cases/{token}").json()
    assert by_token["status"] == "approved" and by_token["decision"] == "approved"
    assert [e["kind"] for e in by_token["timeline"]] == [
        "created", "submitted", "accepted", "approved"]
    assert by_token["can_rate"] is True

    # 好差评: a 差评 needs a reason and opens a work order; one rating per case
    bad = kiosk.post(f"/v1/hall/cases/{token}/rating", json={"level": "dissatisfied"})
    assert bad.status_code == 422 and bad.json()["error"] == "reason_required"
    none = kiosk.post(f"/v1/hall/cases/{token}/rating", json={})
    assert none.status_code == 422  # nothing preselected
    rated = kiosk.post(f"/v1/hall/cases/{token}/rating",
                       json={"level": "dissatisfied", "reasons": ["slow"], "text": "排队太久"})
    assert rated.status_code == 201, rated.text
    assert rated.json()["work_order"] is not None and rated.json()["level_zh"] == "不满意"
    again = kiosk.post(f"/v1/hall/cases/{token}/rating", json={"level": "satisfied"})
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    clerk = live_hall.client(live_hall.tokens.clerk["AMR"])
    orders = clerk.get("/v1/hall/clerk/work-orders").json()
    assert [o["case_number"] for o in orders] == [number]
    step = clerk.post(f"/v1/hall/clerk/work-orders/{orders[0]['id']}/callback",
                      json={"note": "已电话回访"})
    assert step.status_code == 200 and step.json()["status"] == "called_back"

    # a complaint, answered by the hall, looked up by number and phone tail
    filed_c = kiosk.post("/v1/hall/complaints", json={
        "name": "王小明", "phone": "13800001234", "subject": "排队时间长",
        "text": "上午等了两个小时", "department": "AMR", "case_number": number})
    assert filed_c.status_code == 201
    cnum = filed_c.json()["number"]
    admin = live_hall.client(live_hall.tokens.admin)
    for verb in ("accept", "investigate", "handle", "answer"):
        r = admin.post(f"/v1/hall/admin/complaints/{cnum}/{verb}", json={"note": f"{verb} ok"})
        assert r.status_code == 200, r.text
    view = kiosk.get(f"/v1/hall/complaints/{cnum}", params={"phone_tail": "1234"}).json()
    assert view["status"] == "answered" and view["answer"] == "answer ok"
    assert [s["kind"] for s in view["steps"]] == ["filed", "accepted", "investigated",
                                                  "handled", "answered"]


def test_art22_the_id_copy_is_reused_after_acceptance(live_hall: LiveHall,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    kiosk = live_hall.client(live_hall.tokens.kiosk)
    first = kiosk.post("/v1/hall/cases", json={"matter_code": code_of("营业执照注销"),
                                                "identity": identity(),
                                                "form": {"phone": "13800000000"}}).json()
    for mid in ("id_card_copy", "licence"):
        kiosk.post(f"/v1/hall/cases/{first['token']}/materials/{mid}", content=jpeg_page())
    assert kiosk.post(f"/v1/hall/cases/{first['token']}/submit").status_code == 200
    code, _, err = cli(capsys, "hall", "case", "accept", first["number"], "--department", "AMR",
                       "--config", str(live_hall.config))
    assert code == 0, err
    held = kiosk.post("/v1/hall/held", json={"matter_code": code_of("企业名称自主申报"),
                                              "identity": identity()})
    assert [(h["material_id"], h["pages"]) for h in held.json()] == [("id_card_copy", 1)]
    nobody = kiosk.post("/v1/hall/held", json={"matter_code": code_of("企业名称自主申报"),
                                                "identity": identity("410102198501010030",
                                                                     "李大华")})
    assert nobody.json() == []
    second = kiosk.post("/v1/hall/cases", json={"matter_code": code_of("企业名称自主申报"),
                                                 "identity": identity(),
                                                 "form": {"phone": "13800000000"}}).json()
    assert second["materials"][0] == {**second["materials"][0], "id": "id_card_copy",
                                      "pages": 1, "source": "reuse"}
    done = kiosk.post(f"/v1/hall/cases/{second['token']}/submit")
    assert done.status_code == 200  # nothing asked again
    # someone else gets nothing of it
    other = kiosk.post("/v1/hall/cases", json={
        "matter_code": code_of("企业名称自主申报"),
        "identity": identity("410102198501010030", "李大华"),
        "form": {"phone": "13900000000"}}).json()
    assert other["materials"][0]["source"] == "none"
