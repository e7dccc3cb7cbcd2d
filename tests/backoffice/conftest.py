"""Back-office fixtures: both databases, the service, a real uvicorn server on loopback.

``pg_cluster`` starts a throwaway PostgreSQL cluster once per session (as the ``postgres`` user
when run as root); when it cannot start, the tests that need it FAIL with the reason, they are
never skipped. ``db_url`` is parametrised: every test using it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from backoffice.clearing.app import build_service, create_app
from backoffice.clearing.service import ClearingService
from backoffice.clearing.settings import ServerSettings
from backoffice.pgtemp import PostgresUnavailable, ThrowawayPostgres
from tests.backoffice.cardsim import demo_keys
from tests.fixtures.webserver import ThreadedServer

TOKEN = "test-token-0123456789"
_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ThrowawayPostgres]:
    pg = ThrowawayPostgres()
    try:
        pg.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot start the throwaway PostgreSQL cluster for the back-office tests: "
                    f"{exc}", pytrace=False)
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clearing.sqlite3'}"
    pg: ThrowawayPostgres = request.getfixturevalue("pg_cluster")
    return pg.create_database(f"t{next(_db_names)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clearing.sqlite3'}"


class Clock:
    """A settable clock for the service (received_at, listed_at)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 26, 8, 0, 0))


def settings_for(url: str, **kw: object) -> ServerSettings:
    return ServerSettings(db_url=url, token=TOKEN, keys=demo_keys(), **kw)  # type: ignore[arg-type]


@pytest.fixture
def service(db_url: str, clock: Clock) -> Iterator[ClearingService]:
    svc = build_service(settings_for(db_url), clock)
    try:
        yield svc
    finally:
        svc.repo.db.close()


@dataclass
class Live:
    url: str
    app: FastAPI

    @property
    def service(self) -> ClearingService:
        svc: ClearingService = self.app.state.service
        return svc


@pytest.fixture
def live_factory(clock: Clock) -> Iterator[Callable[..., Live]]:
    """Start real servers (uvicorn on a free loopback port) for a database URL."""
    servers: list[ThreadedServer] = []

    def start(url: str, **kw: object) -> Live:
        settings = settings_for(url, **kw)
        app = create_app(settings, service=build_service(settings, clock))
        server = ThreadedServer(app).__enter__()
        servers.append(server)
        return Live(f"http://127.0.0.1:{server.port}", app)

    try:
        yield start
    finally:
        for server in servers:
            server.__exit__()


@pytest.fixture
def live(live_factory: Callable[..., Live], db_url: str) -> Live:
    """A live server on each database."""
    return live_factory(db_url)


@pytest.fixture
def live_sqlite(live_factory: Callable[..., Live], sqlite_url: str) -> Live:
    """A live server on SQLite only (for HTTP behaviour that does not depend on the database)."""
    return live_factory(sqlite_url)
