"""The ISO 7816-4 file tree of a virtual card: MF/DF, transparent EFs, cyclic record EFs.

Pure data with (de)serialisation to JSON-able dicts; the command logic lives in
:mod:`simulators.card.card`. Cyclic files keep record 1 (the newest) first.

``to_json()`` is the compact JSON text of ``as_dict()``, kept per node and rebuilt only when
the node's content changed (the state is written after every transaction, and most of the tree
never changes), so a state write does not re-encode the whole tree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.card.apdu import SW_BAD_DATA, SW_WRONG_LENGTH, SwError

MF_FID = 0x3F00

Cache = tuple[object, str]
"""A cached JSON text and the content (key) it was made from."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON (the state file's encoding)."""
    return _ENCODER.encode(value)


def cached(cache: Cache | None, key: object, make: Callable[[], str]) -> Cache:
    """``cache`` while its key is ``key``, else ``(key, make())``."""
    if cache is not None and cache[0] == key:
        return cache
    return (key, make())


@dataclass
class TransparentEF:
    """A binary file."""

    fid: int
    sfi: int | None
    data: bytearray
    _json: Cache | None = field(default=None, init=False, repr=False, compare=False)

    def to_json(self) -> str:
        """``as_dict()`` as compact JSON (re-encoded only when the file changed)."""
        key = (self.fid, self.sfi, bytes(self.data))
        self._json = cached(self._json, key, lambda: dumps(self.as_dict()))
        return self._json[1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "binary",
            "fid": f"{self.fid:04X}",
            "sfi": self.sfi,
            "data": self.data.hex().upper(),
        }


@dataclass
class CyclicEF:
    """A cyclic file of fixed-length records; ``records[0]`` is record 1, the newest."""

    fid: int
    sfi: int | None
    record_len: int
    capacity: int
    records: list[bytes] = field(default_factory=list)
    _json: Cache | None = field(default=None, init=False, repr=False, compare=False)

    def append(self, record: bytes) -> None:
        """Write a new record 1; the oldest falls off when the file is full."""
        if len(record) != self.record_len:
            raise SwError(SW_WRONG_LENGTH, f"record must be {self.record_len} bytes")
        self.records.insert(0, bytes(record))
        del self.records[self.capacity :]

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "cyclic",
            "fid": f"{self.fid:04X}",
            "sfi": self.sfi,
            "record_len": self.record_len,
            "capacity": self.capacity,
            "records": [r.hex().upper() for r in self.records],
        }

    def to_json(self) -> str:
        """``as_dict()`` as compact JSON (re-encoded only when a record changed)."""
        key = (self.fid, self.sfi, self.record_len, self.capacity, tuple(self.records))
        self._json = cached(self._json, key, lambda: dumps(self.as_dict()))
        return self._json[1]


EF = TransparentEF | CyclicEF


@dataclass
class DF:
    """A dedicated file (the MF is the DF with FID 3F00).

    ``name`` is the DF name (AID) for SELECT by name; ``app`` names the application that handles
    the commands while this DF is current; ``fci_sfi`` is the EF whose content the FCI carries
    in ``9F0C`` (card-spec 1: EF15 in the ADF's FCI).
    """

    fid: int
    name: bytes | None = None
    app: str | None = None
    fci_sfi: int | None = None
    children: list[Node] = field(default_factory=list)
    parent: DF | None = field(default=None, repr=False, compare=False)
    _json_head: Cache | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, node: Node) -> Node:
        if isinstance(node, DF):
            node.parent = self
        self.children.append(node)
        return node

    def child_by_fid(self, fid: int) -> Node | None:
        return next((c for c in self.children if c.fid == fid), None)

    def ef_by_sfi(self, sfi: int) -> EF | None:
        for c in self.children:
            if not isinstance(c, DF) and c.sfi == sfi:
                return c
        return None

    def walk(self) -> list[DF]:
        """This DF and every DF below it, depth first."""
        found = [self]
        for c in self.children:
            if isinstance(c, DF):
                found.extend(c.walk())
        return found

    def as_dict(self) -> dict[str, Any]:
        return {**self.as_dict_head(), "children": [c.as_dict() for c in self.children]}

    def to_json(self) -> str:
        """``as_dict()`` as compact JSON, from the children's own (cached) JSON texts."""
        key = (self.fid, self.name, self.app, self.fci_sfi)
        self._json_head = cached(self._json_head, key, self._json_head_text)
        children = ",".join(c.to_json() for c in self.children)
        return f"{self._json_head[1]}{children}]}}"

    def _json_head_text(self) -> str:
        """The JSON text up to the opening bracket of ``children``."""
        text = dumps({**self.as_dict_head(), "children": []})
        return text[: -len("]}")]

    def as_dict_head(self) -> dict[str, Any]:
        """:meth:`as_dict` without ``children``."""
        return {
            "type": "df",
            "fid": f"{self.fid:04X}",
            "name": self.name.hex().upper() if self.name is not None else None,
            "app": self.app,
            "fci_sfi": self.fci_sfi,
        }


Node = DF | TransparentEF | CyclicEF


def _sfi(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or not 1 <= value <= 30:
        raise SwError(SW_BAD_DATA, "SFI must be 1..30")
    return value


def node_from_dict(doc: dict[str, Any]) -> Node:
    """Rebuild a node (and its subtree) from :meth:`as_dict` output."""
    kind = doc["type"]
    fid = int(doc["fid"], 16)
    if kind == "binary":
        return TransparentEF(fid, _sfi(doc.get("sfi")), bytearray.fromhex(doc["data"]))
    if kind == "cyclic":
        return CyclicEF(
            fid,
            _sfi(doc.get("sfi")),
            int(doc["record_len"]),
            int(doc["capacity"]),
            [bytes.fromhex(r) for r in doc["records"]],
        )
    if kind == "df":
        name = doc.get("name")
        df = DF(fid, bytes.fromhex(name) if name else None, doc.get("app"), doc.get("fci_sfi"))
        for child in doc["children"]:
            df.add(node_from_dict(child))
        return df
    raise ValueError(f"unknown node type {kind!r}")


def tlv(tag: int, value: bytes) -> bytes:
    """BER-TLV with a 1- or 2-byte tag and a short or ``81`` length."""
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes((n,))
    elif n <= 0xFF:
        length = bytes((0x81, n))
    else:
        raise ValueError("TLV value too long")
    return tag_bytes + length + value


def fci(df: DF) -> bytes:
    """``6F`` { ``84`` DF name (or FID), ``A5`` { ``9F0C`` content of the FCI EF } }."""
    name = df.name if df.name is not None else df.fid.to_bytes(2, "big")
    proprietary = b""
    if df.fci_sfi is not None:
        ef = df.ef_by_sfi(df.fci_sfi)
        if isinstance(ef, TransparentEF):
            proprietary += tlv(0x9F0C, bytes(ef.data))
    return tlv(0x6F, tlv(0x84, name) + tlv(0xA5, proprietary))
