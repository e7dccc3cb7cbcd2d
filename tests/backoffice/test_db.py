"""Database URLs and storage errors."""

from __future__ import annotations

import pytest

from backoffice.db import Database, parse_url
from backoffice.errors import ConfigurationError, StorageError


@pytest.mark.parametrize("url,kind,target", [
    ("sqlite:///var/x.db", "sqlite", "var/x.db"),
    ("sqlite:////srv/x.db", "sqlite", "/srv/x.db"),
    ("var/plain.db", "sqlite", "var/plain.db"),
    ("postgresql://u@/db?host=/tmp", "postgresql", "postgresql://u@/db?host=/tmp"),
    ("postgres://u@h/db", "postgresql", "postgres://u@h/db"),
])
def test_urls(url: str, kind: str, target: str) -> None:
    parsed = parse_url(url)
    assert (parsed.kind, parsed.target) == (kind, target)


@pytest.mark.parametrize("url", ["", "sqlite:", "sqlite://x", "sqlite:///:memory:",
                                 "mysql://h/db"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_url(url)


def test_password_never_shown() -> None:
    url = "postgresql://clerk:hunter2@127.0.0.1:1/db?connect_timeout=1"
    assert "hunter2" not in parse_url(url).redacted()
    with pytest.raises(StorageError) as info:
        Database(url)
    assert "hunter2" not in str(info.value)


def test_statement_errors_become_storage_errors(sqlite_url: str) -> None:
    with Database(sqlite_url) as db:
        with pytest.raises(StorageError), db.transaction() as tx:
            tx.execute("SELECT * FROM no_such_table")
        with db.transaction() as tx:  # the pool still works
            assert tx.one("SELECT 1") == (1,)


def test_rollback_on_error(db_url: str) -> None:
    with Database(db_url) as db:
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE t (v INTEGER)")
        with pytest.raises(RuntimeError), db.transaction(write=True) as tx:
            tx.execute("INSERT INTO t (v) VALUES (?)", (1,))
            raise RuntimeError("boom")
        with db.transaction() as tx:
            assert tx.execute("SELECT count(*) FROM t") == [(0,)]
