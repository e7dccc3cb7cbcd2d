"""The search sanity list for the hall's kiosk search (``search_queries.json``).

Realistic queries as people type them on a kiosk (characters, full pinyin, initials, mixed,
typos), each with the matters a person would expect at the top, by name; the builder turns the
names into codes. Split into ``tuning`` and ``held_out`` halves, written before any ranking was
tuned (2026-11-30): tune only on ``tuning``, and report ``held_out`` separately (the project
rule: what is tuned on our own data is also scored on data held out from tuning). Do not move
queries between the halves or edit ``held_out`` to fit a ranking.
"""

from __future__ import annotations

from .model import Json

_GT = "营业执照登记（个体工商户设立）"
_LLC = "营业执照登记（有限责任公司设立）"
_HPF_BUY = "住房公积金提取（购买自住住房）"
_HPF_RENT = "住房公积金提取（租房）"
_HPF_REPAY = "住房公积金提取（偿还购房贷款本息）"
_HPF_LOAN = "住房公积金个人住房贷款"
_HPF_EARLY = "住房公积金贷款部分提前还款"
_PENSION_MOVE = "企业职工基本养老保险关系转移接续"
_MED_MOVE = "基本医疗保险关系转移接续"
_HUKOU = "户口迁入（投靠亲属、购房、人才落户）"
_ID_RENEW = "居民身份证换领"
_ID_LOST = "居民身份证补领（丢失）"
_ID_TEMP = "临时居民身份证申领"
_PASSPORT = "普通护照签发"
_PASSPORT_URGENT = "普通护照签发（急事急办）"
_RESALE = "二手房买卖转移登记（一窗办理）"
_UTIL_JOINT = "水电气联动过户（不动产登记后）"
_REGISTER_SEARCH = "不动产登记资料查询"
_REMOTE = "异地就医备案"
_RESIDENT_MED = "城乡居民基本医疗保险参保登记"
_RETIRE = "退休“一件事”（养老金申领、医保退休、公积金提取）"

# (query, kind, expected names best first)
_TUNING: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("营业执照", "characters", (_GT, _LLC)),
    ("yyzz", "initials", (_GT, _LLC)),
    ("营业zz", "mixed", (_GT, _LLC)),
    ("yingyezhizhao", "pinyin", (_GT, _LLC)),
    ("yinyezhizhao", "typo", (_GT, _LLC)),
    ("gjj", "initials", (_HPF_BUY, _HPF_LOAN, _HPF_RENT)),
    ("gongjijin tiqu", "pinyin", (_HPF_BUY, _HPF_RENT, _HPF_REPAY)),
    ("huankuan", "pinyin", (_HPF_EARLY, _HPF_REPAY)),
    ("sbzy", "initials", (_PENSION_MOVE,)),
    ("shebaoka", "pinyin", ("社会保障卡补换",)),
    ("户口迁入", "characters", (_HUKOU,)),
    ("户口签入", "typo", (_HUKOU,)),
    ("luohu", "pinyin", (_HUKOU,)),
    ("身份证", "characters", (_ID_RENEW, _ID_LOST, _ID_TEMP)),
    ("ydjy", "initials", (_REMOTE,)),
    ("二手房过户", "characters", (_RESALE, _UTIL_JOINT)),
    ("低保", "characters", ("最低生活保障申请",)),
    ("失业金", "characters", ("失业保险金申领",)),
    ("食品许可", "characters", ("食品经营许可证核发", "仅销售预包装食品备案")),
    ("护照", "characters", (_PASSPORT, _PASSPORT_URGENT)),
    ("个税退税", "characters", ("个人所得税综合所得年度汇算（辅导办理）",)),
    ("抵押登记", "characters", ("不动产抵押权首次登记", "抵押权注销登记")),
    ("jzz", "initials", ("居住证申领",)),
    ("残疾证", "characters", ("残疾人证核发（首次申领）", "残疾人证换领、补领和迁移")),
    ("网约车", "characters", ("网络预约出租汽车驾驶员证核发", "网络预约出租汽车运输证核发")),
    ("施工许可", "characters", ("建筑工程施工许可证核发", "重点项目建筑工程施工许可（绿色通道）")),
    ("医保报销", "characters", ("零星医疗费用报销（手工报销）",)),
    ("退休", "characters", (_RETIRE,)),
    ("发票", "characters", ("发票领用", "代开增值税普通发票（个人出租住房等）")),
    ("shuidianqi guohu", "pinyin", (_UTIL_JOINT, "居民用水过户", "居民用电过户")),
)

