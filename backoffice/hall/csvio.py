"""The catalogue as CSV for spreadsheets: one row per matter, its flat fields, lists as
``;``-separated text (docs/hall-exchange.md). JSON is the complete form: a CSV import merges
the row's fields onto the matter's latest version and stores the result as a draft (publish it
to check it is complete); a new code becomes a new draft. All rows or none; an error names the
row and the column."""

from __future__ import annotations

import csv
import io
from typing import Any

from backoffice.errors import InvalidInput
from backoffice.hall.catalogue import Catalogue, hall_error
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Matter, parse_matter

__all__ = ["COLUMNS", "export_csv", "import_csv"]

COLUMNS = ("code", "version", "status", "name_zh", "name_en", "type", "department",
           "implementing_body", "category", "aliases", "handling_mode", "joint_departments",
           "statutory_limit_days", "promised_limit_days", "fees_free", "place", "hours", "route",
           "phone_enquiry", "phone_complaint", "visits", "online", "effective_date")
_LISTS = ("category", "aliases", "joint_departments")
_INTS = ("statutory_limit_days", "promised_limit_days", "visits")
_TEXTS = ("implementing_body", "place", "hours", "route")
MAX_ROWS = 20_000


def _row(m: Matter) -> dict[str, str]:
    out = {"code": m.code, "version": str(m.version), "status": m.status,
           "name_zh": m.name.zh, "name_en": m.name.en, "type": m.type,
           "department": m.department, "handling_mode": m.handling_mode,
           "statutory_limit_days": str(m.statutory_limit_days),
           "promised_limit_days": str(m.promised_limit_days),
           "fees_free": "" if m.fees is None else ("yes" if m.fees.free else "no"),
           "phone_enquiry": m.phones.enquiry if m.phones else "",
           "phone_complaint": m.phones.complaint if m.phones else "",
           "visits": str(m.visits), "online": "yes" if m.online else "no",
           "effective_date": m.effective_date.isoformat() if m.effective_date else ""}
    for key in _LISTS:
        out[key] = ";".join(getattr(m, key))
    for key in _TEXTS:
        value = getattr(m, key)
        out[key] = value.zh if value is not None else ""
    return out


def export_csv(catalogue: Catalogue) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for m in catalogue.matters_for_export():
        writer.writerow(_row(m))
    return buf.getvalue()


def _merge(base: dict[str, Any], row: dict[str, str], where: str) -> dict[str, Any]:
    doc = dict(base)
    for key, raw in row.items():
        value = (raw or "").strip()
        if key in ("version", "status"):
            continue
        if key == "name_zh":
            doc["name"] = {**doc.get("name", {}), "zh": value}
        elif key == "name_en":
            doc["name"] = {**doc.get("name", {}), "en": value}
        elif key in _LISTS:
            doc[key] = [v.strip() for v in value.split(";") if v.strip()]
        elif key in _INTS:
            if not value.isdigit():
                raise InvalidInput(f"{where}, column {key}: not a whole number",
                                   f"{where}，列 {key}：不是整数", code="invalid_catalogue")
            doc[key] = int(value)
        elif key in _TEXTS:
            old = doc.get(key) or {}
            doc[key] = {**old, "zh": value} if value else None
        elif key == "fees_free":
            if value == "yes":
                doc["fees"] = {"free": True}
            elif value == "no":
                if not (doc.get("fees") or {}).get("items"):
                    raise InvalidInput(f"{where}, column fees_free: a charged matter's items "
                                       "come in JSON", f"{where}，列 fees_free：收费项目须用 JSON "
                                       "导入", code="invalid_catalogue")
            elif value:
                raise InvalidInput(f"{where}, column fees_free: yes or no",
                                   f"{where}，列 fees_free：应为 yes 或 no",
                                   code="invalid_catalogue")
        elif key in ("phone_enquiry", "phone_complaint"):
            phones = dict(doc.get("phones") or {"enquiry": "", "complaint": ""})
            phones[key.removeprefix("phone_")] = value
            doc["phones"] = phones
        elif key == "online":
            if value not in ("yes", "no"):
                raise InvalidInput(f"{where}, column online: yes or no",
                                   f"{where}，列 online：应为 yes 或 no", code="invalid_catalogue")
            doc["online"] = value == "yes"
        elif key == "effective_date":
            doc[key] = value or None
        else:
            doc[key] = value
    return {k: v for k, v in doc.items() if v is not None}


def import_csv(catalogue: Catalogue, text: str) -> int:
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    unknown = [c for c in header if c not in COLUMNS]
    if "code" not in header or unknown:
        raise InvalidInput(f"header: unknown column {unknown[0]}" if unknown
                           else "header: no code column",
                           "表头有误：" + (f"未知列 {unknown[0]}" if unknown else "缺少 code 列"),
                           code="invalid_catalogue")
    matters: list[Matter] = []
    for n, row in enumerate(reader, start=2):
        if n > MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} rows", f"最多 {MAX_ROWS} 行")
        if None in row:
            raise InvalidInput(f"row {n}: more cells than columns", f"第 {n} 行：单元格多于列数",
                               code="invalid_catalogue")
        where = f"row {n}"
        base = catalogue.latest_doc(row["code"].strip()) or {}
        doc = _merge(base, row, where)
        doc.pop("status", None)
        try:
            matters.append(parse_matter(doc, where))
        except HallDataError as exc:
            raise hall_error(exc) from None
    catalogue.save_drafts(matters)
    return len(matters)
