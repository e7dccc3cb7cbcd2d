"""The matter search engine: the way people type on a kiosk (pure Python, no I/O).

The kiosk reuses this module for its offline catalogue, so it imports nothing but the standard
library (pinyin comes in as tokens, see :mod:`backoffice.hallcat.pinyin`).

**Index.** Every searchable text of a matter (its Chinese name, each alias, the English name)
becomes one line of a single corpus string, each token written as a space, its pinyin and
its character: 营业执照 -> ``" ying营 ye业 zhi执 zhao照"``. Departments and categories are small
corpora of their own that point at their matters.

**Query.** Normalised (full-width to half-width, lower case, ü as v) and cut into units: each
Chinese character is a unit that matches exactly that character; each run of letters/digits is
a unit that matches one or more consecutive tokens, each by a prefix of its pinyin (``yyzz``,
``yingyzz``, ``zhizhao`` and ``yingye`` all match 营业执照); a space starts a new unit. Units
match consecutive tokens, starting at a token. It is compiled into one regular expression run
over the corpus (C speed); matches are mapped back to lines by bisection.

**Ranking** (a matter takes its best line; higher first):

============================  ======
where the query matched        score
============================  ======
whole name, exactly             100
name, from its first token       80 + 10 x share of the name's tokens covered
alias, exactly                   75
alias, from its first token      70 + 10 x share
name, inside                     50 + 10 x share
alias, inside                    40 + 10 x share
English name (from a word)       35 / 30
code (a prefix of 4+ characters)  30
department or category name      15
============================  ======

A matched Chinese character counts 1 more point each (the person typed the exact character).
A name's parenthesised qualifier (营业执照登记**（个体工商户）**) names a variant: the share and
"exactly" are counted on the name without it. Ties: shorter name (without qualifier) first, then
the code (the catalogue's order: main items before later ones). A department or category filter
keeps only its matters; an empty query with a filter lists them all by name. Answers to queries
of one or two characters (the first keystrokes, which match most of the catalogue) are kept by
the index once computed: the index is immutable, so they never go stale.
"""

from __future__ import annotations

import heapq
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Hit", "SearchEntry", "SearchIndex", "compile_query", "entry_keys", "line_of"]

Token = tuple[str, str]
Romaniser = Callable[[str], list[Token]]
MAX_QUERY = 40
SHORT = 2
"""Queries of at most this many characters are kept (per index) once answered: they are the
first keystrokes of every search on a kiosk and match most of the catalogue."""
MAX_CACHED = 4096
CODE_PREFIX = 4
"""A query of at least this many characters with a digit is also looked up as a code prefix."""

_W_NAME, _W_ALIAS, _W_EN, _W_CODE = "name", "alias", "en", "code"
_REST = r"[a-z0-9]*[^\sa-z0-9]?"
_UNITS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+")


@dataclass(frozen=True)
class SearchEntry:
    """One published matter as the engine sees it. ``keys`` come from :func:`entry_keys`."""

    code: str
    name_zh: str
    department: str
    categories: tuple[str, ...]
    keys: Mapping[str, Sequence[Sequence[Token]]]
    """``{"name": [tokens], "alias": [tokens, ...], "en": [tokens]}``."""


@dataclass(frozen=True)
class Hit:
    code: str
    score: float
    matched: str
    """Which text matched: name, alias, en, code, department or category."""


def entry_keys(name_zh: str, name_en: str, aliases: Iterable[str],
               romanise: Romaniser) -> dict[str, list[list[Token]]]:
    """The tokens a matter is indexed by (stored when it is published)."""
    return {
        _W_NAME: [romanise(name_zh)],
        _W_ALIAS: [romanise(a) for a in aliases],
        _W_EN: [romanise(name_en)] if name_en else [],
    }


def line_of(tokens: Sequence[Token]) -> str:
    return "".join(f" {py}{hz}" for py, hz in tokens)


