"""Matter search for the kiosk's offline catalogue, the way people type on a kiosk.

Characters (营业执照), full pinyin (yingyezhizhao), pinyin initials (yyzz), English words and
the catalogue's aliases, best first: a match at the start of the name beats one inside it,
names beat aliases. Indexes are built once per catalogue (about 0.2 ms per matter).

Provisional: the hall back office's search engine (issue 11, a pure-Python module) replaces
this class when it lands on main; :class:`MatterIndex` keeps its call shape small so that the
switch is one import in ``kiosk/adapters/hall_offline.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from kiosk.catalogue import Catalogue, Matter

_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def _fold(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


@dataclass(frozen=True)
class _Entry:
    matter: Matter
    keys: tuple[tuple[str, int], ...]
    """(folded text, weight): lower weight ranks first."""


def _keys(m: Matter) -> tuple[tuple[str, int], ...]:
    zh = m.name.get("zh", "")
    syllables = lazy_pinyin(zh, errors="ignore")
    initials = lazy_pinyin(zh, style=Style.FIRST_LETTER, errors="ignore")
    keys = [(_fold(zh), 0), ("".join(syllables), 0), ("".join(initials), 0),
            (_fold(m.name.get("en", "")), 1)]
    keys += [(_fold(a), 2) for a in m.aliases]
    return tuple((k, w) for k, w in keys if k)


class MatterIndex:
    def __init__(self, catalogue: Catalogue) -> None:
        self._entries = [_Entry(m, _keys(m)) for m in catalogue.matters]

    def search(self, query: str, *, department: str = "", category: str = "",
               limit: int = 200) -> Sequence[Matter]:
        q = _fold(query)
        scored: list[tuple[int, int, Matter]] = []
        for order, e in enumerate(self._entries):
            m = e.matter
            if (department and m.department != department) or \
                    (category and category not in m.category):
                continue
            if not q:
                scored.append((0, order, m))
                continue
            best = min((w * 10 + (0 if k.startswith(q) else 5)
                        for k, w in e.keys if q in k), default=None)
            if best is not None:
                scored.append((best, order, m))
        scored.sort(key=lambda x: (x[0], x[1]))
        return [m for _, _, m in scored[:limit]]
