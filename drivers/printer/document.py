"""The document model: what a receipt says, independent of the printer that prints it.

Templates build a :class:`Document` from blocks (text with a style, label/value rows, rules, QR
codes, feeds, cuts, a cash-drawer kick); :mod:`drivers.printer.render` lays it out for one
profile (columns, Chinese mode, QR native or image) and turns it into ESC/POS bytes. A document
is plain data and round-trips through JSON, so the print queue stores documents, not bytes: a
job waiting for paper is rendered for whatever printer is attached when it finally prints.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

from drivers.printer.errors import LayoutError

FORMAT_VERSION = 1


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    underline: bool = False
    width: int = 1
    """Character width multiplier (``GS !``); 2 halves the columns available."""
    height: int = 1
    align: Align = Align.LEFT
    invert: bool = False

    def __post_init__(self) -> None:
        if not (1 <= self.width <= 4 and 1 <= self.height <= 4):
            raise LayoutError(f"character size {self.width}x{self.height} is outside 1..4")


NORMAL = Style()
BOLD = Style(bold=True)
CENTER = Style(align=Align.CENTER)
TITLE = Style(bold=True, width=2, height=2, align=Align.CENTER)
SUBTITLE = Style(bold=True, align=Align.CENTER)


@dataclass(frozen=True)
class Text:
    text: str
    style: Style = NORMAL
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class Row:
    left: str
    right: str
    style: Style = NORMAL
    kind: Literal["row"] = "row"


@dataclass(frozen=True)
class Rule:
    char: str = "-"
    kind: Literal["rule"] = "rule"


@dataclass(frozen=True)
class Feed:
    lines: int = 1
    kind: Literal["feed"] = "feed"


@dataclass(frozen=True)
class Qr:
    data: str
    size: int = 6
    """Module size in dots (1..16); reduced if the symbol would not fit the paper."""
    ec: Literal["L", "M", "Q", "H"] = "M"
    align: Align = Align.CENTER
    kind: Literal["qr"] = "qr"


@dataclass(frozen=True)
class Cut:
    partial: bool = False
    kind: Literal["cut"] = "cut"


@dataclass(frozen=True)
class Drawer:
    pin: Literal[2, 5] = 2
    kind: Literal["drawer"] = "drawer"


Block = Text | Row | Rule | Feed | Qr | Cut | Drawer
_KINDS: dict[str, type[Block]] = {
    "text": Text, "row": Row, "rule": Rule, "feed": Feed, "qr": Qr, "cut": Cut, "drawer": Drawer,
}


@dataclass
class Document:
    """An ordered list of blocks, built with the chainable methods below."""

    title: str = ""
    """A short name for logs and the print queue (``card receipt TTSN 123``)."""
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Document:
        self.blocks.append(block)
        return self

    def text(self, text: str, style: Style = NORMAL) -> Document:
        return self.add(Text(text, style))

    def heading(self, text: str) -> Document:
        return self.add(Text(text, TITLE))

    def row(self, left: str, right: str, style: Style = NORMAL) -> Document:
        return self.add(Row(left, right, style))

    def rule(self, char: str = "-") -> Document:
        return self.add(Rule(char))

    def feed(self, lines: int = 1) -> Document:
        return self.add(Feed(lines))

    def qr(self, data: str, size: int = 6, ec: Literal["L", "M", "Q", "H"] = "M") -> Document:
        return self.add(Qr(data, size, ec))

    def cut(self, partial: bool = False) -> Document:
        return self.add(Cut(partial))

    def drawer(self, pin: Literal[2, 5] = 2) -> Document:
        return self.add(Drawer(pin))

    # -- serialisation ----------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "title": self.title,
                "blocks": [asdict(block) for block in self.blocks]}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        if data.get("version") != FORMAT_VERSION:
            raise LayoutError(f"unsupported document version {data.get('version')!r}")
        blocks: list[Block] = []
        for raw in data.get("blocks", []):
            kind = _KINDS.get(raw.get("kind", ""))
            if kind is None:
                raise LayoutError(f"unknown document block {raw.get('kind')!r}")
            values = dict(raw)
            if isinstance(values.get("style"), dict):
                style = dict(values["style"])
                style["align"] = Align(style.get("align", "left"))
                values["style"] = Style(**style)
            if "align" in values:
                values["align"] = Align(values["align"])
            try:
                blocks.append(kind(**values))
            except TypeError as exc:
                raise LayoutError(f"malformed {raw.get('kind')} block: {exc}") from None
        return cls(title=str(data.get("title", "")), blocks=blocks)

    @classmethod
    def from_json(cls, text: str) -> Document:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LayoutError(f"document is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise LayoutError("document JSON must be an object")
        return cls.from_dict(data)
