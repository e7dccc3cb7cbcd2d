"""The clearing server's settings: database, token, keys, address.

Everything comes from the project's settings (:mod:`config.settings`), layered there in one way:
the embedded defaults, the settings file, the environment (``$BACKOFFICE_DB``,
``$BACKOFFICE_TOKEN``, ``$BACKOFFICE_KEY_FILE``), the command line (``--db``, ``--token``,
``--keys``, ``--host``, ``--port``, passed as overrides).

* database URL: ``[clearing] db``, else ``sqlite:///<var_dir>/backoffice/clearing.sqlite3``;
* bearer token: ``[clearing] token`` (``--token``, ``$BACKOFFICE_TOKEN``), else on a machine that
  also runs a terminal the token of ``[clearing_client]``; none: refused;
* issuer keys (MTK, MLK): ``--keys``, else in demo mode the demo keys, else ``[clearing]
  key_file`` (``$BACKOFFICE_KEY_FILE``; mode 0600; a terminal's ``[card] key_file`` never holds
  MTK);
* address: ``[clearing] host/port``, default ``127.0.0.1:8480`` (the card service's local API
  is 8470).

A token is always required: the server does not start without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backoffice.errors import ConfigurationError
from cardsvc.demo_issuer import demo_issuer_keys
from cardsvc.errors import ServiceConfigError
from cardsvc.keys import IssuerKeys, load_issuer_keys
from config.settings import ConfigError, Settings

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServerSettings", "default_db_url", "demo_keys",
           "resolve_db_url", "resolve_keys", "resolve_token"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8480
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
    max_body_bytes: int = 4 * 1024 * 1024
    """An upload body is refused (413) past this, before it is read in full: 5,000 records of
    about 250 bytes each, with room to spare."""
    pool_size: int = 4

    def __post_init__(self) -> None:
        if len(self.token) < MIN_TOKEN_LEN:
            raise ConfigurationError(
                f"a bearer token of at least {MIN_TOKEN_LEN} characters is required "
                f"(--token, $BACKOFFICE_TOKEN or [clearing_client] token_file)")


def default_db_url(settings: Settings) -> str:
    return f"sqlite:///{settings.var.clearing_db}"


def resolve_db_url(settings: Settings) -> str:
    return settings.clearing.db or default_db_url(settings)


def resolve_token(settings: Settings) -> str:
    """The server's token; on a machine that also runs a terminal, the terminal's token of this
    service when the server has none of its own (empty when neither has one)."""
    if settings.clearing.token:
        return settings.clearing.token
    try:
        return settings.client_token(settings.clearing_client, "clearing_client")
    except ConfigError:
        return ""


def demo_keys() -> IssuerKeys:
    """The demo issuer's keys (card-spec section 7, test keys only)."""
    try:
        return demo_issuer_keys()
    except (OSError, ServiceConfigError) as exc:
        raise ConfigurationError(f"cannot read the demo keys: {exc}") from None


def resolve_keys(settings: Settings, option: str | None, *, demo: bool = False) -> IssuerKeys:
    """The issuer keys: the command line's file, else (demo mode) the demo keys, else
    ``[clearing] key_file``. A key file must be mode 0600 (:func:`cardsvc.keys.load_issuer_keys`).
    """
    if not option and demo:
        return demo_keys()
    try:
        return load_issuer_keys(option or settings.var_path(settings.clearing.key_file))
    except ServiceConfigError as exc:
        raise ConfigurationError(str(exc)) from None
