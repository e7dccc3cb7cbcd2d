"""The clearing server's settings: database, token, keys, address.

Resolved in this order (first wins): command-line option, environment variable, the project's
settings file (``config.settings``: ``[backoffice] token``, ``[clearing] db, key_file, host,
port``, ``[paths] var_dir``), built-in default.

* database URL: ``--db``, ``$BACKOFFICE_DB``, ``[clearing] db``, else
  ``sqlite:///<var_dir>/backoffice/clearing.sqlite3``;
* bearer token: ``--token``, ``$BACKOFFICE_TOKEN``, ``[backoffice] token``; none: refused;
* issuer keys (MTK, MLK): ``--keys``, ``$BACKOFFICE_KEY_FILE``, else in demo mode the demo
  keys, else ``[clearing] key_file`` (mode 0600; a terminal's ``[card] key_file`` never
  holds MTK);
* address: ``--host`` / ``--port``, else ``[clearing] host/port``, default ``127.0.0.1:8480``
  (the card service's local API is 8470).

A token is always required: the server does not start without one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backoffice.errors import ConfigurationError
from cardsvc.demo_issuer import demo_issuer_keys
from cardsvc.errors import ServiceConfigError
from cardsvc.keys import IssuerKeys, load_issuer_keys
from config.settings import Settings

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServerSettings", "default_db_url", "demo_keys",
           "resolve_db_url", "resolve_keys", "resolve_token"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8480
ENV_DB = "BACKOFFICE_DB"
ENV_TOKEN = "BACKOFFICE_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_KEY_FILE = "BACKOFFICE_KEY_FILE"
MIN_TOKEN_LEN = 8


@dataclass(frozen=True)
class ServerSettings:
    """Everything :func:`backoffice.clearing.app.create_app` needs. ``repr`` hides the token
    and keys."""

    db_url: str
    token: str = field(repr=False)
    keys: IssuerKeys = field(repr=False)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    demo: bool = False
    """Register the demo cards (and list the lost one) at start."""
    max_batch: int = 5000
    max_body_bytes: int = 16 * 1024 * 1024
    pool_size: int = 4

    def __post_init__(self) -> None:
        if len(self.token) < MIN_TOKEN_LEN:
            raise ConfigurationError(
                f"a bearer token of at least {MIN_TOKEN_LEN} characters is required "
                f"(--token, ${ENV_TOKEN} or [backoffice] token)")


def default_db_url(settings: Settings) -> str:
    return f"sqlite:///{Path(settings.paths.var_dir) / 'backoffice' / 'clearing.sqlite3'}"


def resolve_db_url(settings: Settings, option: str | None,
                   env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return option or env.get(ENV_DB) or settings.clearing.db or default_db_url(settings)


def resolve_token(settings: Settings, option: str | None,
                  env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return option or env.get(ENV_TOKEN) or settings.backoffice.token


def demo_keys() -> IssuerKeys:
    """The demo issuer's keys (card-spec section 7, test keys only)."""
    try:
        return demo_issuer_keys()
    except (OSError, ServiceConfigError) as exc:
        raise ConfigurationError(f"cannot read the demo keys: {exc}") from None


def resolve_keys(settings: Settings, option: str | None, *, demo: bool = False,
                 env: Mapping[str, str] | None = None) -> IssuerKeys:
    """The issuer keys: an explicit file, else (demo mode) the demo keys, else ``[clearing]
    key_file``. A key file must be mode 0600 (:func:`cardsvc.keys.load_issuer_keys`)."""
    env = os.environ if env is None else env
    path = option or env.get(ENV_KEY_FILE)
    if not path and demo:
        return demo_keys()
    try:
        return load_issuer_keys(path or settings.var_path(settings.clearing.key_file))
    except ServiceConfigError as exc:
        raise ConfigurationError(str(exc)) from None
