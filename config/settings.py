"""Typed settings for every program of the stack.

Settings come from the embedded defaults (``config/default.toml``: simulators and SQLite), then
one TOML file laid over them: ``--config PATH``, else ``$CITIZEN_HALL_CONFIG``, else
``/etc/citizen-hall/config.toml`` when it exists. A file may set only the keys that differ.
Unknown sections or keys, and values of the wrong type, are refused with a
:class:`ConfigError` that names the file and the key, so a typo never passes silently.
Devices are chosen by URL, exactly as real hardware is (``tcp://...``, ``pcsc:NAME``, ...).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

DEFAULTS_FILE = Path(__file__).with_name("default.toml")
SYSTEM_FILE = Path("/etc/citizen-hall/config.toml")
ENV_FILE = "CITIZEN_HALL_CONFIG"


class ConfigError(Exception):
    """The configuration is missing, malformed or inconsistent (exit code 4 in CLIs)."""


@dataclass(frozen=True)
class PathsSettings:
    var_dir: Path = Path("var")
    """Where state lives (journal, print queue, SAM state); relative paths are from the cwd."""


@dataclass(frozen=True)
class CardSettings:
    backend: str = "pcsc://"
    reader: str = ""
    """The user-card reader; empty = the first reader with a card that is not the SAM's."""
    sam: str = "pcsc:Virtual PCD 00 01"
    """``pcsc:READER`` for a PSAM in a reader, or ``soft:PATH`` for a software SAM key file."""
    key_file: Path = Path("var/keys/issuer_keys.toml")
    """Issuer keys for the in-process load authority and a software SAM (mode 0600)."""
    demo: bool = True
    """Demo mode, said here and nowhere guessed: a missing key file gets the demo issuer's test
    keys, and the hotlist starts as the demo issuer's lost cards. The embedded default is the
    simulated demo stack; a real terminal sets ``demo = false``."""
    max_amount_fen: int = 100_000
    fare_table: str = ""
    """Bus fare table (TOML); empty = the embedded ``config/fares.toml``."""
    timeout_s: float = 5.0


@dataclass(frozen=True)
class ServiceSettings:
    """The card service's local API (``cardsvc serve``)."""

    host: str = "127.0.0.1"
    """Loopback only: 127.0.0.1, ::1 or localhost."""
    port: int = 8470
    token_file: Path = Path("var/cardsvc.token")
    """Bearer token of the local API; created (mode 0600) on first start if missing."""


@dataclass(frozen=True)
class PrinterSettings:
    url: str = "tcp://127.0.0.1:9100"
    profile: str = "generic-58"
    timeout_s: float = 3.0


@dataclass(frozen=True)
class ScannerSettings:
    url: str = "sim:default"


@dataclass(frozen=True)
class IdCardSettings:
    url: str = ""
    """pyserial URL of the ID-card reader (``/dev/ttyUSB0``, ``socket://...``); empty = none."""


@dataclass(frozen=True)
class BackofficeSettings:
    url: str = ""
    """Base URL of the clearing service; empty = none configured."""
    token: str = ""


@dataclass(frozen=True)
class ClearingSettings:
    """The clearing service itself (``backoffice serve``), when this machine runs it."""

    db: str = ""
    """Database URL (``sqlite:///PATH`` or ``postgresql://...``); empty = SQLite under var/."""
    key_file: Path = Path("var/keys/clearing_keys.toml")
    """Issuer keys the clearing side holds (MTK for TACs, MLK for loads), mode 0600. Terminals
    never hold MTK: this is not ``[card] key_file``."""
    host: str = "127.0.0.1"
    port: int = 8480


@dataclass(frozen=True)
class HallSettings:
    """The hall service (``backoffice serve``, ``backoffice hall ...``), when this machine runs
    it: matters, applications, progress, ratings and complaints."""

    db: str = ""
    """Database URL; empty = SQLite ``<var_dir>/backoffice/hall.sqlite3``."""
    host: str = "127.0.0.1"
    port: int = 8490
    """Address when the hall runs alone (``backoffice serve --only hall``)."""
    tokens_file: Path = Path("var/backoffice/tokens.json")
    """The issued tokens (hashed), shared by clearing and hall; mode 0600."""
    key_file: Path = Path("var/keys/hall_data.key")
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
    """``builtin`` (our own keyboard) or ``qt`` (Qt Virtual Keyboard: GPLv3 or commercial,
    the deployer's choice; needs PySide6-Addons, see docs/design.md)."""
    speech: bool = False
    """Spoken prompts through QtTextToSpeech."""
    catalogue_file: Path = Path("var/kiosk/catalogue.json")
    """The offline copy of the hall's catalogue (exchange format, docs/hall-exchange.md)."""
    session_dir: Path = Path("var/kiosk/session")
    """Where a citizen's scans wait until they are sent; emptied at every session's end."""
    outbox_dir: Path = Path("var/kiosk/outbox")
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
    backoffice: BackofficeSettings = field(default_factory=BackofficeSettings)
    clearing: ClearingSettings = field(default_factory=ClearingSettings)
    hall: HallSettings = field(default_factory=HallSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    source: str = "defaults"
    """Which file the settings were read from (for messages and `kioskctl doctor`)."""

    def var_path(self, path: Path) -> Path:
        """A configured path under ``var/`` follows ``paths.var_dir`` (``var/x`` -> var_dir/x)."""
        if not path.is_absolute() and path.parts[:1] == ("var",):
            return self.paths.var_dir.joinpath(*path.parts[1:])
        return path


T = TypeVar("T")


def _coerce(value: Any, kind: Any, where: str) -> Any:
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a path (string), got {type(value).__name__}")
        return Path(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, bool):
        raise ConfigError(f"{where}: expected an integer, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _build(cls: type[T], data: Mapping[str, Any], where: str) -> T:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)} - {"source"}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
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


def load_settings(path: Path | str | None = None,
                  env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; raises :class:`ConfigError` with a plain-words reason."""
    data = _read(DEFAULTS_FILE)
    source = "defaults"
    chosen = config_path(path, env)
    if chosen is not None:
        for section, table in _read(chosen).items():
            if not isinstance(table, Mapping):
                raise ConfigError(f"{chosen}: `{section}` must be a table ([{section}])")
        data = _merge(data, _read(chosen))
        source = str(chosen)
    try:
        settings = _build(Settings, data, "")
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return dataclasses.replace(settings, source=source)
