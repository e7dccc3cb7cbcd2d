"""Code tables of the ID card's text block and the GB 11643 check digit.

* Sex: GB/T 2261.1-2003 (0 unknown, 1 male, 2 female, 9 not stated).
* Nation: GB 3304-1991, the 56 nations by their two-digit code, plus 97 and 98. The names are
  the short forms printed on the card (汉, 蒙古, ...); :func:`nation_name` can add 族.
* ID number: GB 11643-1999, 17 digits and a check character (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

from types import MappingProxyType

SEXES = MappingProxyType(
    {
        "0": "未知",
        "1": "男",
        "2": "女",
        "9": "未说明",
    }
)

NATIONS = MappingProxyType(
    {
        "01": "汉",
        "02": "蒙古",
        "03": "回",
        "04": "藏",
        "05": "维吾尔",
        "06": "苗",
        "07": "彝",
        "08": "壮",
        "09": "布依",
        "10": "朝鲜",
        "11": "满",
        "12": "侗",
        "13": "瑶",
        "14": "白",
        "15": "土家",
        "16": "哈尼",
        "17": "哈萨克",
        "18": "傣",
        "19": "黎",
        "20": "傈僳",
        "21": "佤",
        "22": "畲",
        "23": "高山",
        "24": "拉祜",
        "25": "水",
        "26": "东乡",
        "27": "纳西",
        "28": "景颇",
        "29": "柯尔克孜",
        "30": "土",
        "31": "达斡尔",
        "32": "仫佬",
        "33": "羌",
        "34": "布朗",
        "35": "撒拉",
        "36": "毛南",
        "37": "仡佬",
        "38": "锡伯",
        "39": "阿昌",
        "40": "普米",
        "41": "塔吉克",
        "42": "怒",
        "43": "乌孜别克",
        "44": "俄罗斯",
        "45": "鄂温克",
        "46": "德昂",
        "47": "保安",
        "48": "裕固",
        "49": "京",
        "50": "塔塔尔",
        "51": "独龙",
        "52": "鄂伦春",
        "53": "赫哲",
        "54": "门巴",
        "55": "珞巴",
        "56": "基诺",
        "97": "其他",
        "98": "外国血统中国籍人士",
    }
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def sex_name(code: str) -> str:
    """The name of a GB/T 2261.1 sex code; ValueError for an unknown code."""
    try:
        return SEXES[code]
    except KeyError:
        raise ValueError(f"unknown sex code {code!r} (GB/T 2261.1 has 0, 1, 2, 9)") from None


def nation_name(code: str, *, full: bool = False) -> str:
    """The name of a GB 3304 nation code (``full`` adds 族: 汉 -> 汉族)."""
    try:
        name = NATIONS[code]
    except KeyError:
        raise ValueError(f"unknown nation code {code!r} (GB 3304 has 01..56, 97, 98)") from None
    return f"{name}族" if full and code.isdigit() and int(code) <= 56 else name


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("an ID number starts with 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_valid(number: str) -> bool:
    """Whether ``number`` is 17 digits and the right check character (X upper case)."""
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        return False
    return check_character(number[:17]) == number[17]


def mask_id_number(number: str) -> str:
    """The ID number as it may be shown or logged: first 4 and last 4 kept, the rest ``*``."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
