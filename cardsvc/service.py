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
from config.files import TokenFileError, read_token_file

__all__ = ["LOOPBACK", "load_or_create_token", "read_token"]

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
MIN_TOKEN = 16


def read_token(path: Path) -> str:
    """The token in ``path`` (0600, or 0640 for the kiosk's group); ServiceConfigError else
    (FileNotFoundError when it is missing)."""
    try:
        return read_token_file(path, min_length=MIN_TOKEN, group_readable=True)
    except TokenFileError as exc:
        if exc.reason == "missing":
            raise FileNotFoundError(str(exc)) from None
        if "cannot be read" in str(exc) and not os.access(path, os.R_OK):
            raise PermissionError(str(exc)) from None
        code = ErrorCode.TOKEN_FILE_OPEN if exc.reason == "open" else \
            ErrorCode.TOKEN_FILE_INVALID
        raise ServiceConfigError(str(exc), code=code) from None


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
