"""The technician PIN: stored as an scrypt hash (``kiosk pin-hash``), checked in constant time."""

from __future__ import annotations

import hashlib
import secrets


def pin_hash(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def pin_ok(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches ``stored`` (about 50 ms: call it off the UI thread)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        mine = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                              p=int(p))
    except ValueError:
        return False
    return kind == "scrypt" and secrets.compare_digest(mine.hex(), digest)
