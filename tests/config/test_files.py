"""config.files: the one atomic file write, and token files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.files import TokenFileError, atomic_path, atomic_write, read_token_file


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        seen.append("fsync")
        real_fsync(fd)

    def replace(a: str, b: str) -> None:
        seen.append("replace")
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def test_the_file_then_the_rename_then_the_directory(tmp_path: Path, events: list[str]) -> None:
    path = atomic_write(tmp_path / "new" / "x.txt", "张三\n", mode=0o600)
    assert events == ["fsync", "replace", "fsync"]
    assert path.read_text(encoding="utf-8") == "张三\n"
    assert path.stat().st_mode & 0o777 == 0o600
    atomic_write(path, b"second")
    assert path.read_bytes() == b"second" and sorted(p.name for p in path.parent.iterdir()) == [
        "x.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = atomic_write(tmp_path / "x.bin", b"old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("power cut")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]
    with atomic_path(path) as tmp:  # a writer that wants a name (PIL, OpenCV)
        tmp.write_bytes(b"new")
    assert path.read_bytes() == b"new"


def test_token_files_are_private_and_hold_one_token(tmp_path: Path) -> None:
    path = tmp_path / "t.token"
    with pytest.raises(TokenFileError) as missing:
        read_token_file(path)
    assert missing.value.reason == "missing"
    atomic_write(path, "s3cret-token-0123456789\n", mode=0o644)
    with pytest.raises(TokenFileError, match="chmod 600") as open_:
        read_token_file(path)
    assert open_.value.reason == "open" and "s3cret" not in str(open_.value)
    atomic_write(path, "two tokens-0123456789\n", mode=0o600)
    with pytest.raises(TokenFileError, match="no usable token"):
        read_token_file(path)
    atomic_write(path, "s3cret-token-0123456789\n", mode=0o600)
    assert read_token_file(path) == "s3cret-token-0123456789"
