"""Typed settings for every program of the stack, and the one way to override them.

Settings come in layers, each laid over the one before, each checked the same way:

1. the embedded defaults (``config/default.toml``: simulators and SQLite; every default path
   from :mod:`config.layout`),
2. one TOML file: ``--config PATH``, else ``$CITIZEN_HALL_CONFIG``, else
   ``/etc/citizen-hall/config.toml`` when it exists (it sets only the keys that differ),
3. the environment variables of :data:`ENVIRONMENT` (``$BACKOFFICE_DB`` ...),
4. the command line: a program passes its options as ``overrides`` (``{"card": {"reader":
   args.reader}}``; ``None`` means not given), or derives settings with
   :meth:`Settings.override`.

Unknown sections or keys, and values of the wrong type, are refused with a :class:`ConfigError`
that names the source, the section and the key, so a typo never passes silently. Devices are
chosen by URL, exactly as real hardware is (``tcp://...``, ``pcsc:NAME``, ...).

Sections say whose they are: ``[card]``, ``[service]``, ``[printer]`` ... are the terminal's and
the kiosk's; ``[clearing]`` is the clearing *server*, ``[clearing_client]`` and
``[hall_client]`` are a terminal's view of the clearing and hall services (a URL and a token
file, mode 0600). An old ``[backoffice]`` section is read as ``[clearing_client]``, and an
inline ``token`` as the token, each with a deprecation warning.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import tomllib
import types
import typing
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from config.files import TokenFileError, read_token_file
from config.layout import DEFAULT_LAYOUT, VAR, VarLayout

log = logging.getLogger(__name__)

DEFAULTS_FILE = Path(__file__).with_name("default.toml")
SYSTEM_FILE = Path("/etc/citizen-hall/config.toml")
ENV_FILE = "CITIZEN_HALL_CONFIG"
ENVIRONMENT: Mapping[str, tuple[str, str]] = types.MappingProxyType({
    "BACKOFFICE_DB": ("clearing", "db"),
    "BACKOFFICE_TOKEN": ("clearing", "token"),
    "BACKOFFICE_KEY_FILE": ("clearing", "key_file"),
    "HALL_DB": ("hall", "db"),
})
"""Environment variable -> (section, key): the third layer."""
ALIASES: Mapping[str, str] = types.MappingProxyType({"backoffice": "clearing_client"})
"""Old section name -> its name now (read with a deprecation warning)."""


class ConfigError(Exception):
    """The configuration is missing, malformed or inconsistent (exit code 4 in CLIs)."""


PORT: Mapping[str, Any] = types.MappingProxyType({"min": 1, "max": 65535})
"""A TCP port's range (field metadata, checked by the loader)."""
POSITIVE: Mapping[str, Any] = types.MappingProxyType({"above": 0})
"""A number that must be more than zero (a timeout, a limit)."""
HTTP_URL: Mapping[str, Any] = types.MappingProxyType({"url": ("http", "https")})
"""Empty, or a URL of one of these schemes with a host."""


@dataclass(frozen=True)
class PathsSettings:
    var_dir: Path = VAR
    """Where state lives (:mod:`config.layout`); relative paths are from the cwd."""


@dataclass(frozen=True)
class CardSettings:
    backend: str = "pcsc://"
    reader: str = ""
    """The user-card reader; empty = the first reader with a card that is not the SAM's."""
    sam: str = "pcsc:Virtual PCD 00 01"
    """``pcsc:READER`` for a PSAM in a reader, or ``soft:PATH`` for a software SAM key file."""
    key_file: Path = DEFAULT_LAYOUT.issuer_keys
    """Issuer keys for the in-process load authority and a software SAM (mode 0600)."""
    demo: bool = True
    """Demo mode, said here and nowhere guessed: a missing key file gets the demo issuer's test
    keys, and the hotlist starts as the demo issuer's lost cards. The embedded default is the
    simulated demo stack; a real terminal sets ``demo = false``."""
    max_amount_fen: int = field(default=100_000, metadata=POSITIVE)
    fare_table: str = ""
    """Bus fare table (TOML); empty = the embedded ``config/fares.toml``."""
    timeout_s: float = field(default=5.0, metadata=POSITIVE)


@dataclass(frozen=True)
class ServiceSettings:
    """The card service's local API (``cardsvc serve``)."""

    host: str = "127.0.0.1"
    """Loopback only: 127.0.0.1, ::1 or localhost."""
    port: int = field(default=8470, metadata=PORT)
    token_file: Path = DEFAULT_LAYOUT.cardsvc_token
    """Bearer token of the local API; created (mode 0600) on first start if missing."""


