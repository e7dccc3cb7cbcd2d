"""Clearing and the hall in one process (``backoffice serve``): a rating never waits behind a
5,000-record upload. The hall has its own engine and database; clearing's write lock (BEGIN
IMMEDIATE on SQLite, an advisory lock on PostgreSQL) is held while a 5,000-record upload queues
behind it, and a rating goes through meanwhile."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from backoffice.clearing.app import build_service
from backoffice.hall.service import HallService
from backoffice.hallcat.exchange import parse_document
from backoffice.server import create_server_app
from tests.backoffice.cardsim import Card, at
from tests.backoffice.conftest import TOKEN, settings_for
from tests.backoffice.hall.catalogue import code_of, document
from tests.backoffice.hall.conftest import hall_settings_for, identity, issue_tokens, jpeg_page
from tests.fixtures.webserver import ThreadedServer


def test_a_rating_never_waits_behind_a_5000_record_upload(tmp_path: Path, db_url: str) -> None:
    clearing_settings = settings_for(db_url)
    hall_url = db_url.replace("clearing.sqlite3", "hall.sqlite3") if db_url.startswith(
        "sqlite") else db_url  # PostgreSQL: the same cluster database, separate tables
    hall_settings = hall_settings_for(tmp_path, hall_url)
    tokens = issue_tokens(hall_settings.tokens_file)
    clearing = build_service(clearing_settings)
    hall = HallService(hall_settings)
    hall.catalogue.import_document(parse_document(document()))
    app = create_server_app(clearing=clearing_settings, hall=hall_settings,
                            clearing_service=clearing, hall_service=hall)
    card = Card("4102000000000001")
    batch = json.dumps([card.purchase(1, ttsn=i, when=at(8 + i // 3600, i // 60 % 60, i % 60))
                        for i in range(1, 5001)]).encode()
    with ThreadedServer(app) as server:
        url = f"http://127.0.0.1:{server.port}"
        kiosk = httpx.Client(base_url=url, timeout=30,
                             headers={"Authorization": f"Bearer {tokens.kiosk}"})
        filed = kiosk.post("/v1/hall/cases", json={"matter_code": code_of("企业名称自主申报"),
                                                    "identity": identity(),
                                                    "form": {"phone": "13800000000"}}).json()
        kiosk.post(f"/v1/hall/cases/{filed['token']}/materials/id_card_copy",
                   content=jpeg_page())
        assert kiosk.post(f"/v1/hall/cases/{filed['token']}/submit").status_code == 200

        held, release = threading.Event(), threading.Event()

        def hold_clearing_write_lock() -> None:
            with clearing.repo.db.transaction(write=True) as tx:
                tx.execute("SELECT 1")
                held.set()
                release.wait(60)

        upload_answer: list[httpx.Response] = []

        def upload() -> None:
            upload_answer.append(httpx.post(f"{url}/v1/transactions", content=batch,
                                            headers={"Authorization": f"Bearer {TOKEN}",
                                                     "Content-Type": "application/json"},
                                            timeout=120))

        holder = threading.Thread(target=hold_clearing_write_lock)
        holder.start()
        assert held.wait(10)
        uploader = threading.Thread(target=upload)
        uploader.start()
        try:
            started = time.monotonic()
            rated = kiosk.post(f"/v1/hall/cases/{filed['token']}/rating",
                               json={"level": "satisfied"})
            elapsed = time.monotonic() - started
            assert rated.status_code == 201, rated.text
            assert uploader.is_alive(), "the upload should still be waiting for the lock"
            assert elapsed < 10
        finally:
            release.set()
            holder.join(30)
            uploader.join(120)
        assert upload_answer and upload_answer[0].status_code == 200
        assert upload_answer[0].json()["new"] == 5000
