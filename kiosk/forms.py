"""Application forms from a matter's JSON Schema with ``x-ui`` hints (docs/hall-exchange.md).

The allowed keywords only: ``type`` (string, integer, boolean), ``required``, ``properties``,
``enum``, ``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum``, ``format: date``.
:class:`FormModel` holds the fields in ``x-ui.order``; identity fields are filled from the
verified identity and read-only; :meth:`FormModel.errors` checks every field the way the
server will, so the citizen hears about a mistake on the form, not after submitting. Money
(``input: money``) is typed as yuan and kept as integer fen. Error codes, not words:
``form_error_<code>`` in the catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalogue import Text
from kiosk.ports import Identity

KEYBOARDS = {"digits": "digits", "phone": "digits", "money": "digits", "date": "digits",
             "text": "pinyin", "multiline": "pinyin"}


@dataclass
class Field:
    key: str
    label: Text
    input: str
    required: bool
    schema: Mapping[str, Any]
    identity: str = ""
    choices: tuple[tuple[str, Text], ...] = ()
    value: str = field(default="", repr=False)
    """As typed (yuan for money, YYYYMMDD or YYYY-MM-DD for dates)."""

    @property
    def readonly(self) -> bool:
        return bool(self.identity)

    @property
    def keyboard(self) -> str:
        return KEYBOARDS.get(self.input, "pinyin")

    def error(self) -> str:
        """'' when valid, else a stable code: required, too_short, too_long, pattern, number,
        too_small, too_large, date, choice."""
        v, s = self.value.strip(), self.schema
        if not v:
            return "required" if self.required and self.input != "checkbox" else ""
        kind = s.get("type", "string")
        if kind == "integer":
            number = parse_money(v) if self.input == "money" else (int(v) if v.isdigit() else None)
            if number is None:
                return "number"
            if "minimum" in s and number < s["minimum"]:
                return "too_small"
            if "maximum" in s and number > s["maximum"]:
                return "too_large"
            return ""
        if "enum" in s and v not in [str(e) for e in s["enum"]]:
            return "choice"
        if s.get("format") == "date" and parse_date(v) is None:
            return "date"
        if "minLength" in s and len(v) < s["minLength"]:
            return "too_short"
        if "maxLength" in s and len(v) > s["maxLength"]:
            return "too_long"
        if "pattern" in s and not re.fullmatch(s["pattern"], v):
            return "pattern"
        return ""

    def json_value(self) -> Any:
        v = self.value.strip()
        if self.input == "checkbox" or self.schema.get("type") == "boolean":
            return v == "true"
        if self.schema.get("type") == "integer":
            return parse_money(v) if self.input == "money" else int(v)
        if self.schema.get("format") == "date":
            d = parse_date(v)
            return d.isoformat() if d else v
        return v


def parse_money(text: str) -> int | None:
    """Yuan as typed (``1200``, ``1200.5``) to integer fen, exactly; None if malformed."""
    m = re.fullmatch(r"(\d{1,12})(?:\.(\d{1,2}))?", text.strip())
    if not m:
        return None
    return int(m[1]) * 100 + int((m[2] or "0").ljust(2, "0"))


def parse_date(text: str) -> dt.date | None:
    digits = text.replace("-", "")
    if not re.fullmatch(r"\d{8}", digits):
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


class FormModel:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        required = set(schema.get("required", ()))
        fields = []
        for key, s in schema.get("properties", {}).items():
            ui = s.get("x-ui", {})
            choices = tuple((str(c.get("value")), c.get("label", {})) for c in
                            ui.get("choices", ()))
            fields.append((int(ui.get("order", 999)), Field(
                key=key, label=ui.get("label", {"zh": key, "en": key}),
                input=str(ui.get("input", "text")), required=key in required, schema=s,
                identity=str(ui.get("identity", "")), choices=choices)))
        self.fields = [f for _, f in sorted(fields, key=lambda x: x[0])]

    def fill_identity(self, identity: Identity) -> None:
        for f in self.fields:
            if f.identity:
                f.value = identity.field_value(f.identity)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def editable(self) -> list[Field]:
        return [f for f in self.fields if not f.readonly]

    def errors(self) -> dict[str, str]:
        return {f.key: e for f in self.fields if (e := f.error())}

    def values(self) -> dict[str, Any]:
        return {f.key: f.json_value() for f in self.fields if f.value.strip()}

    def clear(self) -> None:
        for f in self.fields:
            f.value = ""
