"""What the kiosk needs of the hall: filing is idempotent on the client's token (a retry or
the kiosk's outbox never files twice, and the receipt printed before the answer carries the QR
token that will work); a case found by number + ID tail can be rated; the 差评 reasons come with
their words."""

from __future__ import annotations

import secrets
import typing

import pytest

from backoffice.errors import Conflict, InvalidState, NotFound
from backoffice.hall.models import Identity, NewCase, RatingIn
from backoffice.hall.ratings import REASONS
from backoffice.hall.service import HallService
from tests.backoffice.hall.catalogue import code_of
from tests.backoffice.hall.conftest import ID_A, ID_B, LiveHall, jpeg_page


def _new(name: str, token: str, id_number: str = ID_A) -> NewCase:
    return NewCase(matter_code=code_of(name), form={"phone": "13800000000"}, client_token=token,
                   identity=Identity(source="id_card", id_number=id_number, name="王小明"))


def test_filing_again_with_the_same_client_token_answers_the_same_case(hall: HallService
                                                                         ) -> None:
    token = secrets.token_urlsafe(16)
    first = hall.cases.file(_new("营业执照注销", token))
    assert first.token == token  # the client's token is the case's QR token
    again = hall.cases.file(_new("营业执照注销", token))
    assert (again.number, again.token) == (first.number, token)
    for m in first.materials:
        hall.cases.add_page(token, m.id, jpeg_page(), None)
    hall.cases.submit(token)
    after = hall.cases.file(_new("营业执照注销", token))  # a retry after the answer was lost
    assert after.number == first.number and after.status == "submitted"
    assert hall.cases.progress_by_token(token).number == first.number
    with pytest.raises(InvalidState) as other:
        hall.cases.file(_new("营业执照注销", token, id_number=ID_B))
    assert other.value.code == "client_token_used"


def test_a_case_found_by_number_and_id_tail_is_rated_once(hall: HallService) -> None:
    token = secrets.token_urlsafe(16)
    created = hall.cases.file(_new("营业执照注销", token))
    for m in created.materials:
        hall.cases.add_page(token, m.id, jpeg_page(), None)
    hall.cases.submit(token)
    with pytest.raises(NotFound):
        hall.ratings.rate_by_number(created.number, "999999", RatingIn(level="satisfied"), "k")
    out = hall.ratings.rate_by_number(created.number, ID_A[-6:],
                                      RatingIn(level="satisfied"), "kiosk")
    assert out.case_number == created.number and out.level == "satisfied"
    with pytest.raises(Conflict):
        hall.ratings.rate(token, RatingIn(level="basic"), "kiosk")


def test_over_http_reasons_and_rating_by_number(live_hall_sqlite: LiveHall) -> None:
    hall = live_hall_sqlite
    with hall.client(hall.tokens.kiosk) as http:
        reasons = http.get("/v1/hall/rating-reasons").json()
        allowed = typing.get_args(typing.get_args(RatingIn.model_fields["reasons"].annotation)[0])
        assert [r["code"] for r in reasons] == list(REASONS) and set(REASONS) == set(allowed)
        assert reasons[0]["zh"] and reasons[0]["en"]
        token = secrets.token_urlsafe(16)
        body = _new("营业执照注销", token).model_dump(mode="json")
        first = http.post("/v1/hall/cases", json=body)
        again = http.post("/v1/hall/cases", json=body)
        assert first.status_code == again.status_code == 201
        assert first.json()["number"] == again.json()["number"]
        number = first.json()["number"]
        for m in first.json()["materials"]:
            http.post(f"/v1/hall/cases/{token}/materials/{m['id']}", content=jpeg_page(),
                      headers={"Content-Type": "image/jpeg"}).raise_for_status()
        http.post(f"/v1/hall/cases/{token}/submit").raise_for_status()
        wrong = http.post(f"/v1/hall/progress/{number}/rating", params={"id_tail": "000000"},
                          json={"level": "satisfied"})
        assert wrong.status_code == 404
        ok = http.post(f"/v1/hall/progress/{number}/rating", params={"id_tail": ID_A[-6:]},
                       json={"level": "dissatisfied", "reasons": ["slow"]})
        assert ok.status_code == 201 and ok.json()["work_order"] is not None
