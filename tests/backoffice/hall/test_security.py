"""Security: other people's numbers, tokens and IDs; guessing; scopes; uploads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from backoffice.auth import TokenStore
from backoffice.hall.materials import Limits
from tests.backoffice.hall.catalogue import code_of
from tests.backoffice.hall.conftest import ID_A, ID_B, LiveHall, identity, jpeg_page, pdf_page

LICENCE = "营业执照登记（个体工商户）"


def _filed(kiosk: httpx.Client, id_number: str = ID_A, name: str = "王小明") -> dict[str, str]:
    r = kiosk.post("/v1/hall/cases", json={"matter_code": code_of(LICENCE),
                                           "identity": identity(id_number, name),
                                           "form": {"phone": "13800000000", "note": "秘密备注"}})
    assert r.status_code == 201, r.text
    body: dict[str, str] = r.json()
    return body


def test_another_persons_number_token_and_id_tail(live_hall: LiveHall) -> None:
    kiosk = live_hall.client(live_hall.tokens.kiosk)
    mine, theirs = _filed(kiosk), _filed(kiosk, ID_B, "李大华")
    # their number with my ID tail: the same answer as a number that does not exist
    wrong = kiosk.get(f"/v1/hall/progress/{theirs['number']}", params={"id_tail": ID_A[-6:]})
    assert wrong.status_code == 404 and wrong.json()["error"] == "case_not_found"
    missing_number = mine["number"][:7] + "99999"
    missing_number += f"{98 - int(missing_number) * 100 % 97:02d}"
    nosuch = kiosk.get(f"/v1/hall/progress/{missing_number}", params={"id_tail": ID_A[-6:]})
    assert nosuch.json() == wrong.json()
    # a token one character off finds nothing
    token = mine["token"]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert kiosk.get(f"/v1/hall/cases/{forged}").status_code == 404
    assert kiosk.post(f"/v1/hall/cases/{forged}/rating",
                      json={"level": "satisfied"}).status_code == 404
    assert kiosk.post(f"/v1/hall/cases/{forged}/materials/premises",
                      content=pdf_page()).status_code == 404
    # my own views never carry the form's answers or a full ID
    mine_view = kiosk.get(f"/v1/hall/cases/{token}").text
    assert "秘密备注" not in mine_view and ID_A not in mine_view and "王小明" not in mine_view
    holder = kiosk.post("/v1/hall/progress/holder", json=identity()).json()
    assert [c["number"] for c in holder] == [mine["number"]]


def test_lookups_are_rate_limited(live_hall_factory: Callable[..., LiveHall],
                                  tmp_path: Path) -> None:
    live = live_hall_factory(
        f"sqlite:///{tmp_path}/h.sqlite3", lookup_limit=3, lookup_window_s=600)
    kiosk = live.client(live.tokens.kiosk)
    case = _filed(kiosk)
    for tail in ("000000", "000001", "000002"):
        r = kiosk.get(f"/v1/hall/progress/{case['number']}", params={"id_tail": tail})
        assert r.status_code == 404
    blocked = kiosk.get(f"/v1/hall/progress/{case['number']}", params={"id_tail": ID_A[-6:]})
    assert blocked.status_code == 429 and blocked.json()["error"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    # another kiosk (another token) is not blocked by this one's failures
    other = TokenStore(live.service.settings.tokens_file).issue("kiosk", label="kiosk-B")[1]
    ok = live.client(other).get(f"/v1/hall/progress/{case['number']}",
                                params={"id_tail": ID_A[-6:]})
    assert ok.status_code == 200


def test_scopes_and_departments(live_hall_sqlite: LiveHall) -> None:
    live = live_hall_sqlite
    kiosk = live.client(live.tokens.kiosk)
    case = _filed(kiosk)
    kiosk.post(f"/v1/hall/cases/{case['token']}/materials/id_card_copy", content=jpeg_page())
    kiosk.post(f"/v1/hall/cases/{case['token']}/materials/premises", content=jpeg_page())
    assert kiosk.post(f"/v1/hall/cases/{case['token']}/submit").status_code == 200
    assert live.client().get("/v1/hall/matters").status_code == 401
    assert live.client("t0000.nonsense").get("/v1/hall/matters").status_code == 401
    assert kiosk.get("/v1/hall/clerk/cases").status_code == 403
    assert kiosk.post("/v1/hall/admin/matters/X/publish").status_code in (403, 422)
    nrb = live.client(live.tokens.clerk["NRB"])
    assert nrb.get("/v1/hall/clerk/cases").json() == []
    seen = nrb.get(f"/v1/hall/clerk/cases/{case['number']}")
    assert seen.status_code == 404 and seen.json()["error"] == "case_not_found"
    acted = nrb.post(f"/v1/hall/clerk/cases/{case['number']}/accept", json={})
    assert acted.status_code == 404
    amr = live.client(live.tokens.clerk["AMR"])
    assert amr.post(f"/v1/hall/clerk/cases/{case['number']}/accept", json={}).status_code == 200
    clerk_page = amr.get(f"/v1/hall/clerk/cases/{case['number']}/materials/id_card_copy/1")
    assert clerk_page.status_code == 200 and clerk_page.headers["content-type"] == "image/jpeg"
    # a clerk token is not a kiosk token, and a revoked token is refused
    assert amr.get("/v1/hall/matters").status_code == 403
    store = TokenStore(live.service.settings.tokens_file)
    store.revoke(live.tokens.clerk["AMR"].split(".")[0])
    assert amr.get("/v1/hall/clerk/cases").status_code == 401


def test_uploads_are_checked_by_content_and_bounded(
        live_hall_factory: Callable[..., LiveHall], tmp_path: Path) -> None:
    live = live_hall_factory(
        f"sqlite:///{tmp_path}/h.sqlite3", limits=Limits(page_bytes=50_000, case_bytes=120_000,
                                                         pages=3))
    kiosk = live.client(live.tokens.kiosk)
    token = _filed(kiosk)["token"]
    url = f"/v1/hall/cases/{token}/materials/id_card_copy"
    fake = kiosk.post(url, content=b"MZ\x90\x00 an executable named scan.jpg",
                      headers={"Content-Type": "image/jpeg"})
    assert fake.status_code == 415 and fake.json()["error"] == "unsupported_media"
    liar = kiosk.post(url, content=pdf_page(), headers={"Content-Type": "image/jpeg"})
    assert liar.status_code == 415
    big = kiosk.post(url, content=jpeg_page(size=200_000))
    assert big.status_code == 413 and big.json()["error"] == "payload_too_large"
    for seed in (1, 2, 3):
        assert kiosk.post(url, content=jpeg_page(size=30_000, seed=seed)).status_code == 200
    fourth = kiosk.post(url, content=jpeg_page(size=30_000, seed=4))
    assert fourth.status_code == 413  # pages per material
    unknown = kiosk.post(f"/v1/hall/cases/{token}/materials/passport", content=pdf_page())
    assert unknown.status_code == 404 and unknown.json()["error"] == "material_not_found"


@pytest.mark.parametrize("path", ["/nothing", "/v1/hall/nothing", "/v1/hall/cases"])
def test_unknown_routes_answer_the_error_body(live_hall_sqlite: LiveHall, path: str) -> None:
    r = live_hall_sqlite.client(live_hall_sqlite.tokens.kiosk).get(path)
    assert r.status_code in (404, 405)
    assert set(r.json()) == {"error", "message", "message_zh"}
