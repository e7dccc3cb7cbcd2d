"""The audit log: every action of a clerk, an administrator or the system, with who and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from backoffice.hall import tables as t

__all__ = ["audit"]


def audit(conn: sa.Connection, at: dt.datetime, scope: str, actor: str,
          department: str | None, action: str, obj: str,
          detail: dict[str, Any] | None = None) -> None:
    """Record one action in the caller's transaction (it commits or rolls back with it)."""
    conn.execute(sa.insert(t.audit_log).values(at=at, scope=scope, actor=actor[:80],
                                               department=department, action=action,
                                               object=obj[:64], detail=detail))