@dataclass(frozen=True)
class PrinterSettings:
    url: str = "tcp://127.0.0.1:9100"
    profile: str = "generic-58"
    timeout_s: float = field(default=3.0, metadata=POSITIVE)


@dataclass(frozen=True)
class ScannerSettings:
    url: str = "sim:default"


@dataclass(frozen=True)
class IdCardSettings:
    url: str = ""
    """pyserial URL of the ID-card reader (``/dev/ttyUSB0``, ``socket://...``); empty = none."""


@dataclass(frozen=True)
class ClientSettings:
    """A terminal's view of a service of the back office: where it is, and its token."""

    url: str = field(default="", metadata=HTTP_URL)
    """Base URL of the service; empty = none configured."""
    token_file: Path = Path()
    """The bearer token, alone in a file only its owner may read (mode 0600)."""
    token: str = field(default="", repr=False)
    """Deprecated: the token written inline (read with a warning; use ``token_file``)."""


@dataclass(frozen=True)
class ClearingClientSettings(ClientSettings):
    """``[clearing_client]``: the clearing service, for uploads, the hotlist and loads."""

    token_file: Path = DEFAULT_LAYOUT.clearing_client_token


@dataclass(frozen=True)
class HallClientSettings(ClientSettings):
    """``[hall_client]``: the hall service, for the kiosk (matters, applications, ratings)."""

    token_file: Path = DEFAULT_LAYOUT.hall_client_token


@dataclass(frozen=True)
class ClearingSettings:
    """The clearing service itself (``backoffice serve``), when this machine runs it."""

    db: str = ""
    """Database URL (``sqlite:///PATH`` or ``postgresql://...``); empty = SQLite under var/."""
    key_file: Path = DEFAULT_LAYOUT.clearing_keys
    """Issuer keys the clearing side holds (MTK for TACs, MLK for loads), mode 0600. Terminals
    never hold MTK: this is not ``[card] key_file``."""
    host: str = "127.0.0.1"
    port: int = field(default=8480, metadata=PORT)
    token: str = field(default="", repr=False)
    """The service's bearer token: ``$BACKOFFICE_TOKEN`` or ``--token`` (not a settings file);
    empty: a machine that also runs a terminal uses ``[clearing_client]``'s."""


@dataclass(frozen=True)
class HallSettings:
    """The hall service (``backoffice serve``, ``backoffice hall ...``), when this machine runs
    it: matters, applications, progress, ratings and complaints."""

    db: str = ""
    """Database URL; empty = SQLite ``<var_dir>/backoffice/hall.sqlite3``."""
    host: str = "127.0.0.1"
    port: int = 8490
    """Address when the hall runs alone (``backoffice serve --only hall``)."""
    tokens_file: Path = DEFAULT_LAYOUT.backoffice_tokens
    """The issued tokens (hashed), shared by clearing and hall; mode 0600."""
    key_file: Path = DEFAULT_LAYOUT.hall_key
    """The key that hashes ID numbers for lookup and seals personal data; created (mode 0600)
    on first start if missing."""
    calendar_dir: str = ""
    """Working-day calendars ``<year>.toml``; empty = the shipped ``config/hall/calendar``."""
    lookup_limit: int = 10
    """Failed progress/complaint lookups one caller may make per window before 429."""
    lookup_window_s: int = 600
    rating_window_days: int = 7
    """Calendar days after a case closes during which it may be rated."""
    work_order_days: int = 5
    """Working days to rectify a 差评 (the work order's due date)."""
    no_rating: str = "default"
    """When nobody rates within the window: ``default`` (record ``default_level``) or ``none``."""
    default_level: str = "basic"
    """The level recorded by default: very_satisfied, satisfied, basic (基本满意), ..."""
    max_page_bytes: int = 5_000_000
    """Largest uploaded page (JPEG or PDF)."""
    max_case_bytes: int = 50_000_000
    """Largest total of one case's uploaded pages."""
    max_pages: int = 20
    """Most pages of one material."""


