"""Atomic persistence of a card's state: one JSON document per card
(:func:`config.files.atomic_write`: temp file, fsync, rename, fsync of the directory).

The document is compact JSON (no indentation); any JSON document loads, including the indented
files of earlier versions.

A reader of the state file sees either the old document or the new one, never a mix, even when
the process dies mid-write (the rename is atomic on POSIX; the directory is fsynced after it).
The file is created with mode 0600 (it holds the card's diversified keys).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from config.files import atomic_write


class StateError(Exception):
    """The state file exists but cannot be read as a card state."""


class StateStore:
    """Reads and atomically replaces one JSON state file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> dict[str, Any] | None:
        """The stored document, or None when there is none yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StateError(f"{self.path}: not a JSON card state ({exc.msg})") from exc
        if not isinstance(doc, dict):
            raise StateError(f"{self.path}: not a JSON card state")
        return doc

    def save(self, doc: dict[str, Any]) -> None:
        """Replace the state atomically: write a temp file, fsync it, rename, fsync the dir.

        The document is written as compact JSON (the C encoder: no indentation, keys in the
        document's own order); :meth:`load` reads any JSON, so older indented files still load.
        """
        self.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def write(self, payload: bytes) -> None:
        """Atomically replace the file with ``payload`` (mode 0600: it holds card keys)."""
        atomic_write(self.path, payload, mode=0o600)