def compile_query(query: str, normalise: Callable[[str], str]) -> tuple[re.Pattern[str] | None,
                                                                        int]:
    """The query's pattern and its number of Chinese characters; ``None`` for an empty query."""
    units = _UNITS.findall(normalise(query)[:MAX_QUERY])
    if not units:
        return None, 0
    parts: list[str] = []
    han = 0
    for i, unit in enumerate(units):
        last = i == len(units) - 1
        if unit.isascii():
            body = unit[0] + "".join(f"(?:{_REST} )?{ch}" for ch in unit[1:])
            parts.append(body if last else body + _REST)
        else:
            han += 1
            parts.append(f"[a-z0-9]*{re.escape(unit)}")
    return re.compile(" " + " ".join(parts)), han


@dataclass
class _Corpus:
    text: str = ""
    starts: list[int] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    han: str = ""
    """The same lines, one character per token (the Chinese character, or \x01 for a word):
    a query of Chinese characters only is a plain substring search here."""
    han_starts: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, lines: Iterable[tuple[int, str, Sequence[Token]]]) -> _Corpus:
        parts: list[str] = []
        han: list[str] = []
        out = cls()
        pos = han_pos = 0
        for owner, kind, toks in lines:
            text = line_of(toks) + "\n"
            chars = "".join(hz or "\x01" for _, hz in toks) + "\n"
            out.starts.append(pos)
            out.han_starts.append(han_pos)
            out.owners.append(owner)
            out.kinds.append(kind)
            out.sizes.append(max(1, len(toks)))
            parts.append(text)
            han.append(chars)
            pos += len(text)
            han_pos += len(chars)
        out.text = "".join(parts)
        out.han = "".join(han)
        return out

    def han_matches(self, query: str) -> Iterable[tuple[int, bool, int]]:
        """As :meth:`matches`, for a query of Chinese characters only (str.find)."""
        text, starts, find, end = self.han, self.han_starts, self.han.find, len(self.han_starts)
        pos = 0
        while True:
            at = find(query, pos)
            if at < 0:
                return
            line = bisect_right(starts, at) - 1
            yield line, at == starts[line], len(query)
            pos = starts[line + 1] if line + 1 < end else len(text)

    def matches(self, pattern: re.Pattern[str]) -> Iterable[tuple[int, bool, int]]:
        """(line, matched from its first token, tokens covered): the first match of each line."""
        text, starts = self.text, self.starts
        search, count, end = pattern.search, text.count, len(starts)
        pos = 0
        while True:
            m = search(text, pos)
            if m is None:
                return
            at = m.start()
            line = bisect_right(starts, at) - 1
            yield line, at == starts[line], count(" ", at, m.end())
            pos = starts[line + 1] if line + 1 < end else len(text)


_QUALIFIER = re.compile(r"[（(][^）)]*[）)]")


def _core_size(name: str, normalise: Callable[[str], str]) -> int:
    """Tokens of a name without its parenthesised qualifier: 营业执照登记（个体工商户） is the
    matter 营业执照登记 for one kind of applicant."""
    return max(1, len(_UNITS.findall(normalise(_QUALIFIER.sub("", name)))))


def _score(kind: str, first: bool, covered: int, size: int) -> float:
    share = min(1.0, covered / size)
    if kind == _W_NAME:
        if first and covered >= size:
            return 100.0
        return (80.0 if first else 50.0) + 10 * share
    if kind == _W_ALIAS:
        if first and covered >= size:
            return 75.0
        return (70.0 if first else 40.0) + 10 * share
    return 35.0 if first else 30.0


