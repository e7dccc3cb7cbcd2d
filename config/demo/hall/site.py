"""The demo hall: its departments and windows, implementing bodies, categories, and ``matter()``.

The hall is the Kaifeng Citizens' Home (开封市民之家, city code 4102) as this demo imagines it:
the floors, windows, phone numbers and unified social credit codes are invented (the credit
codes carry correct GB 32100 check characters but belong to no one).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from .laws import basis as legal_basis
from .model import HANDLING_MODES, TYPE_DIGITS, Json, T, Text, free

CITY = "开封市"
COMPLAINT_PHONE = "12345"

# code: (zh, en, floor, zone, first window, last window, phone)
_DEPARTMENTS = {
    "AMR": ("开封市市场监督管理局", "Kaifeng Administration for Market Regulation", 1, "A", 1, 8,
            "0378-23960101"),
    "TAX": ("国家税务总局开封市税务局", "Kaifeng Municipal Tax Service, State Taxation Administration",
            1, "B", 1, 6, "0378-23960102"),
    "PSB": ("开封市公安局", "Kaifeng Public Security Bureau", 1, "C", 1, 6, "0378-23960103"),
    "UTIL": ("水电气公共服务", "Public utilities (water, electricity, gas)", 1, "D", 1, 4,
             "0378-23960104"),
    "HRSS": ("开封市人力资源和社会保障局", "Kaifeng Human Resources and Social Security Bureau",
             2, "E", 1, 8, "0378-23960201"),
    "MIB": ("开封市医疗保障局", "Kaifeng Healthcare Security Administration", 2, "E", 9, 12,
            "0378-23960202"),
    "HPF": ("开封市住房公积金管理中心", "Kaifeng Housing Provident Fund Management Centre", 2, "F", 1, 6,
            "0378-23960203"),
    "CA": ("开封市民政局", "Kaifeng Civil Affairs Bureau", 2, "G", 1, 3, "0378-23960204"),
    "DPF": ("开封市残疾人联合会", "Kaifeng Disabled Persons' Federation", 2, "G", 4, 4,
            "0378-23960205"),
    "VA": ("开封市退役军人事务局", "Kaifeng Veterans Affairs Bureau", 2, "G", 5, 5, "0378-23960206"),
    "NRP": ("开封市自然资源和规划局", "Kaifeng Natural Resources and Planning Bureau", 3, "H", 1, 10,
            "0378-23960301"),
    "HUD": ("开封市住房和城乡建设局", "Kaifeng Housing and Urban-Rural Development Bureau", 3, "J", 1, 5,
            "0378-23960302"),
    "DRC": ("开封市发展和改革委员会", "Kaifeng Development and Reform Commission", 3, "J", 6, 6,
            "0378-23960303"),
    "EEB": ("开封市生态环境局", "Kaifeng Ecology and Environment Bureau", 3, "J", 7, 7, "0378-23960304"),
    "TRANS": ("开封市交通运输局", "Kaifeng Transport Bureau", 3, "K", 1, 3, "0378-23960305"),
    "CTB": ("开封市文化广电和旅游局", "Kaifeng Culture, Radio, Television and Tourism Bureau", 3, "K", 4, 4,
            "0378-23960306"),
    "HC": ("开封市卫生健康委员会", "Kaifeng Health Commission", 3, "K", 5, 6, "0378-23960307"),
    "EDU": ("开封市教育局", "Kaifeng Education Bureau", 3, "K", 7, 7, "0378-23960308"),
}
DEPARTMENTS = MappingProxyType(_DEPARTMENTS)

# key: (zh, en, registration-authority and kind digits, 8-character organisation-code body)
_BODIES = {
    "amr": ("开封市市场监督管理局", "Kaifeng Administration for Market Regulation", "11", "MB1A4021"),
    "tax": ("国家税务总局开封市税务局", "Kaifeng Municipal Tax Service, State Taxation Administration",
            "11", "MB1A4022"),
    "psb": ("开封市公安局", "Kaifeng Public Security Bureau", "11", "MB1A4023"),
    "hrss": ("开封市人力资源和社会保障局", "Kaifeng Human Resources and Social Security Bureau",
             "11", "MB1A4024"),
    "si": ("开封市社会保险中心", "Kaifeng Social Insurance Centre", "12", "MB1B4025"),
    "jobs": ("开封市公共就业服务中心", "Kaifeng Public Employment Service Centre", "12", "MB1B4026"),
    "mib": ("开封市医疗保障局", "Kaifeng Healthcare Security Administration", "11", "MB1A4027"),
    "mic": ("开封市医疗保障服务中心", "Kaifeng Healthcare Security Service Centre", "12", "MB1B4028"),
    "hpf": ("开封市住房公积金管理中心", "Kaifeng Housing Provident Fund Management Centre", "12",
            "MB1B4029"),
    "ca": ("开封市民政局", "Kaifeng Civil Affairs Bureau", "11", "MB1A4030"),
    "dpf": ("开封市残疾人联合会", "Kaifeng Disabled Persons' Federation", "13", "MB1C4031"),
    "va": ("开封市退役军人事务局", "Kaifeng Veterans Affairs Bureau", "11", "MB1A4032"),
    "nrp": ("开封市自然资源和规划局", "Kaifeng Natural Resources and Planning Bureau", "11", "MB1A4033"),
    "rec": ("开封市不动产登记中心", "Kaifeng Real Estate Registration Centre", "12", "MB1B4034"),
    "hud": ("开封市住房和城乡建设局", "Kaifeng Housing and Urban-Rural Development Bureau", "11",
            "MB1A4035"),
    "drc": ("开封市发展和改革委员会", "Kaifeng Development and Reform Commission", "11", "MB1A4036"),
    "eeb": ("开封市生态环境局", "Kaifeng Ecology and Environment Bureau", "11", "MB1A4037"),
    "trans": ("开封市交通运输局", "Kaifeng Transport Bureau", "11", "MB1A4038"),
    "ctb": ("开封市文化广电和旅游局", "Kaifeng Culture, Radio, Television and Tourism Bureau", "11",
            "MB1A4039"),
    "hc": ("开封市卫生健康委员会", "Kaifeng Health Commission", "11", "MB1A4040"),
    "edu": ("开封市教育局", "Kaifeng Education Bureau", "11", "MB1A4041"),
    "water": ("开封市供水总公司", "Kaifeng Water Supply Company", "91", "MA1D4042"),
    "power": ("国网开封供电公司", "State Grid Kaifeng Power Supply Company", "91", "MA1D4043"),
    "gas": ("开封市燃气总公司", "Kaifeng Gas Company", "91", "MA1D4044"),
}
BODIES = MappingProxyType(_BODIES)

# code: (zh, en, audience)
_CATEGORIES = {
    "business_startup": ("企业开办", "Starting a business", "business"),
    "business_change": ("变更与注销", "Changes and closing a business", "business"),
    "business_licences": ("经营许可", "Business permits", "business"),
    "employment": ("就业创业", "Jobs and starting up", "both"),
    "social_insurance": ("社会保险", "Social insurance", "both"),
    "provident_fund": ("住房公积金", "Housing provident fund", "both"),
    "real_estate": ("不动产登记", "Real-estate registration", "both"),
    "household": ("户籍与身份证", "Household registration and ID cards", "person"),
    "travel_documents": ("出入境证件", "Passports and travel documents", "person"),
    "tax": ("税费办理", "Taxes and fees", "both"),
    "medical_insurance": ("医疗保障", "Medical insurance", "person"),
    "social_assistance": ("社会救助与福利", "Social assistance and welfare", "person"),
    "elderly_disabled": ("养老助残", "Older people and people with disabilities", "person"),
    "construction": ("工程建设", "Construction projects", "business"),
    "housing": ("住房保障与交易", "Housing support and transactions", "both"),
    "transport": ("交通运输", "Transport", "both"),
    "culture_tourism": ("文化旅游", "Culture and tourism", "business"),
    "health": ("医疗卫生", "Health", "both"),
    "education": ("教育", "Education", "person"),
    "veterans": ("退役军人服务", "Veterans' services", "person"),
    "utilities": ("水电气服务", "Water, electricity and gas", "both"),
    "investment": ("投资项目", "Investment projects", "business"),
    "life_events": ("一件事一次办", "One-stop life events", "both"),
}
CATEGORIES = MappingProxyType(_CATEGORIES)

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body."""
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters of a credit code."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def body_uscc(key: str) -> str:
    """The 18-character unified social credit code of an implementing body (admin area 410200)."""
    _zh, _en, kind, org = BODIES[key]
    first17 = f"{kind}410200{org}{org_check(org)}"
    return first17 + uscc_check(first17)