@dataclass(frozen=True)
class KioskSettings:
    """The citizens' self-service kiosk (``kiosk run``); see docs/design.md, kiosk section."""

    terminal_name: str = "kiosk-01"
    """This terminal's name in logs and in the hall's records."""
    hall_name_zh: str = "市民之家"
    hall_name_en: str = "Citizens' Service Hall"
    reader_picture: str = ""
    """A picture (PNG/SVG) of where the card reader sits on this terminal model; empty = the
    built-in drawing."""
    idle_s: float = 60.0
    """Seconds without a touch before the idle warning (care mode: ``idle_care_s``)."""
    idle_care_s: float = 120.0
    warning_s: float = 30.0
    """Length of the idle warning's countdown; at least 20 (WCAG 2.2.1)."""
    warning_care_s: float = 45.0
    px_per_mm: float = 0.0
    """Screen pixels per millimetre; 0 = from the screen's physical size (EDID). Set it when
    the EDID lies (a 21.5-inch 1080p panel is about 4.0, a 32-inch one about 2.7)."""
    orientation: str = "auto"
    """``auto`` (from the window's shape), ``portrait`` or ``landscape``."""
    care_mode: bool = False
    """Start every session in care mode (关怀模式)."""
    language: str = "zh"
    """The language a session starts in: ``zh`` or ``en``."""
    technician_pin_hash: str = ""
    """``scrypt$N$r$p$salt$hash`` from ``kiosk pin-hash``; empty = no technician exit."""
    virtual_keyboard: str = "builtin"
    """``builtin`` (our own keyboard); ``qt`` (Qt Virtual Keyboard) is refused by ``kiosk
    run`` with the reason: not wired in (docs/design.md, kiosk section)."""
    speech: bool = False
    """Spoken prompts through QtTextToSpeech (the ``speech`` extra: PySide6-Addons; without
    it, speech is unavailable and logged)."""
    speech_engine: str = ""
    """QtTextToSpeech's engine: empty = Qt's default (``speechd``); ``mock`` in tests."""
    catalogue_file: Path = DEFAULT_LAYOUT.kiosk_catalogue
    """The offline copy of the hall's catalogue (exchange format, docs/hall-exchange.md)."""
    session_dir: Path = DEFAULT_LAYOUT.kiosk_session
    """Where a citizen's scans wait until they are sent; emptied at every session's end."""
    outbox_dir: Path = DEFAULT_LAYOUT.kiosk_outbox
    """The durable outbox: applications made while the back office is down (and their pages)
    until they are sent, then deleted (docs/design.md, kiosk section)."""


