"""A small catalogue in the exchange format (docs/hall-exchange.md) for the kiosk's tests,
until the demo catalogue (config/demo/hall/catalogue.json) is on main."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

AMR = "11410200MB0000001A"
HRSS = "11410200MB0000002B"


def t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _form(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "applicant_name": {"type": "string", "maxLength": 50, "x-ui": {
            "label": t("申请人", "Applicant"), "order": 1, "input": "text", "identity": "name"}},
        "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$", "x-ui": {
            "label": t("身份证号", "ID number"), "order": 2, "input": "text",
            "identity": "id_number"}},
        "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$", "x-ui": {
            "label": t("联系电话", "Phone"), "order": 3, "input": "phone"}},
    }
    props.update(extra or {})
    optional = {"capital_fen"}
    return {"type": "object", "required": ["applicant_name", "id_number", "phone",
                                           *(k for k in extra or {} if k not in optional)],
            "properties": props}


def _matter(code: str, zh: str, en: str, dept: str, cats: list[str], *, mode: str = "promised",
            days: int = 5, materials: list[dict[str, Any]] | None = None,
            form: dict[str, Any] | None = None, aliases: list[str] | None = None,
            online: bool = True, free: bool = True) -> dict[str, Any]:
    return {
        "code": code, "name": t(zh, en), "type": "administrative_licence", "department": dept,
        "implementing_body": t("开封市" + zh[:2] + "主管部门", "Kaifeng authority"),
        "legal_basis": [{"law": t("《中华人民共和国行政许可法》", "Administrative Licensing Law"),
                         "article": "第二十九条"}],
        "category": cats, "aliases": aliases or [],
        "conditions": [t("申请人具有完全民事行为能力", "The applicant has full civil capacity"),
                       t("材料真实、完整", "The documents are true and complete")],
        "materials": materials or [],
        "procedure": [{"step": t("申请", "Apply"), "who": t("申请人", "Applicant"),
                       "counts_toward_limit": False},
                      {"step": t("受理", "Acceptance"), "who": t("窗口", "Window"),
                       "counts_toward_limit": True},
                      {"step": t("审查决定", "Review and decision"), "who": t("科室", "Office"),
                       "counts_toward_limit": True}],
        "handling_mode": mode, "joint_departments": [], "outside_step": None,
        "statutory_limit_days": 0 if mode == "immediate" else days * 2,
        "promised_limit_days": 0 if mode == "immediate" else days,
        "fees": {"free": True} if free else {"free": False, "items": [
            {"item": t("工本费", "Certificate fee"), "standard_fen": 1000, "unit": t("本", "copy"),
             "basis": t("豫价费〔2015〕1号", "Henan price notice 2015-1")}]},
        "place": t("市民之家二楼 A 区 01-06 号窗口", "Citizens' Hall, 2nd floor, windows A01-A06"),
        "hours": t("周一至周五 9:00-17:00", "Monday to Friday, 9:00-17:00"),
        "route": t("乘 1 路、16 路公交车至市民之家站", "Bus 1 or 16 to Citizens' Hall"),
        "faq": [{"q": t("可以委托他人办理吗？", "Can someone apply for me?"),
                 "a": t("可以，需提交授权委托书", "Yes, with a signed power of attorney")}],
        "phones": {"enquiry": "0371-12345678", "complaint": "12345"},
        "visits": 0 if online else 1, "online": online, "form": form or _form(),
        "version": 1, "effective_date": "2026-01-01", "status": "published",
    }


def material(mid: str, zh: str, en: str, *, required: bool = True, reuse: str | None = None,
             template: dict[str, Any] | None = None, sample: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    return {"id": mid, "name": t(zh, en), "form": "copy", "copies": 1, "required": required,
            "source": t("申请人自备", "Your own"), "reuse_kind": reuse, "template": template,
            "sample": sample, "notes": None}


def file_ref(name: str, data: bytes, media: str = "image/png") -> dict[str, Any]:
    return {"name": name, "media_type": media, "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data)}


def catalogue(sample_png: bytes = b"") -> dict[str, Any]:
    sample = file_ref("样本.png", sample_png) if sample_png else None
    licence_form = _form({
        "business_name": {"type": "string", "minLength": 2, "maxLength": 60, "x-ui": {
            "label": t("字号名称", "Trade name"), "order": 4, "input": "text"}},
        "capital_fen": {"type": "integer", "minimum": 0, "x-ui": {
            "label": t("资金数额（元）", "Capital (yuan)"), "order": 5, "input": "money"}},
    })
    matters = [
        _matter(AMR + "010011000000" + "01", "营业执照登记（个体工商户）",
                "Business licence (sole trader)", "AMR", ["business_startup"],
                materials=[material("id_card", "申请人身份证复印件", "Copy of the applicant's ID",
                                    reuse="id_card_copy"),
                           material("application", "个体工商户登记申请书",
                                    "Registration application form", template=sample,
                                    sample=sample),
                           material("premises", "经营场所使用证明", "Proof of the premises")],
                form=licence_form, aliases=["ge ti hu", "getihu"], free=False),
        _matter(AMR + "010012000000" + "01", "食品经营许可", "Food business licence", "AMR",
                ["business_startup"], days=10,
                materials=[material("id_card", "身份证复印件", "Copy of ID",
                                    reuse="id_card_copy")]),
        _matter(AMR + "010013000000" + "01", "营业执照变更登记", "Business licence change", "AMR",
                ["business_startup"], days=3),
        _matter(AMR + "010014000000" + "01", "营业执照注销登记", "Business licence closure",
                "AMR", ["business_startup"], days=3, online=False),
        _matter(HRSS + "200011000000" + "01", "社会保障卡申领", "Social security card", "HRSS",
                ["social_security"], mode="immediate",
                materials=[material("photo", "近期免冠照片", "Recent photo")]),
        _matter(HRSS + "200012000000" + "01", "养老保险关系转移", "Pension transfer", "HRSS",
                ["social_security"], days=15),
        _matter(HRSS + "200013000000" + "01", "失业保险金申领", "Unemployment benefit", "HRSS",
                ["social_security"], days=10),
        _matter(HRSS + "200014000000" + "01", "就业登记", "Employment registration", "HRSS",
                ["social_security"], mode="immediate"),
        _matter(HRSS + "200015000000" + "01", "退休人员待遇核定", "Retirement benefit review",
                "HRSS", ["social_security"], days=20),
        _matter(HRSS + "200016000000" + "01", "医疗保险异地就医备案",
                "Medical insurance for care elsewhere", "HRSS", ["social_security"],
                mode="immediate"),
        _matter(HRSS + "200017000000" + "01", "灵活就业人员参保登记",
                "Insurance for the self-employed", "HRSS", ["social_security"], days=5),
    ]
    return {
        "format": "citizen-hall-catalogue", "version": 1,
        "exported_at": "2026-11-30T10:00:00+08:00",
        "departments": [
            {"code": "AMR", "name": t("市场监督管理局", "Administration for Market Regulation"),
             "windows": ["A01", "A02"], "phone": "0371-12345678"},
            {"code": "HRSS", "name": t("人力资源和社会保障局",
                                       "Human Resources and Social Security"),
             "windows": ["B01"], "phone": "0371-12333"},
        ],
        "categories": [
            {"code": "business_startup", "name": t("企业开办", "Starting a business"),
             "audience": "business"},
            {"code": "social_security", "name": t("社会保障", "Social security"),
             "audience": "person"},
        ],
        "matters": matters,
    }


def write(folder: Path, sample_png: bytes = b"") -> Path:
    """The catalogue as ``folder/catalogue.json`` with its files under ``folder/files/``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalogue.json"
    path.write_text(json.dumps(catalogue(sample_png), ensure_ascii=False, indent=1), "utf-8")
    if sample_png:
        files = folder / "files"
        files.mkdir(exist_ok=True)
        (files / hashlib.sha256(sample_png).hexdigest()).write_bytes(sample_png)
    return path
