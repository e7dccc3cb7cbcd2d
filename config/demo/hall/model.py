"""Small builders the demo catalogue's department modules write their matters with.

Everything returns plain JSON-ready dicts in the exchange format of docs/hall-exchange.md
(``Text`` is ``{"zh": ..., "en": ...}``). Nothing here holds state: each call builds new objects,
so the department modules can share the common materials and fields without aliasing.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
Text = dict[str, str]

TYPE_DIGITS = {
    "administrative_licence": "01",
    "administrative_levy": "04",
    "administrative_payment": "05",
    "administrative_confirmation": "07",
    "administrative_award": "08",
    "administrative_ruling": "09",
    "other_power": "10",
    "public_service": "20",
}
"""Matter type -> the two type digits of the GB/T 39554.1-style basic code."""

HANDLING_MODES = ("immediate", "promised", "joint", "approval", "urgent")


def T(zh: str, en: str) -> Text:
    """A bilingual text."""
    return {"zh": zh, "en": en}


# --- sources and actors --------------------------------------------------------------------

def src_self() -> Text:
    return T("申请人自备", "Provided by the applicant")


def src_fill() -> Text:
    return T("申请人填写（可在自助终端或窗口填写）", "Filled in by the applicant (kiosk or window)")


def src(zh: str, en: str) -> Text:
    return T(zh, en)


# --- materials -----------------------------------------------------------------------------

def mat(
    mid: str,
    zh: str,
    en: str,
    *,
    form: str = "copy",
    copies: int = 1,
    required: bool = True,
    source: Text | None = None,
    reuse: str | None = None,
    notes: Text | None = None,
) -> Json:
    """One material; ``template`` and ``sample`` are filled in by the builder."""
    return {
        "id": mid,
        "name": T(zh, en),
        "form": form,
        "copies": copies,
        "required": required,
        "source": source if source is not None else src_self(),
        "reuse_kind": reuse,
        "template": None,
        "sample": None,
        "notes": notes,
    }


def application(zh: str, en: str, notes: Text | None = None) -> Json:
    """The application form itself (申请书/申请表); id ``application``, gets the PDF files."""
    return mat("application", zh, en, form="original", source=src_fill(), notes=notes)


def id_card(required: bool = True) -> Json:
    return mat(
        "id_card", "申请人居民身份证", "Applicant's resident identity card",
        form="original_and_copy", required=required,
        source=src("公安机关核发", "Issued by the public security organ"), reuse="id_card_copy",
        notes=T("已在本厅留存复印件的，无需重复提交", "Not needed again if the hall already holds a copy"),
    )


def household_register(required: bool = True) -> Json:
    return mat(
        "household_register", "居民户口簿", "Household register (hukou booklet)",
        form="original_and_copy", required=required,
        source=src("公安机关核发", "Issued by the public security organ"),
        reuse="household_register",
    )


def business_licence(required: bool = True) -> Json:
    return mat(
        "business_licence", "营业执照", "Business licence",
        form="original_and_copy", required=required,
        source=src("市场监督管理部门核发", "Issued by the market regulation authority"),
        reuse="business_licence",
        notes=T("可出示电子营业执照", "The electronic business licence is accepted"),
    )


def marriage_certificate(required: bool = True) -> Json:
    return mat(
        "marriage_certificate", "结婚证", "Marriage certificate",
        form="original_and_copy", required=required,
        source=src("婚姻登记机关核发", "Issued by the marriage registry"),
        reuse="marriage_certificate",
    )


def property_certificate(required: bool = True) -> Json:
    return mat(
        "property_certificate", "不动产权证书（或房屋所有权证）",
        "Real-estate title certificate (or house ownership certificate)",
        form="original_and_copy", required=required,
        source=src("不动产登记机构核发", "Issued by the real-estate registry"),
        reuse="property_certificate",
    )


def photo(copies: int = 2, size_zh: str = "一寸", size_en: str = "1-inch") -> Json:
    return mat(
        "photo", f"近期{size_zh}免冠白底彩色照片", f"Recent {size_en} bareheaded colour photo, white background",
        form="original", copies=copies,
        notes=T("自助终端可现场拍照", "The kiosk can take the photo on the spot"),
    )


def agent_authorisation() -> Json:
    return mat(
        "agent_authorisation", "授权委托书及受托人身份证", "Power of attorney and the agent's ID card",
        form="original", required=False,
        notes=T("委托他人代办时提供", "Only when someone applies on your behalf"),
    )


def disability_certificate(required: bool = True) -> Json:
    return mat(
        "disability_certificate", "中华人民共和国残疾人证", "Disability certificate of the PRC",
        form="original_and_copy", required=required,
        source=src("残疾人联合会核发", "Issued by the Disabled Persons' Federation"),
        reuse="disability_certificate",
    )


def bank_account() -> Json:
    return mat(
        "bank_account", "本人银行卡或社会保障卡（金融账户）",
        "Your own bank card or social security card (with its bank account)",
        form="original_and_copy",
        source=src("开户银行", "Issuing bank"),
    )


# --- procedure, fees, FAQ ------------------------------------------------------------------

def step(zh: str, en: str, who_zh: str, who_en: str, counts: bool = True) -> Json:
    """A procedure step; ``counts`` says whether its time counts toward the limit."""
    return {"step": T(zh, en), "who": T(who_zh, who_en), "counts_toward_limit": counts}


def apply_step(online: bool = True) -> Json:
    if online:
        return step("申请：窗口、自助终端或网上提交申请", "Apply at the window, a kiosk or online",
                    "申请人", "Applicant", counts=False)
    return step("申请：到窗口提交申请材料", "Apply at the window with the materials",
                "申请人", "Applicant", counts=False)


def accept_step() -> Json:
    return step("受理：审核材料，齐全的当场受理，不全的一次性告知需补正的全部内容",
                "Acceptance: complete materials are accepted on the spot; otherwise you are told "
                "everything missing at once", "受理窗口", "Reception window", counts=False)


def collect_step(zh: str = "办结：领取结果或选择免费邮寄送达",
                 en: str = "Done: collect the result or have it posted free of charge") -> Json:
    return step(zh, en, "申请人", "Applicant", counts=False)


def free() -> Json:
    return {"free": True}


def fee_item(item_zh: str, item_en: str, fen: int, unit_zh: str, unit_en: str,
             basis_zh: str, basis_en: str) -> Json:
    return {"item": T(item_zh, item_en), "standard_fen": fen, "unit": T(unit_zh, unit_en),
            "basis": T(basis_zh, basis_en)}


def fees(*items: Json) -> Json:
    return {"free": False, "items": list(items)}


def qa(q_zh: str, q_en: str, a_zh: str, a_en: str) -> Json:
    return {"q": T(q_zh, q_en), "a": T(a_zh, a_en)}


# --- form schema ---------------------------------------------------------------------------

Field = tuple[str, Json, bool]
"""A form field: key, its property schema (without the order), required."""

ID_PATTERN = "^[0-9]{17}[0-9X]$"
PHONE_PATTERN = "^1[3-9][0-9]{9}$"
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def fld(
    key: str,
    zh: str,
    en: str,
    kind: str = "text",
    *,
    required: bool = True,
    identity: str | None = None,
    max_len: int | None = None,
    min_len: int | None = None,
    pattern: str | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    choices: list[tuple[str, str, str]] | None = None,
) -> Field:
    """One field of an application form; ``kind`` is the ``x-ui.input``."""
    prop: Json = {}
    if kind == "money" or (kind == "digits" and (minimum is not None or maximum is not None)):
        prop["type"] = "integer"
    elif kind == "checkbox":
        prop["type"] = "boolean"
    else:
        prop["type"] = "string"
    if kind == "date":
        prop["format"] = "date"
    if kind == "money":
        prop["minimum"] = 0 if minimum is None else minimum
    elif minimum is not None:
        prop["minimum"] = minimum
    if maximum is not None:
        prop["maximum"] = maximum
    if min_len is not None:
        prop["minLength"] = min_len
    if max_len is not None:
        prop["maxLength"] = max_len
    elif prop["type"] == "string" and kind not in ("date", "choice") and pattern is None:
        prop["maxLength"] = 500 if kind == "multiline" else 100
    if kind == "digits" and prop["type"] == "string" and pattern is None:
        pattern = "^[0-9]+$"
        prop.pop("maxLength", None)
    if pattern is not None:
        prop["pattern"] = pattern
    ui: Json = {"label": T(zh, en), "input": kind}
    if choices is not None:
        prop["enum"] = [v for v, _, _ in choices]
        ui["choices"] = [{"value": v, "label": T(c_zh, c_en)} for v, c_zh, c_en in choices]
    if identity is not None:
        ui["identity"] = identity
    prop["x-ui"] = ui
    return key, prop, required


def name_f() -> Field:
    return fld("applicant_name", "申请人姓名", "Applicant's name", identity="name", max_len=50)


def id_f() -> Field:
    return fld("id_number", "公民身份号码", "Citizen ID number", identity="id_number",
               pattern=ID_PATTERN)


def phone_f(zh: str = "联系电话", en: str = "Phone") -> Field:
    return fld("phone", zh, en, "phone", pattern=PHONE_PATTERN)


def sex_f() -> Field:
    return fld("sex", "性别", "Sex", "choice", identity="sex",
               choices=[("1", "男", "Male"), ("2", "女", "Female")])


def birth_f() -> Field:
    return fld("birth_date", "出生日期", "Date of birth", "date", identity="birth_date")


def address_f() -> Field:
    return fld("address", "户籍地址", "Registered (hukou) address", identity="address",
               max_len=120)


def nation_f() -> Field:
    return fld("nation", "民族", "Ethnic group", identity="nation", max_len=20)


def card_f() -> Field:
    return fld("card_no", "市民卡号", "City card number", identity="card_no",
               pattern="^[0-9]{16}$", required=False)


def person(*extra: Field) -> list[Field]:
    """The usual head of a personal application: name, ID number and phone."""
    return [name_f(), id_f(), phone_f(), *extra]


def company(*extra: Field) -> list[Field]:
    """The head of a business application: the person applying (经办人), then the business."""
    return [
        fld("applicant_name", "经办人姓名", "Name of the person applying", identity="name",
            max_len=50),
        id_f(),
        phone_f("经办人电话", "Phone of the person applying"),
        fld("company_name", "单位名称", "Name of the business or organisation",
            min_len=2, max_len=100),
        fld("uscc", "统一社会信用代码", "Unified social credit code", pattern=USCC_PATTERN),
        *extra,
    ]


def form(fields: list[Field]) -> Json:
    """The FormSchema of a matter, fields in the order given."""
    props: Json = {}
    required: list[str] = []
    for order, (key, prop, req) in enumerate(fields, start=1):
        if key in props:
            raise ValueError(f"form field {key} twice")
        props[key] = {**prop, "x-ui": {**prop["x-ui"], "order": order}}
        if req:
            required.append(key)
    return {"type": "object", "required": required, "properties": props}


def yes_no(key: str, zh: str, en: str, required: bool = False) -> Field:
    return fld(key, zh, en, "checkbox", required=required)


# --- sample applicants (invented; the ID numbers carry correct GB 11643 check digits) ---------

_PEOPLE = (
    ("李春梅", "410202198806123023", "13803781234", "2", "河南省开封市龙亭区西门大街88号"),
    ("王静", "410205199203081526", "13937801122", "2", "河南省开封市禹王台区三里堡街16号"),
    ("张建国", "410221197509214011", "15837865432", "1", "河南省开封市杞县城关镇建设路21号"),
    ("刘德厚", "410203196501042019", "13523780088", "1", "河南省开封市顺河回族区东大街9号"),
    ("赵雨欣", "410204200107250827", "18637812345", "2", "河南省开封市鼓楼区书店街52号"),
)


def sample_person(i: int, **values: Any) -> dict[str, Any]:
    """Sample form values for invented applicant ``i`` (0-4) plus ``values``."""
    name, id_number, phone, _, _ = _PEOPLE[i]
    return {"applicant_name": name, "id_number": id_number, "phone": phone, **values}
