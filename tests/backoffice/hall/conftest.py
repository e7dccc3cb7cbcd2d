"""Hall fixtures: settings under tmp_path, the test catalogue, tokens of every scope, a live
server (uvicorn on a free loopback port) on SQLite and PostgreSQL (``db_url`` of the back-office
conftest), sample JPEG and PDF pages."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from PIL import Image

from backoffice.auth import TokenStore
from backoffice.hall.app import create_hall_app
from backoffice.hall.service import HallService
from backoffice.hall.settings import HallServerSettings
from backoffice.hallcat.exchange import parse_document
from tests.backoffice.hall.catalogue import document
from tests.fixtures.webserver import ThreadedServer

ID_A = "410102199003070019"   # 王小明 (the applicant of the tests)
ID_B = "410102198501010030"   # 李大华 (someone else)


def write_calendars(directory: Path) -> None:
    """This year and the next: weekends, plus two holidays and a worked Saturday each, so the
    tests exercise both lists (the shipped calendars are the catalogue's)."""
    directory.mkdir(parents=True, exist_ok=True)
    this = dt.date.today().year
    for year in (this - 1, this, this + 1):
        (directory / f"{year}.toml").write_text(
            f'year = {year}\nholidays = ["{year}-01-01", "{year}-10-01"]\n'
            f'workdays = ["{year}-10-10"]\n' if dt.date(year, 10, 10).weekday() >= 5 else
            f'year = {year}\nholidays = ["{year}-01-01", "{year}-10-01"]\nworkdays = []\n',
            encoding="utf-8")


def config_file(tmp_path: Path, db_url: str) -> Path:
    """A settings file the CLI reads (the same database, key, tokens and calendars)."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\nvar_dir = "{tmp_path / "var"}"\n\n[hall]\ndb = "{db_url}"\n'
        f'calendar_dir = "{tmp_path / "calendar"}"\n', encoding="utf-8")
    return path


def hall_settings_for(tmp_path: Path, db_url: str, **kw: object) -> HallServerSettings:
    write_calendars(tmp_path / "calendar")
    return HallServerSettings(db_url=db_url, tokens_file=tmp_path / "var/backoffice/tokens.json",
                              key_file=tmp_path / "var/keys/hall_data.key",
                              calendar_dir=tmp_path / "calendar", **kw)  # type: ignore[arg-type]


@dataclass
class Tokens:
    kiosk: str
    admin: str
    clerk: dict[str, str] = field(default_factory=dict)


def issue_tokens(path: Path) -> Tokens:
    store = TokenStore(path)
    tokens = Tokens(kiosk=store.issue("kiosk", label="kiosk-A1")[1],
                    admin=store.issue("admin", label="admin")[1])
    for dept in ("AMR", "HUD", "NRB", "HPF", "TAX", "PSB", "HRSS"):
        tokens.clerk[dept] = store.issue("clerk", department=dept, label=f"clerk-{dept}")[1]
    return tokens


class SetClock:
    """A clock the test moves."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def hall_clock() -> SetClock:
    year = dt.date.today().year
    return SetClock(dt.datetime(year, 11, 30, 9, 0) if dt.date(year, 11, 30).weekday() < 5
                    else dt.datetime(year, 12, 1, 9, 0) + dt.timedelta(
                        days=(7 - dt.date(year, 12, 1).weekday()) % 7))


@pytest.fixture
def hall(tmp_path: Path, db_url: str, hall_clock: SetClock) -> Iterator[HallService]:
    svc = HallService(hall_settings_for(tmp_path, db_url), clock=hall_clock)
    svc.catalogue.import_document(parse_document(document()))
    try:
        yield svc
    finally:
        svc.close()


@dataclass
class LiveHall:
    url: str
    service: HallService
    tokens: Tokens
    config: Path
    db_url: str

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def live_hall_factory(tmp_path: Path) -> Iterator[Callable[..., LiveHall]]:
    servers: list[ThreadedServer] = []

    def start(db_url: str, **kw: object) -> LiveHall:
        settings = hall_settings_for(tmp_path, db_url, **kw)
        tokens = issue_tokens(settings.tokens_file)
        svc = HallService(settings)
        svc.catalogue.import_document(parse_document(document()))
        server = ThreadedServer(create_hall_app(settings, service=svc)).__enter__()
        servers.append(server)
        return LiveHall(f"http://127.0.0.1:{server.port}", svc, tokens,
                        config_file(tmp_path, db_url), db_url)

    try:
        yield start
    finally:
        for server in servers:
            server.__exit__()


@pytest.fixture
def live_hall(live_hall_factory: Callable[..., LiveHall], db_url: str) -> LiveHall:
    return live_hall_factory(db_url)


@pytest.fixture
def live_hall_sqlite(live_hall_factory: Callable[..., LiveHall], tmp_path: Path) -> LiveHall:
    return live_hall_factory(f"sqlite:///{tmp_path / 'hall.sqlite3'}")


def jpeg_page(size: int = 20_000, seed: int = 1) -> bytes:
    """A scanned-looking JPEG of about ``size`` bytes (noise compresses badly)."""
    rng = random.Random(seed)
    side = max(64, int((size / 1.2) ** 0.5))
    image = Image.frombytes("L", (side, side), rng.randbytes(side * side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def pdf_page(text: str = "scan") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body +
            b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def identity(id_number: str = ID_A, name: str = "王小明") -> dict[str, str]:
    return {"source": "id_card", "id_number": id_number, "name": name}
