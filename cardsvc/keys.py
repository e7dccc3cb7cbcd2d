"""The issuer key file: its format and a loader that refuses unsafe files.

Format (TOML, UTF-8)::

    format = 1                      # optional; only 1 exists

    [issuer]
    key_version = 1                 # optional int 0..255 (default 1): keyVer of the cards
    mpk  = "3F1A5C7E9B2D4F6081A3C5E7092B4D6F"   # purchase master key   (16 bytes, 32 hex)
    mlk  = "5A6B7C8D9EAFB0C1D2E3F40516273849"   # load master key
    mtk  = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"   # TAC master key
    mamk = "C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8"   # application maintenance master key

    [sam]                           # optional: only a software SAM reads it
    terminal_id = "410200000001"    # 12 decimal digits -> 6-byte BCD

Hex is case-insensitive; spaces inside a hex string are ignored. Any subset of the four keys
may be present (a terminal's software SAM needs only ``mpk`` and ``mamk``; the load authority
only ``mlk``; terminals never hold ``mtk``); asking :class:`IssuerKeys` for an absent key raises
:class:`KeyFileError`. Unknown tables or names are refused, so a typo never passes silently.

The file must be a regular file readable and writable by its owner only (``chmod 600``): the
loader refuses anything with group/other permission bits. The demo keys of card-spec section 7
(test keys only) are :mod:`cardsvc.demo_issuer`'s: it copies them to a 0600 file before a
terminal uses them.

Error messages name the file and the field, never key bytes; ``repr(IssuerKeys)`` hides keys.

Use::

    keys = load_issuer_keys(path)
    dpk = crypto.diversify(alg, keys.mpk, card_factor)
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from cardsvc.codes import ErrorCode
from cardsvc.crypto import CryptoError, to_bcd
from cardsvc.errors import ServiceConfigError

__all__ = [
    "KEY_NAMES",
    "IssuerKeys",
    "KeyFileError",
    "load_issuer_keys",
    "parse_issuer_keys",
]

KEY_NAMES = ("mpk", "mlk", "mtk", "mamk")
KEY_LEN = 16
_FORMAT = 1
_KEYS_FIELDS = {*KEY_NAMES, "key_version"}
_SAM_FIELDS = {"terminal_id"}
_TOP_FIELDS = {"format", "issuer", "sam"}


class KeyFileError(ServiceConfigError, code=ErrorCode.KEY_FILE_INVALID):
    """The key file is missing, unsafe (permissions) or malformed, or lacks a needed key."""


class IssuerKeys:
    """Issuer master keys (any subset), key version and an optional SAM terminal ID.

    Immutable. ``repr`` and ``str`` never show key bytes.
    """

    __slots__ = ("_keys", "key_version", "source", "terminal_id")

    _keys: dict[str, bytes]
    key_version: int
    source: str
    terminal_id: bytes | None

    def __init__(
        self,
        *,
        mpk: bytes | None = None,
        mlk: bytes | None = None,
        mtk: bytes | None = None,
        mamk: bytes | None = None,
        key_version: int = 1,
        terminal_id: bytes | None = None,
        source: str = "<memory>",
    ) -> None:
        keys: dict[str, bytes] = {}
        for name, value in (("mpk", mpk), ("mlk", mlk), ("mtk", mtk), ("mamk", mamk)):
            if value is None:
                continue
            if not isinstance(value, bytes) or len(value) != KEY_LEN:
                raise KeyFileError(f"{source}: {name} must be {KEY_LEN} bytes")
            keys[name] = value
        if not 0 <= key_version <= 0xFF:
            raise KeyFileError(f"{source}: key_version must be 0..255")
        if terminal_id is not None and len(terminal_id) != 6:
            raise KeyFileError(f"{source}: terminal_id must be 6 bytes")
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "key_version", key_version)
        object.__setattr__(self, "terminal_id", terminal_id)
        object.__setattr__(self, "source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("IssuerKeys is immutable")

    def __repr__(self) -> str:
        present = ", ".join(n for n in KEY_NAMES if n in self._keys) or "none"
        tid = self.terminal_id.hex() if self.terminal_id is not None else None
        return (
            f"IssuerKeys(source={self.source!r}, keys=[{present}] <hidden>, "
            f"key_version={self.key_version}, terminal_id={tid!r})"
        )

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("IssuerKeys cannot be pickled")

    def has(self, name: str) -> bool:
        """Whether the key ``name`` (``mpk``, ``mlk``, ``mtk``, ``mamk``) is present."""
        return name in self._keys

    def _get(self, name: str) -> bytes:
        try:
            return self._keys[name]
        except KeyError:
            raise KeyFileError(
                f"{self.source}: the key file has no {name}", code=ErrorCode.KEY_MISSING,
                key=name.upper()
            ) from None

    @property
    def mpk(self) -> bytes:
        """Purchase master key (16 bytes)."""
        return self._get("mpk")

    @property
    def mlk(self) -> bytes:
        """Load master key (16 bytes)."""
        return self._get("mlk")

    @property
    def mtk(self) -> bytes:
        """TAC master key (16 bytes)."""
        return self._get("mtk")

    @property
    def mamk(self) -> bytes:
        """Application maintenance master key (16 bytes)."""
        return self._get("mamk")

    def require_terminal_id(self) -> bytes:
        """The SAM terminal ID, or :class:`KeyFileError` when the file has none."""
        if self.terminal_id is None:
            raise KeyFileError(f"{self.source}: the key file has no [sam] terminal_id")
        return self.terminal_id


def _hex_key(source: str, name: str, value: object) -> bytes:
    if not isinstance(value, str):
        raise KeyFileError(f"{source}: [issuer] {name} must be a hex string")
    text = "".join(value.split())
    if len(text) != 2 * KEY_LEN:
        raise KeyFileError(
            f"{source}: [issuer] {name} must be {2 * KEY_LEN} hex digits ({KEY_LEN} bytes), "
            f"got {len(text)}"
        )
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise KeyFileError(f"{source}: [issuer] {name} is not valid hex") from None


def _table(source: str, doc: dict[str, Any], name: str, allowed: set[str]) -> dict[str, Any]:
    table = doc.get(name, {})
    if not isinstance(table, dict):
        raise KeyFileError(f"{source}: {name} must be a table ([{name}])")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise KeyFileError(f"{source}: unknown name(s) in [{name}]: {', '.join(unknown)}")
    return table


def parse_issuer_keys(text: str, source: str = "<string>") -> IssuerKeys:
    """Parse key-file text (no permission check: :func:`load_issuer_keys` is for files)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # keep only the position: some tomllib messages quote a character of the input
        where = re.search(r"\(at [^()]*\)$", str(exc))
        raise KeyFileError(
            f"{source}: not valid TOML {where.group(0) if where else ''}".rstrip()
        ) from None
    unknown = sorted(set(doc) - _TOP_FIELDS)
    if unknown:
        raise KeyFileError(f"{source}: unknown name(s): {', '.join(unknown)}")
    if doc.get("format", _FORMAT) != _FORMAT:
        raise KeyFileError(f"{source}: unsupported key file format (expected {_FORMAT})")
    keys_t = _table(source, doc, "issuer", _KEYS_FIELDS)
    sam_t = _table(source, doc, "sam", _SAM_FIELDS)
    keys = {n: _hex_key(source, n, keys_t[n]) for n in KEY_NAMES if n in keys_t}
    if not keys:
        raise KeyFileError(
            f"{source}: no keys in [issuer] (expected some of {', '.join(KEY_NAMES)})"
        )
    version = keys_t.get("key_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= 0xFF:
        raise KeyFileError(f"{source}: [issuer] key_version must be an integer 0..255")
    terminal_id: bytes | None = None
    if "terminal_id" in sam_t:
        tid = sam_t["terminal_id"]
        if not isinstance(tid, str) or len(tid) != 12:
            raise KeyFileError(f"{source}: [sam] terminal_id must be a string of 12 digits")
        try:
            terminal_id = to_bcd(tid, 6)
        except CryptoError:
            raise KeyFileError(f"{source}: [sam] terminal_id must be 12 decimal digits") from None
    return IssuerKeys(**keys, key_version=version, terminal_id=terminal_id, source=source)


def load_issuer_keys(path: str | os.PathLike[str]) -> IssuerKeys:
    """Load a key file, refusing one that is not a regular file or is open to group/others."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise KeyFileError(code=ErrorCode.KEY_FILE_MISSING, path=p) from None
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {p}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError(f"key file {p} is not a regular file")
        if st.st_mode & 0o077:
            mode = stat.S_IMODE(st.st_mode)
            raise KeyFileError(code=ErrorCode.KEY_FILE_OPEN, path=p, mode=f"{mode:04o}")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read()
    finally:
        os.close(fd)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"key file {p} is not UTF-8 text") from None
    return parse_issuer_keys(text, str(p))

