"""The pure catalogue layer: forms, working days, numbers, pinyin search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backoffice.hallcat.errors import CalendarMissing, FormInvalid, HallDataError
from backoffice.hallcat.forms import check_form_schema, validate_answers
from backoffice.hallcat.numbers import KIND_CASE, make_number, parse_number, pretty_number
from backoffice.hallcat.pinyin import normalise, tokens
from backoffice.hallcat.search import SearchEntry, SearchIndex, entry_keys
from backoffice.hallcat.workdays import WorkCalendar, parse_year
from tests.backoffice.hall.catalogue import form

CAL = WorkCalendar([parse_year({
    "year": 2026,
    "holidays": ["2026-01-01", "2026-01-02", "2026-10-01", "2026-10-02", "2026-10-05",
                 "2026-10-06", "2026-10-07"],
    "workdays": ["2026-01-04", "2026-09-20", "2026-10-10"]})])


@pytest.mark.parametrize("start,days,due", [
    ("2026-11-30", 3, "2026-12-03"),      # Monday + 3
    ("2026-11-27", 1, "2026-11-30"),      # Friday + 1 skips the weekend
    ("2026-09-30", 2, "2026-10-09"),      # National Day holidays skipped
    ("2026-10-09", 1, "2026-10-10"),      # a worked Saturday counts
    ("2026-10-03", 0, "2026-10-08"),      # 0 days from a holiday: the next working day
])
def test_working_days(start: str, days: int, due: str) -> None:
    assert CAL.add_working_days(dt.date.fromisoformat(start), days) == dt.date.fromisoformat(due)


def test_a_year_without_a_calendar_is_refused() -> None:
    with pytest.raises(CalendarMissing) as err:
        CAL.add_working_days(dt.date(2026, 12, 30), 5)
    assert err.value.code == "calendar_missing" and "2027" in str(err.value)
    with pytest.raises(HallDataError):
        parse_year({"year": 2026, "holidays": ["2025-12-31"]})


def test_numbers_catch_typos() -> None:
    number = make_number(KIND_CASE, dt.date(2026, 11, 30), 42)
    assert len(number) == 14 and int(number) % 97 == 1
    assert parse_number(pretty_number(number)) == number
    for i in range(14):  # every single wrong digit
        for d in "0123456789":
            typo = number[:i] + d + number[i + 1:]
            if typo != number:
                with pytest.raises(HallDataError):
                    parse_number(typo)
    for i in range(13):  # every swap of neighbours
        swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
        if swapped != number:
            with pytest.raises(HallDataError):
                parse_number(swapped)


def test_forms_validate_and_take_identity_from_the_card() -> None:
    schema = form()
    check_form_schema(schema)
    got = validate_answers(schema, {"phone": "13800000000", "applicant_name": "typed"},
                           {"name": "王小明", "id_number": "410102199003070019"})
    assert got == {"applicant_name": "王小明", "id_number": "410102199003070019",
                   "phone": "13800000000"}
    with pytest.raises(FormInvalid) as err:
        validate_answers(schema, {"phone": "12"}, {"name": "a", "id_number": "x" * 18})
    assert err.value.field in ("id_number", "phone")
    with pytest.raises(FormInvalid) as missing:
        validate_answers(schema, {"phone": "13800000000"}, {"id_number": "410102199003070019"})
    assert missing.value.field == "applicant_name" and "身份" in missing.value.message_zh
    with pytest.raises(FormInvalid):
        validate_answers(schema, {"phone": "13800000000", "hack": 1}, {})


@pytest.mark.parametrize("patch,field", [
    ({"$ref": "http://x"}, "$ref"),
    ({"properties": {"a": {"type": "array", "x-ui": {}}}}, "properties.a.type"),
    ({"properties": {"a": {"type": "string"}}}, "properties.a.x-ui"),
])
def test_form_schemas_keep_to_the_subset(patch: dict[str, Any], field: str) -> None:
    with pytest.raises(HallDataError) as err:
        check_form_schema({**form(), **patch})
    assert err.value.field == field


def _index(names: list[str], aliases: dict[str, list[str]] | None = None) -> SearchIndex:
    entries = [SearchEntry(f"C{i:02d}", n, "D", (), entry_keys(n, "", (aliases or {}).get(n, []),
                                                                tokens))
               for i, n in enumerate(names)]
    return SearchIndex(entries, normalise=normalise)


@pytest.mark.parametrize("query", ["yyzz", "营业执照", "yingyezhizhao", "营业zz", "yingyzz",
                                   "ＹＹＺＺ", "ying ye zhi"])
def test_the_ways_people_type(query: str) -> None:
    index = _index(["营业执照登记", "住房公积金提取", "养老保险转移"])
    hits = index.search(query)
    assert hits and hits[0].code == "C00", query


def test_aliases_fix_polyphones_and_rank_below_the_name() -> None:
    index = _index(["住房公积金还款提取", "户口迁入"], {"住房公积金还款提取": ["huan kuan"]})
    assert [h.code for h in index.search("huankuan")] == ["C00"]
    assert index.search("huankuan")[0].matched == "alias"
    assert index.search("hk")[0].code == "C01"  # hu kou: the name before an alias


def test_filters_and_browse() -> None:
    entries = [SearchEntry("A1", "营业执照登记", "AMR", ("biz",),
                           entry_keys("营业执照登记", "Business licence", [], tokens)),
               SearchEntry("P1", "户口迁入", "PSB", ("household",),
                           entry_keys("户口迁入", "Move-in", [], tokens))]
    index = SearchIndex(entries, normalise=normalise, groups={"PSB": tokens("公安局")})
    assert [h.code for h in index.search("", department="PSB")] == ["P1"]
    assert [h.code for h in index.search("ga")] == ["P1"]  # by the department's name
    assert index.search("yyzz", department="PSB") == []
    assert [h.code for h in index.search("business")] == ["A1"]