def department_json(code: str) -> Json:
    zh, en, _floor, zone, first, last, phone = DEPARTMENTS[code]
    return {"code": code, "name": T(zh, en),
            "windows": [f"{zone}{n:02d}" for n in range(first, last + 1)], "phone": phone}


def category_json(code: str) -> Json:
    zh, en, audience = CATEGORIES[code]
    return {"code": code, "name": T(zh, en), "audience": audience}


def place(dept: str) -> Text:
    _zh, _en, floor, zone, first, last, _phone = DEPARTMENTS[dept]
    wins = f"{zone}{first:02d}" if first == last else f"{zone}{first:02d}—{zone}{last:02d}"
    wins_en = wins.replace("—", "-")
    return T(f"开封市民之家{floor}楼{zone}区 {wins}号窗口",
             f"Kaifeng Citizens' Home, floor {floor}, zone {zone}, window{'s' if first != last else ''} "
             f"{wins_en}")


def hours(saturday: bool = False) -> Text:
    zh = "周一至周五（法定节假日除外）上午8:30—12:00，下午14:00—17:30（夏令时14:30—18:00）"
    en = ("Monday to Friday except public holidays, 8:30-12:00 and 14:00-17:30 "
          "(14:30-18:00 in summer)")
    if saturday:
        zh += "；周六上午9:00—12:00延时服务"
        en += "; Saturday 9:00-12:00 extended service"
    return T(zh, en)