class SearchIndex:
    """An immutable index over published matters; build a new one when the catalogue changes."""

    def __init__(self, entries: Sequence[SearchEntry], *, normalise: Callable[[str], str],
                 groups: Mapping[str, Sequence[Token]] | None = None,
                 keep_short: bool = True) -> None:
        """``groups``: department and category codes -> the tokens of their names.
        ``keep_short``: keep the answers to one- and two-character queries."""
        self.entries = tuple(entries)
        self._normalise = normalise
        cores = [_core_size(e.name_zh, normalise) for e in self.entries]
        self._lengths = cores
        lines: list[tuple[int, str, Sequence[Token]]] = []
        for i, e in enumerate(self.entries):
            for kind in (_W_NAME, _W_ALIAS, _W_EN):
                lines.extend((i, kind, toks) for toks in e.keys.get(kind, ()))
        self._corpus = _Corpus.build(lines)
        for line, (owner, kind) in enumerate(zip(self._corpus.owners, self._corpus.kinds,
                                                 strict=True)):
            if kind == _W_NAME:
                self._corpus.sizes[line] = min(self._corpus.sizes[line], cores[owner])
        self._codes = sorted((e.code.lower(), i) for i, e in enumerate(self.entries))
        self._short: dict[tuple[str, str | None, str | None, int], list[Hit]] = {}
        self._short_lock = threading.Lock()
        self._keep_short = keep_short
        members: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            members.setdefault(e.department, []).append(i)
            for c in e.categories:
                members.setdefault(c, []).append(i)
        self._members = {k: tuple(v) for k, v in members.items()}
        names = sorted((groups or {}).items())
        self._group_codes = [code for code, _ in names]
        self._groups = _Corpus.build((i, "group", toks) for i, (_, toks) in enumerate(names))

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, *, department: str | None = None,
               category: str | None = None, limit: int = 20) -> list[Hit]:
        """Matters best first (see the module's ranking table)."""
        allowed: set[int] | None = None
        for group in (department, category):
            if group is not None:
                inside = set(self._members.get(group, ()))
                allowed = inside if allowed is None else allowed & inside
        key: tuple[str, str | None, str | None, int] = (
            self._normalise(query).strip(), department, category, limit)
        keep = self._keep_short and len(key[0]) <= SHORT
        if keep:
            cached = self._short.get(key)
            if cached is not None:
                return list(cached)
        hits = self._search(query, allowed, limit)
        if keep:
            with self._short_lock:
                if len(self._short) >= MAX_CACHED:
                    self._short.clear()
                self._short[key] = hits
        return list(hits)

    def _search(self, query: str, allowed: set[int] | None, limit: int) -> list[Hit]:
        pattern, han = compile_query(query, self._normalise)
        if pattern is None:
            pool = sorted(allowed or (), key=lambda i: (self._lengths[i],
                                                        self.entries[i].code))
            return [Hit(self.entries[i].code, 0.0, "browse") for i in pool[:limit]]
        best: dict[int, tuple[float, str]] = {}
        c = self._corpus
        owners, kinds, sizes = c.owners, c.kinds, c.sizes
        units = _UNITS.findall(self._normalise(query)[:MAX_QUERY])
        found = c.han_matches("".join(units)) if all(not u.isascii() for u in units) \
            else c.matches(pattern)
        for line, first, covered in found:
            owner = owners[line]
            if allowed is not None and owner not in allowed:
                continue
            score = _score(kinds[line], first, covered, sizes[line]) + han
            if score > best.get(owner, (-1.0, ""))[0]:
                best[owner] = (score, kinds[line])
        code = self._normalise(query).strip()
        if len(code) >= CODE_PREFIX and any(ch.isdigit() for ch in code):
            at = bisect_right(self._codes, (code, -1))
            while at < len(self._codes) and self._codes[at][0].startswith(code):
                owner = self._codes[at][1]
                if (allowed is None or owner in allowed) and owner not in best:
                    best[owner] = (30.0, _W_CODE)
                at += 1
        for line, _, _ in self._groups.matches(pattern):
            code = self._group_codes[self._groups.owners[line]]
            for owner in self._members.get(code, ()):
                if (allowed is None or owner in allowed) and owner not in best:
                    best[owner] = (15.0, "group")
        top = heapq.nsmallest(limit, best.items(), key=lambda kv: (
            -kv[1][0], self._lengths[kv[0]], self.entries[kv[0]].code))
        return [Hit(self.entries[i].code, score, kind) for i, (score, kind) in top]
