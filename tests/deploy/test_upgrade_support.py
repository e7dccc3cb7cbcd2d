"""Schema versions (config/schema.py), `kioskctl upgrade` and `kioskctl export-support`: a store
newer than the program is refused with one line and exit 4, an old one is backed up and migrated
one step at a time, and the support tarball holds no card number, holder, ID number or key."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest

from cardsvc.demo_issuer import demo_key_file, load_demo_data
from cardsvc.journal import Journal
from config.schema import Schema, SchemaTooNew, SchemaTooOld, backup, check, migrate
from drivers.printer.queue import PrintQueue
from kiosk.outbox import Outbox
from tests.deploy.rig import VENV


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[printer]\nurl = ""\n'
                      '[scanner]\nurl = ""\n[card]\nbackend = "memory://"\n')
    return config


def _bump(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV / "bin" / args[0]), *args[1:]], capture_output=True,
                          text=True, timeout=120, check=False)


def test_every_store_is_stamped_and_refuses_a_newer_schema(tmp_path: Path) -> None:
    Journal.open(tmp_path / "journal.sqlite").close()
    PrintQueue(tmp_path / "queue.sqlite3")
    Outbox(tmp_path / "outbox").close()
    stores = [tmp_path / "journal.sqlite", tmp_path / "queue.sqlite3",
              tmp_path / "outbox" / "outbox.sqlite3"]
    for path in stores:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
        _bump(path, 7)
    with pytest.raises(SchemaTooNew, match="version 7, newer"):
        Journal.open(stores[0])
    with pytest.raises(SchemaTooNew):
        PrintQueue(stores[1])
    with pytest.raises(SchemaTooNew):
        Outbox(tmp_path / "outbox")


def test_a_program_on_a_newer_journal_says_one_line_and_exits_4(tmp_path: Path) -> None:
    config = _config(tmp_path)
    Journal.open(tmp_path / "var" / "journal.sqlite").close()
    _bump(tmp_path / "var" / "journal.sqlite", 2)
    done = _run("cardsvc", "journal", "--config", str(config))
    assert done.returncode == 4
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "newer than this program" in done.stderr
    upgrade = _run("kioskctl", "upgrade", "--config", str(config))
    assert upgrade.returncode == 4 and "newer" in upgrade.stderr


def test_migration_backs_up_first_and_goes_step_by_step(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (a INTEGER)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("PRAGMA user_version = 1")
    seen: list[int] = []

    def add_b(c: sqlite3.Connection) -> None:
        seen.append(2)
        c.execute("ALTER TABLE t ADD COLUMN b TEXT")

    def fill_b(c: sqlite3.Connection) -> None:
        seen.append(3)
        c.execute("UPDATE t SET b = 'x'")

    schema = Schema("test store", 3, {2: add_b, 3: fill_b})
    with pytest.raises(SchemaTooOld, match="kioskctl upgrade"):
        check(conn, schema, path)
    saved = backup(path)
    assert migrate(conn, schema, path) == [2, 3] and seen == [2, 3]
    assert conn.execute("SELECT a, b FROM t").fetchall() == [(1, "x")]
    old = sqlite3.connect(saved)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT * FROM t").fetchall() == [(1,)]
    assert migrate(conn, schema, path) == []  # again: nothing to do


def test_upgrade_of_current_stores_changes_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path)
    Journal.open(tmp_path / "var" / "journal.sqlite").close()
    PrintQueue(tmp_path / "var" / "print-queue.sqlite3")
    done = _run("kioskctl", "upgrade", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "journal: version 1, nothing to do" in done.stdout
    assert not list((tmp_path / "var").glob("*.bak"))


def test_the_support_tarball_holds_no_personal_data_or_keys(tmp_path: Path) -> None:
    config = _config(tmp_path)
    Journal.open(tmp_path / "var" / "journal.sqlite").close()
    data = load_demo_data()
    keys = tomllib.loads(demo_key_file().read_text())["issuer"]
    secrets = [v for k, v in keys.items() if k != "key_version"]
    log = tmp_path / "cardsvc.log"
    lines = [f'{{"event": "card_present", "card_no": "{c.number}", "holder": "{c.holder}", '
             f'"id": "{c.id_number}"}} 持卡人 {c.holder} 身份证 {c.id_number} 卡 {c.number}'
             for c in data.cards]
    lines.append(f"a careless line with the keys {' '.join(secrets)} and mpk = {secrets[0]}")
    log.write_text("\n".join(lines) + "\n")
    out = tmp_path / "support.tar.gz"
    done = _run("kioskctl", "export-support", str(out), "--config", str(config),
                "--log", str(log))
    assert done.returncode == 0, done.stderr
    with tarfile.open(out) as tar:
        names = tar.getnames()
        text = "".join(tar.extractfile(m).read().decode() for m in tar.getmembers()  # type: ignore[union-attr]
                       if m.isfile())
    assert {f"support/{n}" for n in ("config.json", "doctor.json", "versions.json",
                                     "schemas.json", "journal.json", "log.txt")} <= set(names)
    assert "card_present" in text and "journal" in text  # the log and the counts are there
    for c in data.cards:
        for secret in (c.number, c.holder, c.id_number):
            assert secret not in text, secret
    for key in secrets:
        assert key.lower() not in text.lower()
    assert re.search(r"4102\*{8}0001", text)  # masked, still useful
    assert out.stat().st_mode & 0o777 == 0o600
