"""Text to search tokens: each Chinese character with its pinyin, other words lower-cased.

``tokens("营业执照A证")`` -> ``[("ying", "营"), ("ye", "业"), ("zhi", "执"), ("zhao", "照"),
("a", ""), ("zheng", "证")]``. Pinyin is toneless, ``ü`` typed as ``v`` (as on every pinyin
keyboard), chosen by pypinyin with its phrase dictionary (银行 -> yin hang); the catalogue's
aliases fix what it gets wrong (还款 -> ``huan kuan``). An alias written in pinyin with spaces
(``huan kuan``) gives one token per syllable.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["Token", "normalise", "tokens"]

Token = tuple[str, str]
"""(pinyin or lower-case word, the Chinese character or "")."""

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, ü as v (what a kiosk keyboard may send)."""
    return unicodedata.normalize("NFKC", text).lower().replace("ü", "v")


def _han_tokens(run: str) -> list[Token]:
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415 - loaded on first use (large)

    syllables: list[str] = lazy_pinyin(run, style=Style.NORMAL, v_to_u=False)
    if len(syllables) != len(run):  # a character without pinyin came back as it was
        syllables = [lazy_pinyin(ch, style=Style.NORMAL, v_to_u=False)[0] for ch in run]
    out: list[Token] = []
    for char, syllable in zip(run, syllables, strict=False):
        clean = "".join(ch for ch in syllable if "a" <= ch <= "z")
        out.append((clean, char))
    return out


def tokens(text: str) -> list[Token]:
    """The search tokens of ``text`` in order (punctuation dropped)."""
    out: list[Token] = []
    pos = 0
    norm = normalise(text)
    for han in _HAN.finditer(norm):
        out.extend((w, "") for w in _WORD.findall(norm, pos, han.start()))
        out.extend(_han_tokens(han.group()))
        pos = han.end()
    out.extend((w, "") for w in _WORD.findall(norm, pos))
    return out
