"""Personal data at rest: ID numbers hashed with a key for lookup, details sealed (AES-GCM).

The key file holds 32 random bytes in hex (mode 0600), created on first start when missing. Two
keys are derived from it (HMAC-SHA256 with a label): one hashes ID numbers and phone numbers
(the lookup key; the same number always gives the same hash, nobody without the key can test a
guess), the other seals what a clerk may need in full (the ID number, the form's answers, a
complainant's contact details).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backoffice.errors import ConfigurationError, StorageError

__all__ = ["HallKeys", "mask_name", "mask_phone"]


class HallKeys:
    def __init__(self, master: bytes) -> None:
        if len(master) != 32:
            raise ConfigurationError("the hall key is 32 bytes", "大厅数据密钥应为 32 字节")
        self._hash_key = hmac.new(master, b"hall id hash", hashlib.sha256).digest()
        self._aead = AESGCM(hmac.new(master, b"hall seal", hashlib.sha256).digest())

    def __repr__(self) -> str:
        return "HallKeys(<hidden>)"

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> HallKeys:
        if not path.exists() and create:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".hallkey-", dir=path.parent)  # mode 0600
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:  # not config.files.atomic_write: a key is created once, never replaced
                os.link(tmp, path)  # (two processes starting at once keep the first key)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        try:
            if path.stat().st_mode & 0o077:
                raise ConfigurationError(f"the hall key file {path} must be mode 0600",
                                         f"大厅数据密钥文件 {path} 权限必须为 0600")
            return cls(bytes.fromhex(path.read_text(encoding="ascii").strip()))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the hall key file {path}: "
                                     f"{getattr(exc, 'strerror', None) or 'not 64 hex digits'}",
                                     f"无法读取大厅数据密钥文件 {path}") from None

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()

    def seal(self, value: Any) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, json.dumps(value, ensure_ascii=False).encode(),
                                          None)

    def open(self, sealed: bytes) -> Any:
        try:
            return json.loads(self._aead.decrypt(sealed[:12], sealed[12:], None))
        except (InvalidTag, ValueError):
            raise StorageError("sealed data does not open with this key",
                               "加密数据无法用当前密钥解开") from None


def mask_name(name: str) -> str:
    """张三丰 -> 张**; a one-character name stays itself."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(0, len(phone) - 7) + phone[-4:] if len(phone) > 7 else "****"
