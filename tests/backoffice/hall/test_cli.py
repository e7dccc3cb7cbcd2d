"""``backoffice hall`` and ``backoffice tokens``: contracts for scripts and exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from backoffice.cli import main
from tests.backoffice.hall.catalogue import code_of, document
from tests.backoffice.hall.conftest import config_file, write_calendars


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    write_calendars(tmp_path / "calendar")
    return str(config_file(tmp_path, f"sqlite:///{tmp_path / 'hall.sqlite3'}"))


def test_import_search_export_show(capsys: pytest.CaptureFixture[str], cfg: str,
                                   tmp_path: Path) -> None:
    doc = tmp_path / "catalogue.json"
    doc.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "hall", "import", str(doc), "--config", cfg)
    assert code == 0, err
    assert "added 30" in out
    code, out, _ = run(capsys, "hall", "search", "yyzz", "--json", "--config", cfg)
    rows = json.loads(out)
    assert code == 0 and {"code", "name", "department"} <= set(rows[0])
    assert code_of("营业执照登记（个体工商户）") in [r["code"] for r in rows]
    code, out, _ = run(capsys, "hall", "search", "", "--department", "PSB", "--json",
                       "--config", cfg)
    assert {r["department"] for r in json.loads(out)} == {"PSB"}
    code, out, _ = run(capsys, "hall", "export", "--json", "--config", cfg)
    exported = json.loads(out)
    assert exported["format"] == "citizen-hall-catalogue" and len(exported["matters"]) == 30
    code, out, _ = run(capsys, "hall", "export", "--csv", "--config", cfg)
    assert code == 0 and len(out.splitlines()) == 31
    key = Path(cfg).parent / "var/keys/hall_data.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


@pytest.mark.parametrize("argv,exit_code,words", [
    (["hall", "case", "show", "12611300000142"], 1, "no case"),
    (["hall", "case", "accept", "12611300000142", "--decision", "maybe"], 2, "invalid choice"),
    (["hall", "case", "frobnicate", "1"], 2, "unknown subcommand"),
    (["hall", "publish", "11410200MB0000001A01000010000099"], 1, "no matter"),
    (["hall", "search", "x", "--db", "mysql://x"], 4, "unsupported database URL"),
    (["hall", "search", "x", "--db", "postgresql://u:secret@/x?host=/nonexistent"], 3,
     "cannot open PostgreSQL"),
    (["tokens", "issue", "--scope", "clerk"], 2, "department"),
])
def test_errors_are_one_line_with_their_exit_code(capsys: pytest.CaptureFixture[str], cfg: str,
                                                  argv: list[str], exit_code: int,
                                                  words: str) -> None:
    code, out, err = run(capsys, *argv, "--config", cfg)
    assert code == exit_code, (out, err)
    assert words in out + err
    assert "Traceback" not in err and "secret" not in err


def test_import_refuses_a_malformed_file_naming_record_and_field(
        capsys: pytest.CaptureFixture[str], cfg: str, tmp_path: Path) -> None:
    doc = document()
    doc["matters"][3]["materials"][0]["form"] = "photocopy"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "hall", "import", str(path), "--config", cfg)
    assert code == 2 and "matters[3]" in err and "materials[0].form" in err
    code, out, _ = run(capsys, "hall", "export", "--json", "--config", cfg)
    assert json.loads(out)["matters"] == []  # nothing half-imported


def test_tokens_issue_to_a_file_list_revoke(capsys: pytest.CaptureFixture[str], cfg: str,
                                            tmp_path: Path) -> None:
    out_file = tmp_path / "kiosk.token"
    code, out, _ = run(capsys, "tokens", "issue", "--scope", "kiosk", "--label", "kiosk-A1",
                       "--out", str(out_file), "--config", cfg)
    assert code == 0 and str(out_file) in out
    token = out_file.read_text().strip()
    assert token not in out and stat.S_IMODE(os.stat(out_file).st_mode) == 0o600
    code, out, _ = run(capsys, "tokens", "list", "--json", "--config", cfg)
    listed = json.loads(out)
    assert [t["scope"] for t in listed] == ["kiosk"] and "sha256" not in listed[0]
    assert token.split(".")[1] not in out
    code, _, _ = run(capsys, "tokens", "revoke", listed[0]["id"], "--config", cfg)
    assert code == 0
    code, _, _ = run(capsys, "tokens", "revoke", listed[0]["id"], "--config", cfg)
    assert code == 1
