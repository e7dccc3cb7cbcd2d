"""The card service's local-API token and address rules (``cardsvc serve``, the client).

The token lives in ``[service] token_file``: created on first start (random, mode 0600); a
deployment that runs the kiosk or the cash register as another user makes it group-readable
(0640, ``cardsvc serve --token-group kiosk``). Anything wider (world bits, group write) is
refused. The API binds to loopback or a unix socket only.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cardsvc.codes import ErrorCode
from cardsvc.errors import ServiceConfigError

__all__ = ["LOOPBACK", "load_or_create_token", "read_token"]

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
MIN_TOKEN = 16


def read_token(path: Path) -> str:
    """The token in ``path`` (0600, or 0640 for the kiosk's group); ServiceConfigError else
    (FileNotFoundError when it is missing)."""
    token = path.read_text(encoding="ascii").strip()
    if path.stat().st_mode & 0o027:
        raise ServiceConfigError(f"token file {path} is open to others: chmod 600 {path} (or "
                                 f"640 for the kiosk's group)", code=ErrorCode.TOKEN_FILE_OPEN)
    if len(token) < MIN_TOKEN or len(token.split()) != 1:
        raise ServiceConfigError(f"token file {path} holds no usable token "
                                 f"({MIN_TOKEN}+ characters)", code=ErrorCode.TOKEN_FILE_INVALID)
    return token


def load_or_create_token(path: Path) -> str:
    """The API token from ``path``; a new random one (mode 0600) if the file is missing."""
    try:
        return read_token(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never two tokens
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    log.info("created the local API token", extra={"path": str(path)})
    return token