_HELD_OUT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("个体户", "characters", (_GT,)),
    ("gtgsh", "initials", (_GT, "个体工商户变更经营者登记")),
    ("gongsi zhuce", "pinyin", (_LLC, "企业开办“一件事”（设立登记、公章刻制、发票申领、社保和公积金登记）")),
    ("yingye zhizhao", "pinyin", (_GT, _LLC)),
    ("营业执找", "typo", (_GT, _LLC)),
    ("kaidian", "pinyin", (_GT, "食品经营许可证核发")),
    ("公积金贷款", "characters", (_HPF_LOAN,)),
    ("gjjdk", "initials", (_HPF_LOAN,)),
    ("公积全提取", "typo", (_HPF_BUY, _HPF_RENT, _HPF_REPAY)),
    ("gongjj", "mixed", (_HPF_BUY, _HPF_LOAN, _HPF_RENT)),
    ("租房提取", "characters", (_HPF_RENT,)),
    ("社保转移", "characters", (_PENSION_MOVE, _MED_MOVE)),
    ("医保转移", "characters", (_MED_MOVE,)),
    ("yibao", "pinyin", (_RESIDENT_MED, _REMOTE)),
    ("异地备案", "characters", (_REMOTE,)),
    ("慢性病", "characters", ("门诊慢特病待遇认定",)),
    ("mtb", "initials", ("门诊慢特病待遇认定",)),
    ("身份证丢了", "characters", (_ID_LOST, _ID_TEMP)),
    ("sfz", "initials", (_ID_RENEW, _ID_LOST, _ID_TEMP)),
    ("huzhao", "pinyin", (_PASSPORT, _PASSPORT_URGENT)),
    ("落户开封", "characters", (_HUKOU,)),
    ("xinshenger", "pinyin", ("新生儿出生登记（出生“一件事”）",)),
    ("无房证明", "characters", (_REGISTER_SEARCH,)),
    ("bdc查询", "mixed", (_REGISTER_SEARCH,)),
    ("房产证加名", "characters", ("夫妻间不动产加名、更名转移登记",)),
    ("养老金", "characters", (_RETIRE, _PENSION_MOVE)),
    ("公租房", "characters", ("公共租赁住房申请",)),
    ("wangqian", "pinyin", ("商品房买卖合同网签备案",)),
    ("卫生许可证", "characters", ("公共场所卫生许可",)),
    ("契税", "characters", ("契税申报",)),
    ("环评", "characters", ("建设项目环境影响报告表审批",)),
    ("教师资格zheng", "mixed", ("中小学教师资格认定", "教师资格证书补发、换发")),
)


def _entries(rows: tuple[tuple[str, str, tuple[str, ...]], ...], codes: dict[str, str]) -> list[Json]:
    out: list[Json] = []
    for query, kind, names in rows:
        missing = [n for n in names if n not in codes]
        if missing:
            raise ValueError(f"search query {query!r}: no matter named {missing}")
        out.append({"query": query, "kind": kind, "expect": [codes[n] for n in names],
                    "expect_names": list(names)})
    return out


def search_queries(matters: list[Json]) -> Json:
    """The sanity list with the expected matters' codes resolved from ``matters``."""
    codes = {m["name"]["zh"]: m["code"] for m in matters}
    return {
        "format": "citizen-hall-search-queries",
        "version": 1,
        "written": "2026-11-30",
        "rules": (
            "Written before any ranking was tuned. Tune only on `tuning`; score `held_out` "
            "separately and report both, never tune on `held_out` or move queries between the "
            "halves. `expect` lists the matter codes a person would expect at the top, best first: "
            "each should appear within the first max(3, len(expect)) results, the first one "
            "ideally first. `kind`: characters, pinyin (full), initials, mixed, typo."
        ),
        "tuning": _entries(_TUNING, codes),
        "held_out": _entries(_HELD_OUT, codes),
    }
