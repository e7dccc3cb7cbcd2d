"""A small pinyin input method for the kiosk's own keyboard: letters in, Chinese candidates out.

Enough for the search box and short Chinese fields (a trade name, an address line, a
complaint): whole phrases whose toneless pinyin is what was typed (from pypinyin's phrase
list: 开封 for ``kaifeng``), then single characters for the first syllable, the common ones
first (GB 2312 level 1, which holds the 3,755 most used characters). It learns nothing, so
there is nothing of a citizen's to wipe. Build it once, on a worker thread (about 1 s).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT


def _toneless(syllable: str) -> str:
    bare = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in bare if not unicodedata.combining(c)).replace("ü", "v")


def _common(ch: str) -> bool:
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


class PinyinIme:
    def __init__(self) -> None:
        uses: dict[str, int] = defaultdict(int)
        for phrase in PHRASES_DICT:
            for ch in phrase:
                uses[ch] += 1
        chars: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        for cp, readings in PINYIN_DICT.items():
            ch = chr(cp)
            if not ("\u4e00" <= ch <= "\u9fff"):
                continue
            common = 0 if _common(ch) else 1
            for i, reading in enumerate(readings.split(",")):
                chars[_toneless(reading)].append((common, min(i, 1), -uses[ch], ch))
        self._chars = {k: [c for *_, c in sorted(v)] for k, v in chars.items()}
        self._syllables = frozenset(self._chars)
        phrases: dict[str, list[str]] = defaultdict(list)
        for phrase, sounds in PHRASES_DICT.items():
            if 2 <= len(phrase) <= 4 and all(_common(c) for c in phrase):
                key = "".join(_toneless(r[0]) for r in sounds)
                phrases[key].append(phrase)
        self._phrases = dict(phrases)

    def syllables(self, letters: str) -> list[str]:
        """Greedy longest-first split (``kaifeng`` -> kai feng); a tail that is no syllable
        (the citizen is still typing) stays as it is."""
        out, i = [], 0
        while i < len(letters):
            for j in range(min(len(letters), i + 6), i, -1):
                if letters[i:j] in self._syllables:
                    out.append(letters[i:j])
                    i = j
                    break
            else:
                out.append(letters[i:])
                break
        return out

    def candidates(self, letters: str, limit: int = 12) -> Sequence[str]:
        letters = letters.lower()
        if not letters:
            return []
        found: list[str] = list(self._phrases.get(letters, ()))[:limit]
        first = self.syllables(letters)[0]
        pool = self._chars.get(first) or next(
            (v for k, v in sorted(self._chars.items()) if k.startswith(first)), [])
        found += [c for c in pool if c not in found]
        return found[:limit]

    def consumed(self, letters: str, candidate: str) -> str:
        """The letters left after choosing ``candidate`` (one syllable per character)."""
        parts = self.syllables(letters.lower())
        return "".join(parts[len(candidate):])
