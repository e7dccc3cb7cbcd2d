"""Application forms: a JSON Schema subset with ``x-ui`` hints (docs/hall-exchange.md).

:func:`check_form_schema` refuses a schema that uses anything outside the allowed subset, so every
channel (kiosk, web, this server) can render and validate it with this small validator.
:func:`validate_answers` checks a filled form and returns it cleaned, with the identity fields
(``x-ui.identity``) overwritten from the verified identity: they are never typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from backoffice.hallcat.errors import FormInvalid, HallDataError

__all__ = ["IDENTITY_KEYS", "INPUT_KINDS", "check_form_schema", "ordered_fields",
           "validate_answers"]

INPUT_KINDS = frozenset({"text", "multiline", "digits", "phone", "money", "date", "choice",
                         "checkbox"})
IDENTITY_KEYS = frozenset({"name", "id_number", "sex", "birth_date", "address", "nation",
                           "card_no"})
_TOP_KEYS = frozenset({"type", "required", "properties"})
_FIELD_KEYS = frozenset({"type", "enum", "minLength", "maxLength", "pattern", "minimum",
                         "maximum", "format", "x-ui"})
_UI_KEYS = frozenset({"label", "order", "input", "identity", "choices", "placeholder"})
_TYPES = {"string": str, "integer": int, "boolean": bool}
MAX_FIELDS = 60
MAX_TEXT = 2000
"""No answer string is longer than this, whatever the schema says (bounded regex work)."""


def _bad(field: str | None, en: str, zh: str) -> HallDataError:
    return HallDataError(en, zh, record="form", field=field, code="invalid_form_schema")


def _check_label(label: object, where: str) -> None:
    if not (isinstance(label, Mapping) and isinstance(label.get("zh"), str) and label["zh"]
            and isinstance(label.get("en"), str) and label["en"]
            and set(label) <= {"zh", "en"}):
        raise _bad(where, "a label needs zh and en texts", "标签需要中英文")


def _check_field(name: str, spec: object) -> None:
    where = f"properties.{name}"
    if not isinstance(spec, Mapping):
        raise _bad(where, "a field is an object", "字段定义必须是对象")
    unknown = sorted(set(spec) - _FIELD_KEYS)
    if unknown:
        raise _bad(f"{where}.{unknown[0]}", f"keyword {unknown[0]} is not allowed",
                   f"不允许的关键字 {unknown[0]}")
    kind = spec.get("type")
    if kind not in _TYPES:
        raise _bad(f"{where}.type", "type is string, integer or boolean",
                   "类型只能是 string、integer 或 boolean")
    for key in ("minLength", "maxLength"):
        if key in spec and (kind != "string" or not _is_int(spec[key]) or spec[key] < 0):
            raise _bad(f"{where}.{key}", f"{key} is a whole number >= 0 on a string",
                       f"{key} 须为字符串字段的非负整数")
    for key in ("minimum", "maximum"):
        if key in spec and (kind != "integer" or not _is_int(spec[key])):
            raise _bad(f"{where}.{key}", f"{key} is a whole number on an integer",
                       f"{key} 须为整数字段的整数")
    if "pattern" in spec:
        try:
            re.compile(str(spec["pattern"]))
        except re.error:
            raise _bad(f"{where}.pattern", "not a valid pattern", "正则表达式无效") from None
        if kind != "string" or not isinstance(spec["pattern"], str):
            raise _bad(f"{where}.pattern", "a pattern is on a string", "pattern 只用于字符串")
    if "format" in spec and (spec["format"] != "date" or kind != "string"):
        raise _bad(f"{where}.format", "the only format is date (on a string)",
                   "只支持字符串的 date 格式")
    if "enum" in spec and (not isinstance(spec["enum"], list) or not spec["enum"]
                           or not all(isinstance(v, _TYPES[kind]) for v in spec["enum"])):
        raise _bad(f"{where}.enum", "enum is a non-empty list of values of the field's type",
                   "enum 须为与字段类型一致的非空列表")
    ui = spec.get("x-ui")
    if not isinstance(ui, Mapping):
        raise _bad(f"{where}.x-ui", "every field has x-ui hints (label, order, input)",
                   "每个字段都需要 x-ui 提示（标签、顺序、输入方式）")
    unknown = sorted(set(ui) - _UI_KEYS)
    if unknown:
        raise _bad(f"{where}.x-ui.{unknown[0]}", f"hint {unknown[0]} is not allowed",
                   f"不允许的提示 {unknown[0]}")
    _check_label(ui.get("label"), f"{where}.x-ui.label")
    if not _is_int(ui.get("order")):
        raise _bad(f"{where}.x-ui.order", "order is a whole number", "order 须为整数")
    if ui.get("input") not in INPUT_KINDS:
        raise _bad(f"{where}.x-ui.input", f"input is one of {', '.join(sorted(INPUT_KINDS))}",
                   "输入方式不在允许范围内")
    if "identity" in ui and ui["identity"] not in IDENTITY_KEYS:
        raise _bad(f"{where}.x-ui.identity", "unknown identity field", "未知的身份字段")
    if ui["input"] == "choice":
        choices = ui.get("choices")
        if "enum" not in spec or not isinstance(choices, list) \
                or [c.get("value") if isinstance(c, Mapping) else None for c in choices] \
                != spec["enum"]:
            raise _bad(f"{where}.x-ui.choices", "a choice lists x-ui.choices for every enum "
                       "value, in order", "选择项须与 enum 一一对应")
        for c in choices:
            _check_label(c.get("label"), f"{where}.x-ui.choices")
    if ui["input"] == "money" and kind != "integer":
        raise _bad(f"{where}.type", "money is an integer (fen)", "金额须为整数（分）")
    if ui["input"] == "checkbox" and kind != "boolean":
        raise _bad(f"{where}.type", "a checkbox is a boolean", "勾选框须为布尔值")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_form_schema(schema: object) -> None:
    """Raise :class:`HallDataError` (code ``invalid_form_schema``) unless ``schema`` keeps to
    the allowed subset."""
    if not isinstance(schema, Mapping):
        raise _bad(None, "a form is a JSON object", "表单必须是 JSON 对象")
    unknown = sorted(set(schema) - _TOP_KEYS)
    if unknown:
        raise _bad(unknown[0], f"keyword {unknown[0]} is not allowed",
                   f"不允许的关键字 {unknown[0]}")
    if schema.get("type") != "object":
        raise _bad("type", "a form's type is object", "表单类型必须是 object")
    props = schema.get("properties")
    if not isinstance(props, Mapping) or not props:
        raise _bad("properties", "a form has at least one field", "表单至少有一个字段")
    if len(props) > MAX_FIELDS:
        raise _bad("properties", f"at most {MAX_FIELDS} fields", f"最多 {MAX_FIELDS} 个字段")
    for name, spec in props.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", str(name)):
            raise _bad(f"properties.{name}", "field names are snake_case",
                       "字段名须为小写字母、数字和下划线")
        _check_field(str(name), spec)
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(r in props for r in required):
        raise _bad("required", "required lists fields of properties",
                   "required 只能列出已定义的字段")


def ordered_fields(schema: Mapping[str, Any]) -> list[str]:
    """Field names in display order (``x-ui.order``, then name)."""
    props: Mapping[str, Any] = schema["properties"]
    return sorted(props, key=lambda n: (props[n]["x-ui"]["order"], n))


def _label(spec: Mapping[str, Any], name: str) -> tuple[str, str]:
    label = spec.get("x-ui", {}).get("label", {})
    return str(label.get("en", name)), str(label.get("zh", name))


def _invalid(name: str, spec: Mapping[str, Any], en: str, zh: str) -> FormInvalid:
    label_en, label_zh = _label(spec, name)
    return FormInvalid(f"{label_en}: {en}", f"{label_zh}：{zh}", record="form", field=name)


def _check_value(name: str, spec: Mapping[str, Any], value: object) -> None:
    kind = spec["type"]
    if (kind == "integer" and not _is_int(value)) or (kind == "boolean" \
            and not isinstance(value, bool)) or (kind == "string" and not isinstance(value, str)):
        raise _invalid(name, spec, f"expected {kind}", "类型不正确")
    if "enum" in spec and value not in spec["enum"]:
        raise _invalid(name, spec, "not one of the choices", "不是可选值之一")
    if isinstance(value, str):
        if len(value) > min(MAX_TEXT, spec.get("maxLength", MAX_TEXT)):
            raise _invalid(name, spec, "too long", "内容过长")
        if len(value) < spec.get("minLength", 0):
            raise _invalid(name, spec, "too short", "内容过短")
        if "pattern" in spec and re.search(spec["pattern"], value) is None:
            raise _invalid(name, spec, "not in the expected format", "格式不正确")
        if spec.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise _invalid(name, spec, "not a date (YYYY-MM-DD)",
                               "日期格式应为 YYYY-MM-DD") from None
    if _is_int(value):
        assert isinstance(value, int)
        if "minimum" in spec and value < spec["minimum"]:
            raise _invalid(name, spec, f"at least {spec['minimum']}", f"不能小于 {spec['minimum']}")
        if "maximum" in spec and value > spec["maximum"]:
            raise _invalid(name, spec, f"at most {spec['maximum']}", f"不能大于 {spec['maximum']}")


def validate_answers(schema: Mapping[str, Any], answers: object,
                     identity: Mapping[str, str]) -> dict[str, Any]:
    """The answers, checked against ``schema``, identity fields taken from ``identity``.

    Raises :class:`FormInvalid` naming the first field that does not fit.
    """
    if not isinstance(answers, Mapping):
        raise FormInvalid("the form is a JSON object", "表单必须是 JSON 对象", record="form")
    props: Mapping[str, Any] = schema["properties"]
    unknown = sorted(set(answers) - set(props))
    if unknown:
        raise FormInvalid(f"unknown field {unknown[0]}", f"未知字段 {unknown[0]}",
                          record="form", field=str(unknown[0]))
    out: dict[str, Any] = {}
    for name in ordered_fields(schema):
        spec = props[name]
        source = spec["x-ui"].get("identity")
        value = identity.get(source) if source else answers.get(name)
        if value is None or value == "":
            if name in schema.get("required", []):
                if source:
                    raise _invalid(name, spec, "not in the verified identity (read the card "
                                   "or the ID card)", "身份信息中没有该项（请读取市民卡或身份证）")
                raise _invalid(name, spec, "required", "必填")
            continue
        _check_value(name, spec, value)
        out[name] = value
    return out
