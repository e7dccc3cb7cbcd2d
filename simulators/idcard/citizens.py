"""Made-up citizens for the virtual reader (names, addresses and numbers are invented).

The ID numbers use Kaifeng district codes and carry a correct GB 11643 check digit
(:func:`drivers.idcard.codes.check_character`, its one home; the tests check it independently).
The photo is opaque filler bytes of the real size (1024).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from drivers.idcard.codes import check_character

PHOTO_LENGTH = 1024


def gb11643(first17: str) -> str:
    """The full 18-character ID number: 17 digits plus the ISO 7064 MOD 11-2 check."""
    return first17 + check_character(first17)


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # GB/T 2261.1 code
    nation: str  # GB 3304 code
    birth: str  # YYYYMMDD
    address: str
    number: str  # 18 characters
    authority: str
    valid_from: str
    valid_to: str  # YYYYMMDD or 长期

    def photo(self) -> bytes:
        """1024 opaque bytes, stable per person (a real card holds a WLT image here)."""
        seed = hashlib.sha256(self.number.encode()).digest()
        out = bytearray(b"WLT\x00")
        while len(out) < PHOTO_LENGTH:
            seed = hashlib.sha256(seed).digest()
            out += seed
        return bytes(out[:PHOTO_LENGTH])


def demo_people() -> list[Person]:
    """A fresh list of the made-up citizens (a new list each call: no shared state)."""
    return [
        Person(
            "张伟",
            "1",
            "01",
            "19850312",
            "河南省开封市龙亭区中山路北段12号",
            gb11643("41020219850312003"),
            "开封市公安局龙亭分局",
            "20150601",
            "20350601",
        ),
        Person(
            "李秀英",
            "2",
            "03",
            "19620805",
            "河南省开封市顺河回族区东大街88号院3号楼2单元",
            gb11643("41020319620805004"),
            "开封市公安局顺河分局",
            "20120105",
            "长期",
        ),
        Person(
            "王芳",
            "2",
            "11",
            "20010923",
            "河南省开封市鼓楼区西司门街6号",
            gb11643("41020420010923002"),
            "开封市公安局鼓楼分局",
            "20190410",
            "20290410",
        ),
        Person(
            "阿依古丽·买买提",
            "2",
            "05",
            "19990214",
            "河南省开封市禹王台区繁塔路3号",
            gb11643("41020519990214008"),
            "开封市公安局禹王台分局",
            "20170820",
            "20270820",
        ),
        Person(
            "赵建国",
            "1",
            "01",
            "19700101",
            "河南省开封市祥符区城关镇建设路101号",
            gb11643("41021219700101001"),
            "开封市公安局祥符分局",
            "20000101",
            "20200101",
        ),
    ]
