"""Large text for a terminal screen (the validator's and the cashier's): amounts in block digits
that read from a step away, a result line in colour, Chinese first then English.

    print(render(Screen("ok", "扣款成功", "Paid", big=format_fen(100),
                        lines=["余额 Balance 98.00 元"])))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = ["Screen", "big", "render"]

Tone = Literal["ok", "refused", "error", "info"]

_FONT: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "0": ("███", "█ █", "█ █", "█ █", "███"),
    "1": (" █ ", "██ ", " █ ", " █ ", "███"),
    "2": ("███", "  █", "███", "█  ", "███"),
    "3": ("███", "  █", "███", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"),
    "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"),
    "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"),
    "9": ("███", "█ █", "███", "  █", "███"),
    ".": ("   ", "   ", "   ", "   ", " █ "),
    "-": ("   ", "   ", "███", "   ", "   "),
    " ": ("   ", "   ", "   ", "   ", "   "),
})
_COLOURS: Mapping[Tone, str] = MappingProxyType(
    {"ok": "\033[1;32m", "refused": "\033[1;31m", "error": "\033[1;33m", "info": "\033[1;36m"})
_RESET = "\033[0m"


def big(text: str) -> list[str]:
    """``text`` (digits, ``.``, ``-``, spaces) as five rows of block characters."""
    glyphs = [_FONT.get(ch, _FONT[" "]) for ch in text]
    return [" ".join(g[row] for g in glyphs) for row in range(5)]


@dataclass(frozen=True)
class Screen:
    tone: Tone
    zh: str
    en: str
    big: str = ""
    """Shown in block digits (an amount)."""
    lines: Sequence[str] = field(default_factory=tuple)


def render(screen: Screen, *, colour: bool = True) -> str:
    on, off = (_COLOURS[screen.tone], _RESET) if colour else ("", "")
    rule = "=" * 48
    out = [rule, f"{on}  {screen.zh}   {screen.en}{off}"]
    if screen.big:
        out += [""] + [f"{on}   {row}{off}" for row in big(screen.big)] + [""]
    out += [f"  {line}" for line in screen.lines]
    out.append(rule)
    return "\n".join(out)
