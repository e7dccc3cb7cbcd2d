"""The fleet (backoffice/clearing/terminals*.py): only an administrator registers a terminal; the
terminal's token then finds its own registration and sends heartbeats; registering again revokes
the old token; the list flags the silent, the stuck and the unhealthy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from backoffice.clearing.app import build_service
from backoffice.clearing.terminals import TerminalRow, flags_of
from backoffice.server import create_server_app
from tests.backoffice.conftest import settings_for
from tests.backoffice.hall.conftest import hall_settings_for, issue_tokens

REG = {"terminal_id": "410200000001", "psam_id": "3B6A", "role": "canteen",
       "location": "市民之家食堂", "name": "canteen-01"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_registration_heartbeat_and_the_fleet(tmp_path: Path, sqlite_url: str) -> None:
    clearing = settings_for(sqlite_url)
    hall = hall_settings_for(tmp_path, f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    tokens = issue_tokens(hall.tokens_file)
    app = create_server_app(clearing=clearing, hall=hall, clearing_service=build_service(clearing))
    with TestClient(app) as http:
        assert http.post("/v1/terminals", json=REG, headers=_bearer(tokens.kiosk)
                         ).status_code == 403
        first = http.post("/v1/terminals", json=REG, headers=_bearer(tokens.admin)).json()
        assert not first["replaced"] and first["hall_token"] == ""
        me = http.get("/v1/terminals/me", headers=_bearer(first["token"])).json()
        assert me["terminal_id"] == "410200000001" and me["role"] == "canteen"
        assert "token_id" not in me
        beat = {"software_version": "0.1.0", "hotlist_version": 3, "unsent": 2,
                "health": {"ok": False, "checks": []}}
        assert http.post("/v1/terminals/me/heartbeat", json=beat,
                         headers=_bearer(first["token"])).status_code == 200
        fleet = http.get("/v1/terminals", headers=_bearer(tokens.admin)).json()
        assert [(t["name"], t["unsent"], t["hotlist_version"]) for t in fleet] == [
            ("canteen-01", 2, 3)]
        assert fleet[0]["flags"] == ["unhealthy"]
        again = http.post("/v1/terminals", json={**REG, "role": "kiosk"},
                          headers=_bearer(tokens.admin)).json()
        assert again["replaced"] and again["hall_token"]
        assert http.get("/v1/terminals/me", headers=_bearer(first["token"])).status_code == 401
        assert http.get("/v1/terminals/me", headers=_bearer(again["hall_token"])
                        ).json()["role"] == "kiosk"
        assert http.get("/v1/terminals", headers=_bearer(again["token"])).status_code == 403
        bad = http.post("/v1/terminals", json={**REG, "terminal_id": "x"},
                        headers=_bearer(tokens.admin))
        assert bad.status_code == 422


def test_flags() -> None:
    now = dt.datetime(2026, 12, 1, 12, 0)
    hour = dt.timedelta(hours=1)
    row = TerminalRow("410200000001", "", "validator", "", "v", "t1", "", "2026-12-01T08:00:00",
                      None, None, None, None, None, None)
    assert flags_of(row, now, hour) == ["never_seen"]
    seen = TerminalRow(**{**vars(row), "last_contact": "2026-12-01T11:30:00", "unsent": 4,
                          "healthy": True})
    assert flags_of(seen, now, hour) == ["not_uploading"]  # nothing received since 08:00
    uploading = TerminalRow(**{**vars(seen), "last_upload": "2026-12-01T11:50:00"})
    assert flags_of(uploading, now, hour) == []
    silent = TerminalRow(**{**vars(uploading), "last_contact": "2026-12-01T10:00:00"})
    assert flags_of(silent, now, hour) == ["no_contact"]
