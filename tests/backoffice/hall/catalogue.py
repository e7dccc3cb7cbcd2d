"""A small catalogue written for the tests (the demo catalogue is config/demo/hall/).

``document()`` returns a complete exchange document: 8 departments, 6 categories, 30 published
matters of every handling mode, each with its form and materials.
"""

from __future__ import annotations

import copy
from typing import Any

DEPARTMENTS = [
    ("AMR", "市场监督管理局", "Administration for Market Regulation", ["A01", "A02"]),
    ("HRSS", "人力资源和社会保障局", "Human Resources and Social Security Bureau", ["B01"]),
    ("HPF", "住房公积金管理中心", "Housing Provident Fund Centre", ["B05"]),
    ("NRB", "自然资源和规划局", "Natural Resources and Planning Bureau", ["C01"]),
    ("PSB", "公安局", "Public Security Bureau", ["D01"]),
    ("TAX", "税务局", "Taxation Bureau", ["E01"]),
    ("MIB", "医疗保障局", "Medical Insurance Bureau", ["B08"]),
    ("HUD", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau", ["C05"]),
]
DEPT_ZH = {d[0]: d[1] for d in DEPARTMENTS}
CATEGORIES = [
    ("business_startup", "企业开办", "Starting a business", "business"),
    ("social_security", "社会保障", "Social security", "person"),
    ("housing", "住房", "Housing", "both"),
    ("real_estate", "不动产", "Real estate", "both"),
    ("household", "户籍", "Household registration", "person"),
    ("tax", "税务", "Tax", "both"),
]
BODY = {"AMR": "11410200MB0000001A", "HRSS": "11410200MB0000002X", "HPF": "12410200MB0000003B",
        "NRB": "11410200MB0000004C", "PSB": "11410200MB0000005D", "TAX": "11410200MB0000006E",
        "MIB": "11410200MB0000007F", "HUD": "11410200MB0000008G"}
TYPE_DIGITS = {"administrative_licence": "01", "administrative_confirmation": "07",
               "administrative_payment": "05", "public_service": "20", "other_power": "10"}

# dept, n, type, zh, en, mode, statutory, promised, category, aliases, materials(reuse kinds)
MATTERS: list[tuple[str, int, str, str, str, str, int, int, str, list[str], list[str]]] = [
    ("AMR", 1, "administrative_licence", "营业执照登记（个体工商户）",
     "Business licence registration (sole proprietor)", "promised", 15, 3,
     "business_startup", ["个体户执照", "开店"], ["id_card_copy", "premises"]),
    ("AMR", 2, "administrative_licence", "营业执照注销", "Business licence cancellation",
     "promised", 20, 5, "business_startup", ["注销公司"], ["id_card_copy", "licence"]),
    ("AMR", 3, "administrative_licence", "食品经营许可证核发", "Food business licence",
     "joint", 20, 10, "business_startup", ["食品许可", "餐饮许可"], ["id_card_copy", "premises"]),
    ("AMR", 4, "administrative_licence", "企业名称自主申报", "Company name declaration",
     "immediate", 0, 0, "business_startup", ["起名", "核名"], ["id_card_copy"]),
    ("AMR", 5, "administrative_licence", "营业执照变更登记", "Business licence amendment",
     "promised", 15, 3, "business_startup", ["执照变更"], ["id_card_copy", "licence"]),
    ("HRSS", 1, "public_service", "城乡居民养老保险参保登记",
     "Residents' pension insurance enrolment", "immediate", 0, 0, "social_security",
     ["养老保险", "社保参保"], ["id_card_copy"]),
    ("HRSS", 2, "public_service", "养老保险关系转移接续", "Pension insurance transfer",
     "promised", 45, 15, "social_security", ["社保转移"], ["id_card_copy"]),
    ("HRSS", 3, "administrative_payment", "失业保险金申领", "Unemployment benefit claim",
     "promised", 10, 5, "social_security", ["失业金"], ["id_card_copy", "bank_card"]),
    ("HRSS", 4, "public_service", "社会保障卡申领", "Social security card application",
     "promised", 20, 10, "social_security", ["社保卡", "市民卡"], ["id_card_copy", "photo"]),
    ("HRSS", 5, "administrative_confirmation", "工伤认定", "Work injury determination",
     "approval", 60, 30, "social_security", ["工伤"], ["id_card_copy", "medical_record"]),
    ("HPF", 1, "public_service", "住房公积金提取（购房）", "Provident fund withdrawal (purchase)",
     "promised", 5, 3, "housing", ["公积金提取", "取公积金"], ["id_card_copy", "contract"]),
    ("HPF", 2, "public_service", "住房公积金贷款申请", "Provident fund loan application",
     "joint", 20, 15, "housing", ["公积金贷款"], ["id_card_copy", "contract", "income"]),
    ("HPF", 3, "public_service", "住房公积金还款提取", "Provident fund withdrawal for repayment",
     "promised", 5, 3, "housing", ["huan kuan", "还贷提取"], ["id_card_copy", "loan"]),
    ("HPF", 4, "public_service", "住房公积金缴存基数调整", "Provident fund base adjustment",
     "immediate", 0, 0, "housing", ["基数调整"], ["id_card_copy"]),
    ("NRB", 1, "administrative_confirmation", "不动产首次登记", "First real estate registration",
     "promised", 30, 10, "real_estate", ["房产证", "办证"], ["id_card_copy", "deed"]),
    ("NRB", 2, "administrative_confirmation", "不动产转移登记", "Real estate transfer registration",
     "joint", 30, 5, "real_estate", ["过户", "二手房过户"], ["id_card_copy", "deed", "contract"]),
    ("NRB", 3, "administrative_confirmation", "不动产抵押登记", "Real estate mortgage registration",
     "promised", 30, 5, "real_estate", ["抵押"], ["id_card_copy", "deed"]),
    ("NRB", 4, "public_service", "不动产登记资料查询", "Real estate records enquiry",
     "immediate", 0, 0, "real_estate", ["查房产", "产权查询"], ["id_card_copy"]),
    ("PSB", 1, "administrative_confirmation", "户口迁入登记", "Household registration move-in",
     "promised", 20, 10, "household", ["落户", "迁户口"], ["id_card_copy", "household_register"]),
    ("PSB", 2, "administrative_confirmation", "居民身份证换领", "Resident ID card renewal",
     "promised", 60, 20, "household", ["换身份证", "身份证到期"], ["household_register", "photo"]),
    ("PSB", 3, "administrative_confirmation", "居住证签注", "Residence permit endorsement",
     "immediate", 0, 0, "household", ["居住证"], ["id_card_copy"]),
    ("PSB", 4, "administrative_licence", "出入境通行证签发", "Exit-entry permit issuance",
     "urgent", 10, 7, "household", ["港澳通行证", "护照"], ["id_card_copy", "photo"]),
    ("TAX", 1, "other_power", "个人所得税专项附加扣除申报", "Individual income tax deductions",
     "immediate", 0, 0, "tax", ["个税", "专项扣除"], ["id_card_copy"]),
    ("TAX", 2, "other_power", "增值税发票领用", "VAT invoice issuance", "promised", 5, 1, "tax",
     ["领发票", "发票"], ["id_card_copy", "licence"]),
    ("TAX", 3, "other_power", "税务登记信息变更", "Tax registration change", "promised", 10, 3,
     "tax", ["税务变更"], ["id_card_copy", "licence"]),
    ("MIB", 1, "public_service", "医疗保险参保登记", "Medical insurance enrolment",
     "immediate", 0, 0, "social_security", ["医保", "医保参保"], ["id_card_copy"]),
    ("MIB", 2, "administrative_payment", "异地就医备案", "Medical treatment elsewhere filing",
     "promised", 5, 1, "social_security", ["异地医保", "转诊备案"], ["id_card_copy"]),
    ("MIB", 3, "administrative_payment", "医疗费用报销", "Medical expense reimbursement",
     "promised", 20, 10, "social_security", ["报销", "医药费"], ["id_card_copy", "invoice"]),
    ("HUD", 1, "administrative_licence", "建筑工程施工许可证核发", "Construction permit",
     "approval", 15, 7, "real_estate", ["施工许可"], ["licence", "plans"]),
    ("HUD", 2, "public_service", "公共租赁住房申请", "Public rental housing application",
     "promised", 30, 20, "housing", ["公租房", "廉租房"], ["id_card_copy", "household_register",
                                                          "income"]),
]

MATERIAL_NAMES = {
    "id_card_copy": ("居民身份证复印件", "Copy of the ID card", "copy", "id_card_copy"),
    "household_register": ("户口簿", "Household register", "original_and_copy",
                           "household_register"),
    "licence": ("营业执照", "Business licence", "original_and_copy", "business_licence"),
    "premises": ("经营场所证明", "Proof of premises", "copy", None),
    "bank_card": ("银行卡", "Bank card", "copy", None),
    "photo": ("近期免冠照片", "Recent photo", "original", None),
    "medical_record": ("病历资料", "Medical records", "copy", None),
    "contract": ("购房合同", "Purchase contract", "original_and_copy", None),
    "income": ("收入证明", "Proof of income", "original", None),
    "loan": ("借款合同", "Loan contract", "copy", None),
    "deed": ("权属来源证明", "Proof of title", "original_and_copy", None),
    "invoice": ("医疗费用发票", "Medical invoices", "original", None),
    "plans": ("施工图设计文件", "Construction drawings", "copy", None),
}


def text(zh: str, en: str | None = None) -> dict[str, str]:
    return {"zh": zh, "en": en} if en else {"zh": zh}


def form() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["applicant_name", "id_number", "phone"],
        "properties": {
            "applicant_name": {"type": "string", "maxLength": 50, "x-ui": {
                "label": {"zh": "申请人", "en": "Applicant"}, "order": 1, "input": "text",
                "identity": "name"}},
            "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$", "x-ui": {
                "label": {"zh": "身份证号", "en": "ID number"}, "order": 2, "input": "text",
                "identity": "id_number"}},
            "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$", "x-ui": {
                "label": {"zh": "联系电话", "en": "Phone"}, "order": 3, "input": "phone"}},
            "note": {"type": "string", "maxLength": 200, "x-ui": {
                "label": {"zh": "备注", "en": "Note"}, "order": 4, "input": "multiline"}},
        },
    }


