"""The catalogue: import all or nothing naming record and field, versions, publishing,
export round trip (JSON and CSV)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import pytest

from backoffice.errors import Conflict, InvalidInput
from backoffice.hall.csvio import export_csv, import_csv
from backoffice.hall.service import HallService
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import parse_document
from tests.backoffice.hall.catalogue import code_of, document
from tests.backoffice.hall.conftest import pdf_page

LICENCE = "营业执照登记（个体工商户）"


def _doc(**matter0: Any) -> dict[str, Any]:
    doc = document()
    doc["matters"][0].update(matter0)
    return doc


@pytest.mark.parametrize("change,field", [
    ({"type": "public_service"}, "code"),                  # type digits disagree with the type
    ({"handling_mode": "whenever"}, "handling_mode"),
    ({"fees": {"free": False}}, "fees"),
    ({"materials": [{"id": "x", "name": {"zh": "某"}, "form": "copy"}]}, "materials[0].name.en"),
    ({"surprise": 1}, "surprise"),
])
def test_a_malformed_record_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(HallDataError) as err:
        parse_document(_doc(**change))
    assert err.value.record is not None and err.value.record.startswith("matters[0]")
    assert err.value.field == field, str(err.value)


def test_import_is_all_or_nothing_and_names_the_incomplete_field(hall: HallService) -> None:
    before = hall.catalogue.export()
    doc = document()
    doc["matters"].append(copy.deepcopy(doc["matters"][1]))
    doc["matters"][-1].update(code=doc["matters"][1]["code"][:-2] + "02", version=1)
    doc["matters"][-1].pop("fees")  # published, but fees blank
    with pytest.raises(InvalidInput) as err:
        hall.catalogue.import_document(parse_document(doc))
    assert err.value.code == "incomplete_matter"
    assert "matters[30]" in str(err.value) and "fees" in str(err.value)
    assert err.value.message_zh is not None and "收费" in err.value.message_zh
    assert hall.catalogue.export() == before


def test_versions_publish_and_cases_keep_theirs(hall: HallService) -> None:
    code = code_of(LICENCE)
    draft = copy.deepcopy(next(m for m in document()["matters"] if m["code"] == code))
    draft.update(version=2, status="draft", promised_limit_days=20)  # over statutory 15
    hall.catalogue.import_document(parse_document(_with(draft)))
    with pytest.raises(InvalidInput) as err:
        hall.catalogue.publish(code)
    assert err.value.code == "incomplete_matter" and "promised_limit_days" in str(err.value)
    draft["promised_limit_days"] = 2
    hall.catalogue.import_document(parse_document(_with(draft)))
    assert hall.catalogue.publish(code).version == 2
    assert hall.catalogue.published(code)[1].promised_limit_days == 2
    exported = [m for m in hall.catalogue.export()["matters"] if m["code"] == code]
    assert [(m["version"], m["status"]) for m in exported] == [(2, "published")]
    published_again = copy.deepcopy(draft)
    published_again.update(version=2, status="published", promised_limit_days=1)
    with pytest.raises(Conflict) as conflict:
        hall.catalogue.import_document(parse_document(_with(published_again)))
    assert conflict.value.code == "version_published"


def _with(matter: dict[str, Any]) -> dict[str, Any]:
    doc = document()
    doc["matters"] = [matter]
    return doc


def test_json_round_trip_with_files(hall: HallService) -> None:
    pdf = pdf_page("template")
    sha = hashlib.sha256(pdf).hexdigest()
    doc = document()
    doc["matters"][0]["materials"][0]["template"] = {
        "name": "申请书.pdf", "media_type": "application/pdf", "sha256": sha,
        "bytes": len(pdf), "data_b64": base64.b64encode(pdf).decode()}
    doc["matters"][0]["version"] = 2
    hall.catalogue.import_document(parse_document(doc))
    assert hall.catalogue.file(sha) == ("application/pdf", pdf)
    exported = hall.catalogue.export(with_files=True)
    again = parse_document(json.dumps(exported))
    assert again.matters[0].materials[0].template is not None
    result = hall.catalogue.import_document(again)
    assert result.added == 0 and result.unchanged == len(again.matters)


def test_csv_round_trip_and_errors_name_row_and_column(hall: HallService) -> None:
    text = export_csv(hall.catalogue)
    assert text.splitlines()[0].startswith("code,version,status,name_zh")
    assert import_csv(hall.catalogue, text) == 30  # same fields: drafts of the same content
    bad = text.replace(",15,3,", ",15,three,", 1)
    with pytest.raises(InvalidInput) as err:
        import_csv(hall.catalogue, bad)
    assert "row 2, column promised_limit_days" in str(err.value)
    lines = text.splitlines()
    head, row = lines[0], lines[1].replace("营业执照登记（个体工商户）", "营业执照登记（个体）")
    import_csv(hall.catalogue, f"{head}\n{row}\n")
    code = row.split(",")[0]
    assert hall.catalogue.latest_doc(code)["name"]["zh"] == "营业执照登记（个体）"  # type: ignore[index]
    assert hall.catalogue.publish(code).version == 2
