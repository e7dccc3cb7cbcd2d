"""Replacing a file atomically: a reader sees the old content or the new, never a mix.

The one way every part of the stack writes a state or output file (card state, key file, SAM
counter, calibration, scans, simulator manifests): write a temporary file in the same directory,
``fsync`` it, rename it over the target, ``fsync`` the directory (so the rename itself survives a
power cut). On any failure the temporary file is removed and the target is left as it was.

    atomic_write(path, b"...", mode=0o600)       # bytes or text; creates missing directories
    with atomic_path(path) as tmp:                # for writers that want a file name (PIL)
        image.save(tmp, "JPEG")

``mode`` sets the new file's permission bits exactly (``0o600`` for anything secret); without it
the file gets what a new file gets (0666 less the umask). Plumbing: imports nothing of ours.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write", "fsync_directory"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _temp_name(path: Path) -> Path:
    """Beside ``path``, private to this process and thread (a crash's leftover is reused)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """Make a rename (or a new file) in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_temp(tmp: Path, mode: int | None, dir_mode: int) -> int:
    try:
        fd = os.open(tmp, _FLAGS, 0o666 if mode is None else mode)
    except FileNotFoundError:  # the first file in a directory that does not exist yet
        tmp.parent.mkdir(parents=True, exist_ok=True, mode=dir_mode)
        fd = os.open(tmp, _FLAGS, 0o666 if mode is None else mode)
    if mode is not None:
        os.fchmod(fd, mode)  # exactly, whatever the umask or a leftover temp file had
    return fd


def _publish(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    fsync_directory(path.parent)


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, mode: int | None = None,
                 dir_mode: int = 0o777) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically and durably.

    Missing parent directories are created (``dir_mode``, less the umask). Returns the path.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _temp_name(target)
    fd = _open_temp(tmp, mode, dir_mode)
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None,
                dir_mode: int = 0o777) -> Iterator[Path]:
    """A temporary file name beside ``path`` to write to; when the block ends without an error
    it is fsynced and renamed over ``path`` (and the directory fsynced), else removed."""
    target = Path(path)
    tmp = _temp_name(target)
    os.close(_open_temp(tmp, mode, dir_mode))
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