def matter_code(dept: str, n: int, kind: str) -> str:
    return f"{BODY[dept]}{TYPE_DIGITS[kind]}{n:05d}00000{1:02d}"


def matter(row: tuple[str, int, str, str, str, str, int, int, str, list[str], list[str]],
           ) -> dict[str, Any]:
    dept, n, kind, zh, en, mode, statutory, promised, category, aliases, mats = row
    materials = []
    for mid in mats:
        mzh, men, mform, reuse = MATERIAL_NAMES[mid]
        materials.append({"id": mid, "name": text(mzh, men), "form": mform, "copies": 1,
                          "required": mid != "photo", "source": text("申请人自备"),
                          "reuse_kind": reuse})
    joint = {"AMR": ["HUD"], "HPF": ["NRB"], "NRB": ["TAX"]}.get(dept, []) \
        if mode == "joint" else []
    return {
        "code": matter_code(dept, n, kind), "name": text(zh, en), "type": kind,
        "department": dept, "implementing_body": text(f"开封市{DEPT_ZH[dept]}"),
        "legal_basis": [{"law": text("《中华人民共和国行政许可法》"), "article": "第二十九条"}],
        "category": [category], "aliases": aliases,
        "conditions": [text("申请人为本市居民或在本市登记的经营者")],
        "materials": materials,
        "procedure": [{"step": text("受理"), "who": text("窗口"), "counts_toward_limit": True},
                      {"step": text("审查"), "who": text("承办科室"),
                       "counts_toward_limit": True},
                      {"step": text("决定"), "who": text("负责人"), "counts_toward_limit": True}],
        "handling_mode": mode, "joint_departments": joint,
        "outside_step": text("河南省人力资源和社会保障厅") if mode == "approval" else None,
        "statutory_limit_days": statutory, "promised_limit_days": promised,
        "fees": {"free": True} if n % 4 else {"free": False, "items": [{
            "item": text("工本费"), "standard_fen": 1000, "unit": text("本"),
            "basis": text("豫发改收费〔2017〕1号")}]},
        "place": text("市民之家二楼 A 区"), "hours": text("周一至周五 9:00-17:00"),
        "route": text("公交 1 路市民之家站"),
        "faq": [{"q": text("可以代办吗？"), "a": text("可以，需提供委托书。")}],
        "phones": {"enquiry": "0371-12345", "complaint": "12345"},
        "visits": 1, "online": True, "form": form(), "version": 1,
        "effective_date": "2026-01-01", "status": "published",
    }


def document() -> dict[str, Any]:
    return copy.deepcopy({
        "format": "citizen-hall-catalogue", "version": 1,
        "departments": [{"code": c, "name": text(zh, en), "windows": w, "phone": "0371-12345"}
                        for c, zh, en, w in DEPARTMENTS],
        "categories": [{"code": c, "name": text(zh, en), "audience": a}
                       for c, zh, en, a in CATEGORIES],
        "matters": [matter(row) for row in MATTERS],
    })


def code_of(zh: str) -> str:
    """The code of the test matter named ``zh``."""
    for row in MATTERS:
        if row[3] == zh:
            return matter_code(row[0], row[1], row[2])
    raise KeyError(zh)
