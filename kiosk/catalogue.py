"""The hall's matter catalogue as the kiosk reads it (docs/hall-exchange.md, version 1).

Read-only, immutable records of exactly the exchange format, so the offline cache, the hall
API's answers and the demo file are one type. ``Text`` is ``{"zh": ..., "en": ...}``; use
:func:`kiosk.i18n.pick` to show it. Unknown keys are ignored (a newer back office may add
fields); a missing required key is a :class:`CatalogueFormatError` naming the record and field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Text = Mapping[str, str]
FORMAT = "citizen-hall-catalogue"


class CatalogueFormatError(Exception):
    """The document is not a catalogue the kiosk can read; the message names where."""


@dataclass(frozen=True)
class FileRef:
    name: str
    media_type: str
    sha256: str
    bytes: int = 0


@dataclass(frozen=True)
class Department:
    code: str
    name: Text
    windows: tuple[str, ...] = ()
    phone: str = ""


@dataclass(frozen=True)
class Category:
    code: str
    name: Text
    audience: str = "both"


@dataclass(frozen=True)
class Material:
    id: str
    name: Text
    form: str
    """``original``, ``copy`` or ``original_and_copy``."""
    copies: int
    required: bool
    source: Text = field(default_factory=dict)
    reuse_kind: str | None = None
    template: FileRef | None = None
    sample: FileRef | None = None
    notes: Text | None = None


@dataclass(frozen=True)
class FeeItem:
    item: Text
    standard_fen: int
    unit: Text
    basis: Text


@dataclass(frozen=True)
class Step:
    step: Text
    who: Text
    counts_toward_limit: bool = True


@dataclass(frozen=True)
class Matter:
    code: str
    name: Text
    type: str
    department: str
    implementing_body: Text
    legal_basis: tuple[tuple[Text, str], ...]
    category: tuple[str, ...]
    conditions: tuple[Text, ...]
    materials: tuple[Material, ...]
    procedure: tuple[Step, ...]
    handling_mode: str
    statutory_limit_days: int
    promised_limit_days: int
    fees_free: bool
    fees: tuple[FeeItem, ...]
    place: Text
    hours: Text
    route: Text
    faq: tuple[tuple[Text, Text], ...]
    phone_enquiry: str
    phone_complaint: str
    visits: int
    online: bool
    form: Mapping[str, Any]
    version: int
    effective_date: dt.date
    aliases: tuple[str, ...] = ()
    joint_departments: tuple[str, ...] = ()
    outside_step: Text | None = None
    status: str = "published"

    def material(self, material_id: str) -> Material:
        for m in self.materials:
            if m.id == material_id:
                return m
        raise KeyError(material_id)


@dataclass(frozen=True)
class Catalogue:
    departments: tuple[Department, ...]
    categories: tuple[Category, ...]
    matters: tuple[Matter, ...]
    exported_at: str = ""
    search_keys: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The hall's search tokens per matter code, as published (the back office's
    ``/catalogue`` adds them); a copy without them is indexed by computing pinyin."""

    def matter(self, code: str) -> Matter:
        for m in self.matters:
            if m.code == code:
                return m
        raise KeyError(code)

    def department(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Catalogue:
        if doc.get("format") != FORMAT or doc.get("version") != 1:
            raise CatalogueFormatError(f"not a {FORMAT} version 1 document")
        r = _Reader("catalogue", doc)
        return cls(
            departments=tuple(_department(x) for x in r.list("departments")),
            categories=tuple(_category(x) for x in r.list("categories")),
            matters=tuple(_matter(x) for x in r.list("matters")
                          if x.get("status", "published") == "published"),
            exported_at=str(doc.get("exported_at", "")),
            search_keys=_search_keys(doc.get("search_keys")),
        )

    @classmethod
    def from_file(cls, path: Path) -> Catalogue:
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogueFormatError(f"cannot read the catalogue {path}: {exc}") from exc
        if not isinstance(doc, Mapping):
            raise CatalogueFormatError(f"{path}: not a JSON object")
        return cls.from_json(doc)


class _Reader:
    def __init__(self, where: str, data: Mapping[str, Any]) -> None:
        self.where, self.data = where, data

    def get(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise CatalogueFormatError(f"{self.where}: missing `{key}`")
            return default
        return self.data[key]

    def text(self, key: str, default: Any = ...) -> Text:
        value = self.get(key, default)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not isinstance(value.get("zh"), str):
            raise CatalogueFormatError(f"{self.where}: `{key}` must be a {{zh, en}} text")
        return {k: str(v) for k, v in value.items() if isinstance(v, str)}

    def list(self, key: str, default: Any = ...) -> list[Mapping[str, Any]]:
        value = self.get(key, default)
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise CatalogueFormatError(f"{self.where}: `{key}` must be a list")
        return list(value)


def _file(value: Any) -> FileRef | None:
    if not value:
        return None
    return FileRef(str(value["name"]), str(value["media_type"]), str(value["sha256"]),
                   int(value.get("bytes", 0)))


def _department(x: Mapping[str, Any]) -> Department:
    r = _Reader(f"department {x.get('code', '?')}", x)
    return Department(str(r.get("code")), r.text("name"), tuple(r.get("windows", ())),
                      str(r.get("phone", "")))


def _category(x: Mapping[str, Any]) -> Category:
    r = _Reader(f"category {x.get('code', '?')}", x)
    return Category(str(r.get("code")), r.text("name"), str(r.get("audience", "both")))


def _material(where: str, x: Mapping[str, Any]) -> Material:
    r = _Reader(f"{where} material {x.get('id', '?')}", x)
    return Material(
        id=str(r.get("id")), name=r.text("name"), form=str(r.get("form")),
        copies=int(r.get("copies", 1)), required=bool(r.get("required")),
        source=r.text("source", None), reuse_kind=r.get("reuse_kind", None),
        template=_file(r.get("template", None)), sample=_file(r.get("sample", None)),
        notes=r.text("notes", None) or None,
    )


def _matter(x: Mapping[str, Any]) -> Matter:
    where = f"matter {x.get('code', '?')}"
    r = _Reader(where, x)
    fees = r.get("fees")
    phones = r.get("phones", {})
    return Matter(
        code=str(r.get("code")), name=r.text("name"), type=str(r.get("type")),
        department=str(r.get("department")), implementing_body=r.text("implementing_body"),
        legal_basis=tuple((_Reader(where, b).text("law"), str(b.get("article", "")))
                          for b in r.list("legal_basis")),
        category=tuple(str(c) for c in r.get("category")),
        conditions=tuple(_Reader(where, {"c": c}).text("c") for c in r.get("conditions")),
        materials=tuple(_material(where, m) for m in r.list("materials")),
        procedure=tuple(Step(_Reader(where, s).text("step"), _Reader(where, s).text("who", None),
                             bool(s.get("counts_toward_limit", True)))
                        for s in r.list("procedure")),
        handling_mode=str(r.get("handling_mode")),
        statutory_limit_days=int(r.get("statutory_limit_days")),
        promised_limit_days=int(r.get("promised_limit_days")),
        fees_free=bool(fees.get("free")),
        fees=tuple(FeeItem(_Reader(where, f).text("item"), int(f["standard_fen"]),
                           _Reader(where, f).text("unit", None),
                           _Reader(where, f).text("basis", None))
                   for f in fees.get("items", ())),
        place=r.text("place", None), hours=r.text("hours", None), route=r.text("route", None),
        faq=tuple((_Reader(where, q).text("q"), _Reader(where, q).text("a"))
                  for q in r.list("faq", [])),
        phone_enquiry=str(phones.get("enquiry", "")),
        phone_complaint=str(phones.get("complaint", "")),
        visits=int(r.get("visits", 1)), online=bool(r.get("online", True)),
        form=r.get("form", {"type": "object", "properties": {}}),
        version=int(r.get("version", 1)),
        effective_date=dt.date.fromisoformat(str(r.get("effective_date"))),
        aliases=tuple(str(a) for a in r.get("aliases", ())),
        joint_departments=tuple(str(d) for d in r.get("joint_departments", ())),
        outside_step=r.text("outside_step", None) or None,
        status=str(r.get("status", "published")),
    )


def _search_keys(raw: Any) -> dict[str, Any]:
    """``search_keys`` as the hall sends it, or nothing when it is not the expected shape (the
    kiosk then computes the tokens itself: a malformed field never stops the catalogue)."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(code): keys for code, keys in raw.items() if isinstance(keys, Mapping)}
