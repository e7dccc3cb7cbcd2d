"""Atomic persistence of a card's state: one JSON document per card, temp file + fsync + rename.

A reader of the state file sees either the old document or the new one, never a mix, even when
the process dies mid-write (the rename is atomic on POSIX; the directory is fsynced after it).
The file is created with mode 0600 (it holds the card's diversified keys).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


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
        """Replace the state atomically: write a temp file, fsync it, rename, fsync the dir."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        payload = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