def route() -> Text:
    return T("开封市民之家位于开封新区，可乘坐公交车至“市民之家”站下车；自驾车辆可停放在市民之家地面及地下停车场。"
             "行动不便的群众可在一楼服务台预约帮办代办。",
             "The Kaifeng Citizens' Home is in the Kaifeng New District: take a bus to the "
             "'Citizens' Home' stop, or park in its surface or underground car park. If you have "
             "difficulty getting about, the ground-floor service desk can arrange help.")


def matter(
    *,
    dept: str,
    body: str,
    seq: int,
    kind: str,
    name: Text,
    law: list[tuple[str, str]],
    category: list[str],
    aliases: list[str],
    conditions: list[Text],
    materials: list[Json],
    procedure: list[Json],
    mode: str,
    statutory: int,
    promised: int,
    faq: list[Json],
    form: Json,
    fees: Json | None = None,
    joint: tuple[str, ...] = (),
    outside: Text | None = None,
    visits: int = 1,
    online: bool = True,
    saturday: bool = False,
    sample: dict[str, Any] | None = None,
    sub: int = 1,
    item: int = 1,
    effective: str = "2026-01-01",
) -> Json:
    """One published matter (version 1) in the exchange format.

    ``seq`` is the matter's number within its department (1-99) and makes the 5-digit main item
    of the basic code together with the department's place in the hall; ``sample`` holds the
    filled-in values of the sample application (rendered as PDF by the builder).
    """
    if mode not in HANDLING_MODES:
        raise ValueError(f"handling mode {mode}")
    dept_no = list(DEPARTMENTS).index(dept) + 1
    basic = f"{TYPE_DIGITS[kind]}{dept_no:03d}{seq:02d}{sub:03d}00"
    out: Json = {
        "code": f"{body_uscc(body)}{basic}{item:02d}",
        "name": name,
        "type": kind,
        "department": dept,
        "implementing_body": T(BODIES[body][0], BODIES[body][1]),
        "legal_basis": legal_basis(*law),
        "category": category,
        "aliases": aliases,
        "conditions": conditions,
        "materials": materials,
        "procedure": procedure,
        "handling_mode": mode,
        "joint_departments": list(joint),
        "outside_step": outside,
        "statutory_limit_days": statutory,
        "promised_limit_days": promised,
        "fees": fees if fees is not None else free(),
        "place": place(dept),
        "hours": hours(saturday),
        "route": route(),
        "faq": faq,
        "phones": {"enquiry": DEPARTMENTS[dept][6], "complaint": COMPLAINT_PHONE},
        "visits": visits,
        "online": online,
        "form": form,
        "version": 1,
        "effective_date": effective,
        "status": "published",
    }
    if sample is not None:
        out["_sample"] = sample
    return out
