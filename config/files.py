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
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TokenFileError", "atomic_path", "atomic_write", "fsync_directory",
           "read_token_file"]

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


@contextlib.contextmanager
def _temp_beside(path: str | os.PathLike[str], mode: int | None,
                 dir_mode: int) -> Iterator[tuple[Path, int]]:
    """A temporary file beside ``path``, open; written through the descriptor or the name,
    then fsynced, renamed over ``path`` and the directory fsynced; removed on any error."""
    target = Path(path)
    tmp = _temp_name(target)
    fd = _open_temp(tmp, mode, dir_mode)
    try:
        try:
            yield tmp, fd
            os.fsync(fd)  # the file's data, whichever descriptor wrote them
        finally:
            os.close(fd)
        os.replace(tmp, target)
        fsync_directory(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, mode: int | None = None,
                 dir_mode: int = 0o777) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically and durably.

    Missing parent directories are created (``dir_mode``, less the umask). Returns the path.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _temp_beside(path, mode, dir_mode) as (_tmp, fd):
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None,
                dir_mode: int = 0o777) -> Iterator[Path]:
    """A temporary file name beside ``path`` to write to; when the block ends without an error
    it is fsynced and renamed over ``path`` (and the directory fsynced), else removed."""
    with _temp_beside(path, mode, dir_mode) as (tmp, _fd):
        yield tmp


class TokenFileError(ValueError):
    """A token file is missing, open to others, or holds no usable token (the message says
    which, never the token; ``reason`` is ``missing``, ``open`` or ``invalid``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def read_token_file(path: str | os.PathLike[str], *, min_length: int = 16,
                    group_readable: bool = False) -> str:
    """The bearer token kept in ``path``: a regular file that only its owner may read (mode
    0600 or stricter; with ``group_readable`` also 0640, for a token shared with a group such as
    the kiosk's users), one token of at least ``min_length`` characters (surrounding white space
    is ignored). A token lives in such a file, never on a command line or in a settings file."""
    p = Path(path)
    try:
        st = p.stat()
        text = p.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise TokenFileError(f"token file {p} does not exist", "missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenFileError(f"token file {p} cannot be read: {exc}", "invalid") from None
    if not stat.S_ISREG(st.st_mode):
        raise TokenFileError(f"token file {p} is not a regular file", "invalid")
    if st.st_mode & (0o037 if group_readable else 0o077):
        raise TokenFileError(f"token file {p} is readable by others: chmod 600 {p}", "open")
    if len(text) < min_length or len(text.split()) != 1:
        raise TokenFileError(f"token file {p} holds no usable token ({min_length}+ characters)",
                             "invalid")
    return text
