"""Bearer tokens with scopes, shared by the back office's services.

Scopes: ``kiosk`` (citizen-facing hall endpoints), ``clerk`` (one department's cases; the token
names the department), ``terminal`` (clearing uploads, hotlist, loads), ``admin`` (everything).

Tokens are issued by ``backoffice tokens issue --scope S [--department D]``, printed once, and
kept only as their SHA-256 in the tokens file (JSON, mode 0600, replaced atomically). A token is
``<id>.<secret>``: the id is public (audit log, ``tokens list``), the secret 256 random bits.
Clients read their token from a file (``[hall_client] token_file``, mode 0600:
:meth:`config.settings.Settings.client_token`), never from the command line, so it never shows
in ``ps``. Servers re-read the file when it changes (no restart to issue
or revoke).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from backoffice.errors import ConfigurationError, Forbidden, InvalidInput, Unauthorized
from config.files import atomic_write

__all__ = ["SCOPES", "Principal", "TokenRecord", "TokenStore"]

Scope = Literal["kiosk", "clerk", "terminal", "admin"]
SCOPES: tuple[Scope, ...] = ("kiosk", "clerk", "terminal", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, scope and (clerks) department."""

    token_id: str
    scope: Scope
    department: str | None = None
    label: str = ""

    def require(self, *scopes: Scope) -> Principal:
        """This principal if its scope is one of ``scopes`` (admin always is); else 403."""
        if self.scope == "admin" or self.scope in scopes:
            return self
        raise Forbidden(f"a {'/'.join(scopes)} token is needed, this one is {self.scope}",
                        f"需要 {'/'.join(scopes)} 权限的令牌")


@dataclass(frozen=True)
class TokenRecord:
    id: str
    scope: Scope
    department: str | None
    label: str
    sha256: str
    created_at: str
    revoked: bool = False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """The tokens file: issue, revoke, list, verify (thread-safe; re-read when it changes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, TokenRecord] = {}

    def _load(self) -> dict[str, TokenRecord]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, {}
            return self._records
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return self._records
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            records = {r["id"]: TokenRecord(**r) for r in doc["tokens"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"the tokens file {self.path} is unreadable: {exc}",
                                     f"令牌文件 {self.path} 无法读取") from None
        self._stamp, self._records = stamp, records
        return records

    def _save(self, records: dict[str, TokenRecord]) -> None:
        body = json.dumps({"tokens": [vars(r) for r in records.values()]}, indent=1)
        atomic_write(self.path, body, mode=0o600, dir_mode=0o700)
        self._stamp = None

    def issue(self, scope: str, *, department: str | None = None, label: str = "",
              now: dt.datetime | None = None) -> tuple[TokenRecord, str]:
        """A new token: its record and the token itself (shown once, never stored)."""
        if scope not in SCOPES:
            raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", "令牌权限范围无效")
        if (scope == "clerk") != bool(department):
            raise InvalidInput("a clerk token names its department (and only a clerk token)",
                               "窗口人员令牌必须指定部门")
        token_id = "t" + secrets.token_hex(4)
        token = f"{token_id}.{secrets.token_urlsafe(32)}"
        when = (now or dt.datetime.now()).isoformat(timespec="seconds")
        record = TokenRecord(token_id, scope, department, label, _digest(token),
                             when)
        with self._lock:
            records = dict(self._load())
            records[token_id] = record
            self._save(records)
        return record, token

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            records = dict(self._load())
            if token_id not in records or records[token_id].revoked:
                return False
            old = records[token_id]
            records[token_id] = TokenRecord(old.id, old.scope, old.department, old.label,
                                            old.sha256, old.created_at, revoked=True)
            self._save(records)
            return True

    def records(self) -> list[TokenRecord]:
        with self._lock:
            return list(self._load().values())

    def verify(self, presented: str | None) -> Principal:
        """The principal of a presented token; :class:`Unauthorized` otherwise."""
        if presented:
            token_id = presented.split(".", 1)[0]
            with self._lock:
                record = self._load().get(token_id)
            if record is not None and not record.revoked \
                    and hmac.compare_digest(record.sha256, _digest(presented)):
                return Principal(record.id, record.scope, record.department, record.label)
        raise Unauthorized("a valid bearer token is required", "需要有效的访问令牌")
