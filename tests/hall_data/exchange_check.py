"""A small standalone checker of docs/hall-exchange.md for the demo catalogue's tests.

Not the back office's validator: it exists until branch ``hall`` lands its importer on main;
then the tests import the real validator and this file goes. ``problems(doc)`` lists every rule
broken, each as ``"<record>: <field>: <what>"``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

DEPT_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
MATERIAL_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MATTER_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}[0-9]{14}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
TYPES = {
    "administrative_licence": "01", "administrative_confirmation": "07",
    "administrative_payment": "05", "administrative_levy": "04", "administrative_award": "08",
    "administrative_ruling": "09", "other_power": "10", "public_service": "20",
}
MODES = {"immediate", "promised", "joint", "approval", "urgent"}
INPUTS = {"text", "multiline", "digits", "phone", "money", "date", "choice", "checkbox"}
IDENTITIES = {"name", "id_number", "sex", "birth_date", "address", "nation", "card_no"}
PROPERTY_KEYWORDS = {"type", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum",
                     "format", "x-ui"}
UI_KEYS = {"label", "order", "input", "identity", "choices"}


def is_text(value: Any, need_en: bool = True) -> bool:
    if not isinstance(value, dict) or not set(value) <= {"zh", "en"}:
        return False
    zh_ok = isinstance(value.get("zh"), str) and bool(value["zh"].strip())
    en = value.get("en")
    en_ok = isinstance(en, str) and bool(en.strip()) if need_en or en is not None else True
    return zh_ok and en_ok


def _int(value: Any, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


class _Collector:
    def __init__(self) -> None:
        self.found: list[str] = []

    def need(self, ok: bool, where: str, what: str) -> bool:
        if not ok:
            self.found.append(f"{where}: {what}")
        return ok


def problems(doc: Any) -> list[str]:
    c = _Collector()
    if not c.need(isinstance(doc, dict), "document", "not an object"):
        return c.found
    c.need(doc.get("format") == "citizen-hall-catalogue", "document", "format")
    c.need(doc.get("version") == 1, "document", "version")
    try:
        dt.datetime.fromisoformat(doc.get("exported_at", ""))
    except (TypeError, ValueError):
        c.found.append("document: exported_at: not an ISO date-time")
    depts = {d.get("code") for d in doc.get("departments", []) if isinstance(d, dict)}
    cats = {d.get("code") for d in doc.get("categories", []) if isinstance(d, dict)}
    for d in doc.get("departments", []):
        where = f"department {d.get('code')}"
        c.need(bool(DEPT_CODE.match(str(d.get("code", "")))), where, "code")
        c.need(is_text(d.get("name")), where, "name")
        c.need(isinstance(d.get("windows"), list)
               and all(isinstance(w, str) for w in d["windows"]), where, "windows")
        c.need(isinstance(d.get("phone"), str) and bool(d["phone"]), where, "phone")
    for k in doc.get("categories", []):
        where = f"category {k.get('code')}"
        c.need(bool(CATEGORY_CODE.match(str(k.get("code", "")))), where, "code")
        c.need(is_text(k.get("name")), where, "name")
        c.need(k.get("audience") in ("person", "business", "both"), where, "audience")
    c.need(len(depts) == len(doc.get("departments", [])), "document", "departments: duplicate code")
    c.need(len(cats) == len(doc.get("categories", [])), "document", "categories: duplicate code")
    seen: set[str] = set()
    for m in doc.get("matters", []):
        code = m.get("code")
        c.need(code not in seen, f"matter {code}", "code: duplicate")
        seen.add(code)
        _matter(c, m, depts, cats)
    return c.found


def _matter(c: _Collector, m: dict[str, Any], depts: set[Any], cats: set[Any]) -> None:
    w = f"matter {m.get('code')}"
    code = str(m.get("code", ""))
    if c.need(bool(MATTER_CODE.match(code)), w, "code: not 18 + 12 + 2 characters"):
        c.need(TYPES.get(m.get("type", "")) == code[18:20], w, "code: type digits differ from type")
        c.need(code[28:30] == "00", w, "code: reserved digits not 00")
    c.need(m.get("type") in TYPES, w, "type")
    c.need(is_text(m.get("name")), w, "name")
    c.need(m.get("department") in depts, w, "department")
    c.need(is_text(m.get("implementing_body")), w, "implementing_body")
    basis = m.get("legal_basis")
    c.need(isinstance(basis, list) and len(basis) >= 1 and all(
        is_text(b.get("law")) and isinstance(b.get("article"), str) and b["article"] for b in basis
    ), w, "legal_basis")
    cat = m.get("category")
    c.need(isinstance(cat, list) and len(cat) >= 1 and all(x in cats for x in cat), w, "category")
    c.need(isinstance(m.get("aliases"), list)
           and all(isinstance(a, str) and a for a in m["aliases"]), w, "aliases")
    conds = m.get("conditions")
    c.need(isinstance(conds, list) and len(conds) >= 1 and all(is_text(x) for x in conds), w,
           "conditions")
    mats = m.get("materials")
    if c.need(isinstance(mats, list), w, "materials"):
        ids = [x.get("id") for x in mats]
        c.need(len(ids) == len(set(ids)), w, "materials: duplicate id")
        for x in mats:
            _material(c, f"{w} material {x.get('id')}", x)
    proc = m.get("procedure")
    c.need(isinstance(proc, list) and len(proc) >= 1 and all(
        is_text(s.get("step")) and is_text(s.get("who"))
        and isinstance(s.get("counts_toward_limit"), bool) for s in proc), w, "procedure")
    mode = m.get("handling_mode")
    c.need(mode in MODES, w, "handling_mode")
    joint = m.get("joint_departments")
    if c.need(isinstance(joint, list), w, "joint_departments"):
        if mode == "joint":
            c.need(len(joint) >= 1 and all(j in depts and j != m.get("department") for j in joint),
                   w, "joint_departments: a joint matter names other departments")
        else:
            c.need(joint == [], w, "joint_departments: only for joint matters")
    outside = m.get("outside_step")
    if mode == "approval":
        c.need(is_text(outside), w, "outside_step: an approval matter names the outside step")
    else:
        c.need(outside is None, w, "outside_step: only for approval matters")
    stat, prom = m.get("statutory_limit_days"), m.get("promised_limit_days")
    if c.need(_int(stat) and _int(prom), w, "limits: whole working days >= 0"):
        c.need(stat == 0 or prom <= stat, w, "promised_limit_days: more than the statutory limit")
        if mode == "immediate":
            c.need(stat == 0 and prom == 0, w, "limits: an immediate matter has 0")
    _fees(c, w, m.get("fees"))
    for key in ("place", "hours", "route"):
        c.need(is_text(m.get(key)), w, key)
    faq = m.get("faq")
    c.need(isinstance(faq, list) and all(is_text(q.get("q")) and is_text(q.get("a")) for q in faq),
           w, "faq")
    phones = m.get("phones")
    c.need(isinstance(phones, dict) and all(isinstance(phones.get(k), str) and phones[k]
                                            for k in ("enquiry", "complaint")), w, "phones")
    c.need(_int(m.get("visits")), w, "visits")
    c.need(isinstance(m.get("online"), bool), w, "online")
    form_problems(c, w, m.get("form"))
    c.need(_int(m.get("version"), 1), w, "version")
    try:
        dt.date.fromisoformat(m.get("effective_date", ""))
    except (TypeError, ValueError):
        c.found.append(f"{w}: effective_date")
    c.need(m.get("status") in ("draft", "published"), w, "status")


def _material(c: _Collector, w: str, x: dict[str, Any]) -> None:
    c.need(bool(MATERIAL_ID.match(str(x.get("id", "")))), w, "id")
    c.need(is_text(x.get("name")), w, "name")
    c.need(x.get("form") in ("original", "copy", "original_and_copy"), w, "form")
    c.need(_int(x.get("copies")), w, "copies")
    c.need(isinstance(x.get("required"), bool), w, "required")
    c.need(is_text(x.get("source"), need_en=False), w, "source")
    c.need(x.get("reuse_kind") is None or isinstance(x["reuse_kind"], str), w, "reuse_kind")
    for key in ("template", "sample"):
        ref = x.get(key)
        c.need(ref is None or (
            isinstance(ref, dict) and isinstance(ref.get("name"), str) and ref["name"]
            and ref.get("media_type") in ("application/pdf", "image/jpeg")
            and bool(SHA256.match(str(ref.get("sha256", "")))) and _int(ref.get("bytes"), 1)
        ), w, key)
    c.need(x.get("notes") is None or is_text(x["notes"], need_en=False), w, "notes")


def _fees(c: _Collector, w: str, fees: Any) -> None:
    if fees == {"free": True}:
        return
    ok = (isinstance(fees, dict) and fees.get("free") is False
          and isinstance(fees.get("items"), list))
    if c.need(ok and len(fees["items"]) >= 1, w, "fees: {\"free\": true} or items"):
        for item in fees["items"]:
            c.need(is_text(item.get("item")) and _int(item.get("standard_fen"))
                   and is_text(item.get("unit")) and is_text(item.get("basis"), need_en=False),
                   w, "fees: item")


def form_problems(c: _Collector, w: str, form: Any) -> None:
    w = f"{w} form"
    is_object = isinstance(form, dict) and form.get("type") == "object"
    if not c.need(is_object, w, "not an object schema"):
        return
    c.need(set(form) <= {"type", "required", "properties"}, w, "keywords beyond the allowed ones")
    props = form.get("properties")
    if not c.need(isinstance(props, dict) and len(props) >= 1, w, "properties"):
        return
    req = form.get("required", [])
    c.need(isinstance(req, list) and all(r in props for r in req), w, "required names a field")
    orders = []
    for key, p in props.items():
        fw = f"{w} field {key}"
        c.need(set(p) <= PROPERTY_KEYWORDS, fw, f"keywords {sorted(set(p) - PROPERTY_KEYWORDS)}")
        c.need(p.get("type") in ("string", "integer", "boolean"), fw, "type")
        c.need(p.get("format") in (None, "date"), fw, "format")
        if "pattern" in p:
            try:
                re.compile(p["pattern"])
            except re.error:
                c.found.append(f"{fw}: pattern does not compile")
        ui = p.get("x-ui")
        if not c.need(isinstance(ui, dict) and set(ui) <= UI_KEYS, fw, "x-ui"):
            continue
        c.need(is_text(ui.get("label")), fw, "x-ui.label: zh and en")
        c.need(ui.get("input") in INPUTS, fw, "x-ui.input")
        c.need(ui.get("identity") in IDENTITIES | {None}, fw, "x-ui.identity")
        c.need(_int(ui.get("order"), 1), fw, "x-ui.order")
        orders.append(ui.get("order"))
        if ui.get("input") == "choice":
            choices = ui.get("choices")
            c.need(isinstance(choices, list) and all(is_text(ch.get("label")) for ch in choices)
                   and [ch.get("value") for ch in choices] == p.get("enum"), fw,
                   "x-ui.choices: labelled, the same values as enum")
        if ui.get("input") == "money":
            c.need(p.get("type") == "integer", fw, "money is integer fen")
    c.need(len(orders) == len(set(orders)), w, "x-ui.order: duplicate")
