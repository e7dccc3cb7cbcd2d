"""The committed demo catalogue files are exactly what the build script writes."""

from __future__ import annotations

import json

from config.demo.hall import CATALOGUE_FILE, SEARCH_QUERIES_FILE
from config.demo.hall.build_catalogue import main
from config.demo.hall.pdf_draw import DEFAULT_FONT


def test_committed_files_are_what_the_script_writes(capsys):
    assert DEFAULT_FONT.exists(), "fonts-wqy-microhei is installed by scripts/bootstrap.sh"
    rc = main(["--check"])
    out = capsys.readouterr().out
    assert rc == 0, f"run `python -m config.demo.hall.build_catalogue` and commit:\n{out}"


def test_search_queries_are_split_and_resolve_to_matters():
    doc = json.loads(SEARCH_QUERIES_FILE.read_text(encoding="utf-8"))
    codes = {m["code"] for m in json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["matters"]}
    tuning, held_out = doc["tuning"], doc["held_out"]
    assert len(tuning) + len(held_out) >= 60
    assert abs(len(tuning) - len(held_out)) <= 4
    queries = [q["query"] for q in tuning + held_out]
    assert len(queries) == len(set(queries))
    for q in tuning + held_out:
        assert q["expect"] and set(q["expect"]) <= codes
        assert len(q["expect"]) == len(q["expect_names"])
    for half in (tuning, held_out):
        assert {"characters", "pinyin", "initials", "mixed", "typo"} <= {q["kind"] for q in half}
