"""The demo hall catalogue (config/demo/hall): the exchange format's rules and the demo's own."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

import pytest

from backoffice.hallcat.completeness import problems
from backoffice.hallcat.exchange import HANDLING_MODES, parse_document
from backoffice.hallcat.forms import IDENTITY_KEYS
from config.demo.hall import CATALOGUE_FILE, FILES_DIR
from config.demo.hall.model import sample_person
from config.demo.hall.site import org_check, uscc_check
from drivers.idcard.codes import id_number_valid


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return data


def _texts(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every object in ``node`` that has a ``zh`` key (a Text), with where it is."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        if "zh" in node:
            found.append((path, node))
        for key, value in node.items():
            found.extend(_texts(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_texts(value, f"{path}[{i}]"))
    return found


def test_the_catalogue_meets_the_exchange_format(doc):
    """The back office's own importer takes it, and every matter is complete enough to publish."""
    parsed = parse_document(doc)
    assert len(parsed.matters) == len(doc["matters"])
    assert {m.code: problems(m) for m in parsed.matters if problems(m)} == {}


def test_sizes_and_every_handling_mode(doc):
    matters = doc["matters"]
    assert len(matters) >= 80
    used = {m["department"] for m in matters}
    assert len(used) >= 12
    assert {d["code"] for d in doc["departments"]} == used, "every department has matters"
    modes = Counter(m["handling_mode"] for m in matters)
    assert set(modes) == set(HANDLING_MODES)
    assert all(n >= 4 for n in modes.values()), modes
    assert {c for m in matters for c in m["category"]} == {c["code"] for c in doc["categories"]}


def test_codes_are_unique_with_valid_credit_codes(doc):
    codes = [m["code"] for m in doc["matters"]]
    assert len(codes) == len(set(codes))
    for code in codes:
        uscc = code[:18]
        assert uscc[2:8] == "410200", code  # Kaifeng
        assert org_check(uscc[8:16]) == uscc[16], code
        assert uscc_check(uscc[:17]) == uscc[17], code
        assert code[30:] == "01"


def test_every_text_is_bilingual(doc):
    texts = _texts(doc)
    assert len(texts) > 3000
    bad = [p for p, t in texts if set(t) != {"zh", "en"} or not t["zh"].strip()
           or not t["en"].strip()]
    assert bad == []
    # English is a translation, not Chinese left in place; only a question about how a
    # character is read may quote it
    untranslated = [p for p, t in texts if re.search("[\u4e00-\u9fff]", t["en"])
                    and not (p.endswith(".q")
                                 and any(w in t["en"] for w in ("read", "spelled", "type")))]
    assert untranslated == []


def test_limits_fees_and_joint_cases(doc):
    for m in doc["matters"]:
        w = m["code"]
        assert m["promised_limit_days"] <= m["statutory_limit_days"], w
        if m["handling_mode"] in ("promised", "joint", "approval", "urgent"):
            assert m["promised_limit_days"] >= 1, w
        fees = m["fees"]
        if fees["free"]:
            assert fees == {"free": True}, w
        else:
            assert all(i["standard_fen"] > 0 and i["standard_fen"] % 100 == 0
                       for i in fees["items"]), w
        assert 2 <= len(m["faq"]) <= 4, w
        assert m["online"] or m["visits"] >= 1, w
    paid = [m for m in doc["matters"] if not m["fees"]["free"]]
    assert 4 <= len(paid) <= len(doc["matters"]) // 4


def test_forms_fill_identity_from_the_card(doc):
    for m in doc["matters"]:
        props = m["form"]["properties"]
        identity = {p["x-ui"].get("identity") for p in props.values()} - {None}
        assert {"name", "id_number"} <= identity <= IDENTITY_KEYS, m["code"]
        assert len(props) >= 4, m["code"]
        for key in ("applicant_name", "id_number"):
            assert key in m["form"]["required"], m["code"]


def test_materials_offer_reuse_of_what_the_hall_holds(doc):
    kinds = Counter(x["reuse_kind"] for m in doc["matters"] for x in m["materials"])
    assert {"id_card_copy", "household_register", "business_licence", "marriage_certificate",
            "property_certificate"} <= set(kinds)
    for m in doc["matters"]:
        assert m["materials"], m["code"]
        ids = {x["id"] for x in m["materials"]}
        assert "application" in ids, m["code"]


def test_templates_and_samples_are_there(doc):
    with_files = [m for m in doc["matters"]
                  if any(x["template"] and x["sample"] for x in m["materials"])]
    assert len(with_files) >= 10
    for m in with_files:
        for x in m["materials"]:
            for ref in (x["template"], x["sample"]):
                if ref is None:
                    continue
                data = (FILES_DIR / ref["sha256"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == ref["sha256"]
                assert len(data) == ref["bytes"]
                assert ref["media_type"] == "application/pdf" and ref["name"].endswith(".pdf")
                assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
                assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4


def test_aliases_fix_polyphones(doc):
    aliases = {a for m in doc["matters"] for a in m["aliases"]}
    for pinyin in ("huan kuan", "yin hang", "chong xin", "luo hu"):
        assert pinyin in aliases


def test_sample_people_have_valid_id_numbers():
    for i in range(5):
        assert id_number_valid(sample_person(i)["id_number"])