@dataclass(frozen=True)
class Settings:
    paths: PathsSettings = field(default_factory=PathsSettings)
    card: CardSettings = field(default_factory=CardSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    idcard: IdCardSettings = field(default_factory=IdCardSettings)
    clearing_client: ClearingClientSettings = field(default_factory=ClearingClientSettings)
    hall_client: HallClientSettings = field(default_factory=HallClientSettings)
    clearing: ClearingSettings = field(default_factory=ClearingSettings)
    hall: HallSettings = field(default_factory=HallSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    source: str = "defaults"
    """Which file the settings were read from (for messages and `kioskctl doctor`)."""

    @property
    def var(self) -> VarLayout:
        """Where state lives under ``[paths] var_dir`` (:mod:`config.layout`)."""
        return VarLayout(self.paths.var_dir)

    def var_path(self, path: Path) -> Path:
        """A configured path under ``var/`` follows ``paths.var_dir`` (``var/x`` -> var_dir/x)."""
        return self.var.resolve(path)

    def override(self, changes: Mapping[str, Mapping[str, Any]],
                 source: str = "command line") -> Settings:
        """These settings with ``changes`` (``{"section": {"key": value}}``; a ``None`` value
        is skipped: an option not given), checked as a settings file is."""
        sections: dict[str, Any] = {}
        try:
            for name, keys in changes.items():
                given = {k: v for k, v in keys.items() if v is not None}
                if not given:
                    continue
                current: Any = getattr(self, name, None) if name != "source" else None
                if not dataclasses.is_dataclass(current) or isinstance(current, type):
                    _build(Settings, {name: given}, "")  # raises: names the section
                    continue  # pragma: no cover
                checked = _build(type(current), given, name)
                sections[name] = dataclasses.replace(
                    current, **{k: getattr(checked, k) for k in given})
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
        return dataclasses.replace(self, **sections) if sections else self

    def client_token(self, client: ClientSettings, section: str) -> str:
        """The bearer token of ``[section]`` (``clearing_client``, ``hall_client``): its
        ``token_file``, else (deprecated) its inline ``token``; :class:`ConfigError` when there
        is none that can be used."""
        if client.token:
            return client.token
        try:
            return read_token_file(self.var_path(client.token_file))
        except TokenFileError as exc:
            raise ConfigError(f"[{section}] token_file: {exc}") from None


T = TypeVar("T")


def _coerce(value: Any, kind: Any, where: str) -> Any:
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a path (string), got {type(value).__name__}")
        return Path(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is float and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value}")
    if kind is int and isinstance(value, bool):
        raise ConfigError(f"{where}: expected an integer, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _check_range(value: Any, limits: Mapping[str, Any], key: str) -> None:
    """The bounds of a field's metadata (:data:`PORT`, :data:`POSITIVE`)."""
    if "above" in limits and not value > limits["above"]:
        raise ConfigError(f"{key}: must be more than {limits['above']}, got {value}")
    if "min" in limits and not limits["min"] <= value <= limits["max"]:
        raise ConfigError(f"{key}: must be {limits['min']}..{limits['max']}, got {value}")
    if "url" in limits and value:
        try:
            parts = urllib.parse.urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            parts = urllib.parse.urlsplit("")
        if parts.scheme not in limits["url"] or not parts.hostname:
            raise ConfigError(f"{key}: not an {'/'.join(limits['url'])} URL: {value[:40]!r}")


def _build(cls: type[T], data: Mapping[str, Any], where: str) -> T:
    hints = typing.get_type_hints(cls)
    limits = {f.name: f.metadata for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    names = {f.name for f in dataclasses.fields(cls)} - {"source"}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown and not where:
        raise ConfigError(f"unknown section(s) {', '.join(f'[{u}]' for u in unknown)} "
                          f"(known: {', '.join(sorted(names))})")
    if unknown:
        raise ConfigError(f"[{where}]: unknown key(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        kind = hints[name]
        key = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(kind) and isinstance(kind, type):
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{key}: expected a table [{name}]")
            values[name] = _build(kind, raw, key)
        else:
            if isinstance(kind, types.UnionType):
                raise ConfigError(f"{key}: unsupported type")  # pragma: no cover
            values[name] = _coerce(raw, kind, key)
            _check_range(values[name], limits[name], key)
    return cls(**values)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except PermissionError:
        raise ConfigError(f"config file {path} is not readable") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def config_path(explicit: Path | str | None = None,
                env: Mapping[str, str] | None = None) -> Path | None:
    """The file to read: explicit, else $CITIZEN_HALL_CONFIG, else the system file if present."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(ENV_FILE):
        return Path(env[ENV_FILE])
    return SYSTEM_FILE if SYSTEM_FILE.exists() else None


def _renamed(doc: dict[str, Any], source: Path) -> dict[str, Any]:
    """Old section names read as the new ones (with a warning); an inline token too."""
    for old, new in ALIASES.items():
        if old in doc:
            if new in doc:
                raise ConfigError(f"{source}: [{old}] is the old name of [{new}]: keep one")
            log.warning("[%s] is deprecated: call it [%s]", old, new,
                        extra={"event": "config.deprecated", "file": str(source)})
            doc = {**doc, new: doc[old]}
            del doc[old]
    for section in ("clearing_client", "hall_client"):
        table = doc.get(section)
        if isinstance(table, Mapping) and table.get("token"):
            log.warning("[%s] token is deprecated: keep the token in a file (mode 0600) named "
                        "by token_file", section,
                        extra={"event": "config.deprecated", "file": str(source)})
    return doc


def _environment(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    layer: dict[str, dict[str, str]] = {}
    for name, (section, key) in ENVIRONMENT.items():
        if env.get(name):
            layer.setdefault(section, {})[key] = env[name]
    return layer


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Settings:
    """Read the settings (the layers of the module's doc); :class:`ConfigError` with a
    plain-words reason that names where."""
    env = os.environ if env is None else env
    data = _read(DEFAULTS_FILE)
    source = "defaults"
    chosen = config_path(path, env)
    if chosen is not None:
        doc = _read(chosen)
        for section, table in doc.items():
            if not isinstance(table, Mapping):
                raise ConfigError(f"{chosen}: `{section}` must be a table ([{section}])")
        data = _merge(data, _renamed(doc, chosen))
        source = str(chosen)
    try:
        settings = _build(Settings, data, "")
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    settings = dataclasses.replace(settings, source=source)
    settings = settings.override(_environment(env), source="environment")
    return settings.override(overrides or {})
