"""The catalogue exchange format (docs/hall-exchange.md, version 1) as typed models.

:func:`parse_document` reads a whole document and refuses it, naming the record and the field,
at the first problem; nothing is returned half-read. A matter is parsed structurally here (types,
patterns, codes agreeing with the type); whether it is complete enough to publish is
:func:`backoffice.hallcat.completeness.problems`. Unknown keys are refused (a typo never passes
silently).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backoffice.hallcat.errors import HallDataError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "HANDLING_MODES",
    "MATTER_TYPES",
    "Category",
    "Department",
    "Document",
    "Faq",
    "Fees",
    "FileRef",
    "LegalBasis",
    "Material",
    "Matter",
    "Phones",
    "Step",
    "Text",
    "dump_document",
    "parse_document",
    "parse_matter",
]

FORMAT = "citizen-hall-catalogue"
FORMAT_VERSION = 1

MATTER_TYPES: dict[str, str] = {
    "administrative_licence": "01", "administrative_confirmation": "07",
    "administrative_payment": "05", "administrative_levy": "04",
    "administrative_award": "08", "administrative_ruling": "09",
    "other_power": "10", "public_service": "20",
}
"""Matter type -> the two type digits of the basic code (GB/T 39554.1-2020 style)."""

HANDLING_MODES = ("immediate", "promised", "joint", "approval", "urgent")
"""Art.23: 即办件, 承诺件, 联办件, 报批件, 急办件."""

MATTER_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}(\d{2})\d{8}00\d{2}$")
_STRICT = ConfigDict(extra="forbid", frozen=True)

MatterType = Literal["administrative_licence", "administrative_confirmation",
                     "administrative_payment", "administrative_levy", "administrative_award",
                     "administrative_ruling", "other_power", "public_service"]
HandlingMode = Literal["immediate", "promised", "joint", "approval", "urgent"]
DeptCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]
CategoryCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
NonNegative = Annotated[int, Field(ge=0, strict=True)]


class Text(BaseModel):
    """Text for people: Chinese required, English optional (required for names and labels)."""

    model_config = _STRICT
    zh: str = Field(min_length=1)
    en: str | None = None


class Name(Text):
    """A name or label shown on the kiosk: both languages."""

    en: str = Field(min_length=1)


class Department(BaseModel):
    model_config = _STRICT
    code: DeptCode
    name: Name
    windows: list[str] = []
    phone: str = ""


class Category(BaseModel):
    model_config = _STRICT
    code: CategoryCode
    name: Name
    audience: Literal["person", "business", "both"] = "both"


class LegalBasis(BaseModel):
    model_config = _STRICT
    law: Text
    article: str = Field(min_length=1)


class FileRef(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=200)
    media_type: Literal["application/pdf", "image/jpeg", "image/png"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: NonNegative
    data_b64: str | None = None


class Material(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: Name
    form: Literal["original", "copy", "original_and_copy"]
    copies: NonNegative = 1
    required: bool = True
    source: Text | None = None
    reuse_kind: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,31}$")
    template: FileRef | None = None
    sample: FileRef | None = None
    notes: Text | None = None


class Step(BaseModel):
    model_config = _STRICT
    step: Text
    who: Text
    counts_toward_limit: bool = True


class FeeItem(BaseModel):
    model_config = _STRICT
    item: Text
    standard_fen: NonNegative
    unit: Text
    basis: Text


class Fees(BaseModel):
    """``{"free": true}`` (shows 不收费) or ``{"free": false, "items": [...]}``."""

    model_config = _STRICT
    free: bool
    items: list[FeeItem] = []

    @model_validator(mode="after")
    def _items_agree(self) -> Fees:
        if self.free and self.items:
            raise ValueError("a free matter has no fee items")
        if not self.free and not self.items:
            raise ValueError("a matter that charges lists its fee items")
        return self


class Faq(BaseModel):
    model_config = _STRICT
    q: Text
    a: Text


class Phones(BaseModel):
    model_config = _STRICT
    enquiry: str = ""
    complaint: str = ""


class Matter(BaseModel):
    """One version of one matter's guide (six basic elements + the guide)."""

    model_config = _STRICT
    code: str
    name: Name
    type: MatterType
    department: DeptCode
    implementing_body: Text | None = None
    legal_basis: list[LegalBasis] = []
    category: list[CategoryCode] = []
    aliases: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    conditions: list[Text] = []
    materials: list[Material] = []
    procedure: list[Step] = []
    handling_mode: HandlingMode = "promised"
    joint_departments: list[DeptCode] = []
    outside_step: Text | None = None
    statutory_limit_days: NonNegative = 0
    promised_limit_days: NonNegative = 0
    fees: Fees | None = None
    place: Text | None = None
    hours: Text | None = None
    route: Text | None = None
    faq: list[Faq] = []
    phones: Phones | None = None
    visits: NonNegative = 1
    online: bool = True
    form: dict[str, Any] | None = None
    version: int = Field(default=1, ge=1, strict=True)
    effective_date: dt.date | None = None
    status: Literal["draft", "published"] = "draft"

    @model_validator(mode="after")
    def _code_agrees(self) -> Matter:
        found = MATTER_CODE.match(self.code)
        if found is None:
            raise ValueError("code: not a 32-character implementation code "
                             "(18-character body code + 12-digit basic code + 2 digits)")
        if found.group(1) != MATTER_TYPES[self.type]:
            raise ValueError(f"code: type digits {found.group(1)} do not agree with type "
                             f"{self.type} ({MATTER_TYPES[self.type]})")
        ids = [m.id for m in self.materials]
        if len(ids) != len(set(ids)):
            raise ValueError("materials: two materials share an id")
        return self


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["citizen-hall-catalogue"]
    version: Literal[1]
    exported_at: str | None = None
    departments: list[Department] = []
    categories: list[Category] = []
    matters: list[Matter] = []


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "tagged-union"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _raise_first(exc: ValidationError, record: str, prefix: tuple[int | str, ...] = ()) -> None:
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = tuple(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    field = _where(loc)
    if msg.startswith(("code:", "materials:")) and not field:
        field, msg = msg.split(":", 1)[0], msg.split(":", 1)[1].strip()
    raise HallDataError(msg, f"字段不符合交换格式：{msg}", record=record, field=field or None,
                        code="invalid_catalogue") from None


def parse_matter(data: object, record: str = "matter") -> Matter:
    """One matter; :class:`HallDataError` naming ``record`` and the field when malformed."""
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        record = f"{record} {data['code']}"
    try:
        return Matter.model_validate(data)
    except ValidationError as exc:
        _raise_first(exc, record)
        raise  # pragma: no cover - _raise_first always raises


def parse_document(raw: bytes | str | dict[str, Any]) -> Document:
    """A whole exchange document, all or nothing (the first problem is named)."""
    if isinstance(raw, bytes | str):
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise HallDataError(f"not JSON: {exc}", "不是有效的 JSON 文件",
                                record="document") from None
    else:
        data = raw
    if not isinstance(data, dict):
        raise HallDataError("the document must be a JSON object", "文件必须是 JSON 对象",
                            record="document")
    matters = data.get("matters", [])
    if not isinstance(matters, list):
        raise HallDataError("must be a list", "必须是列表", record="document", field="matters")
    parsed = [parse_matter(m, f"matters[{i}]") for i, m in enumerate(matters)]
    head = {k: v for k, v in data.items() if k != "matters"}
    try:
        doc = Document.model_validate(head)
    except ValidationError as exc:
        _raise_first(exc, "document")
        raise  # pragma: no cover
    _check_references(doc, parsed)
    return doc.model_copy(update={"matters": parsed})


def _check_references(doc: Document, matters: list[Matter]) -> None:
    for kind, codes in (("departments", [d.code for d in doc.departments]),
                        ("categories", [c.code for c in doc.categories])):
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code in seen:
                raise HallDataError(f"duplicate code {code}", f"代码重复：{code}",
                                    record=f"{kind}[{i}]", field="code")
            seen.add(code)
    departments = {d.code for d in doc.departments}
    categories = {c.code for c in doc.categories}
    keys: set[tuple[str, int]] = set()
    for i, m in enumerate(matters):
        record = f"matters[{i}] {m.code}"
        if (m.code, m.version) in keys:
            raise HallDataError(f"version {m.version} appears twice",
                                f"版本 {m.version} 重复", record=record, field="version")
        keys.add((m.code, m.version))
        if departments:
            for field, code in [("department", m.department),
                                *(("joint_departments", c) for c in m.joint_departments)]:
                if code not in departments:
                    raise HallDataError(f"unknown department {code}", f"未知部门：{code}",
                                        record=record, field=field)
        if categories:
            for code in m.category:
                if code not in categories:
                    raise HallDataError(f"unknown category {code}", f"未知分类：{code}",
                                        record=record, field="category")


def dump_document(departments: list[Department], categories: list[Category],
                  matters: list[Matter], exported_at: str | None = None) -> dict[str, Any]:
    """The JSON-ready exchange document (keys in the documented order)."""
    doc = Document(format="citizen-hall-catalogue", version=1, exported_at=exported_at,
                   departments=departments, categories=categories, matters=matters)
    out: dict[str, Any] = doc.model_dump(mode="json", exclude_none=True)
    return out
