"""The layout of ``var/``: where every program keeps its state, decided once.

Every default path of the settings and every file a program keeps under ``[paths] var_dir`` is
named here and nowhere else; a setting may still point elsewhere (an absolute path, or a path
of its own). A path written ``var/...`` in the settings follows ``var_dir``
(:meth:`VarLayout.resolve`).

    var/
    ├── keys/issuer_keys.toml      the terminal's issuer keys (0600)        [card] key_file
    ├── keys/clearing_keys.toml    the clearing service's MTK and MLK (0600) [clearing] key_file
    ├── tokens/clearing.token      the terminal's token for clearing (0600)  [clearing_client]
    ├── tokens/hall.token          the kiosk's token for the hall (0600)     [hall_client]
    ├── cardsvc.token              the card service's local API token (0600) [service]
    ├── journal.sqlite             the terminal's transaction journal
    ├── softsam-<terminal>.json    a software SAM's TTSN
    ├── print-queue.sqlite3        the durable print queue
    ├── scanner/calibration.json   the document camera's fitted thresholds
    ├── camera/<name>/             a virtual camera's frames
    ├── backoffice/clearing.sqlite3  the clearing service's database (SQLite)
    ├── backoffice/hall.sqlite3      the hall service's database (SQLite)
    ├── backoffice/tokens.json       the back office's issued tokens, hashed (0600)
    ├── keys/hall_data.key           the hall's key for ID hashes and sealed data (0600)
    └── kiosk/catalogue.json, kiosk/session/, kiosk/outbox/   the kiosk's offline catalogue,
        open session and outbox (applications waiting for the back office)

Plumbing: imports nothing of ours, so drivers may use it for their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_LAYOUT", "VAR", "VarLayout"]

VAR = Path("var")
"""``var_dir``'s default, and how a settings file names a path under it (``var/...``)."""


@dataclass(frozen=True)
class VarLayout:
    """The files and folders under one ``var_dir`` (``root``)."""

    root: Path

    def resolve(self, path: Path) -> Path:
        """A configured ``var/x`` follows ``var_dir`` (-> ``root/x``); other paths are kept."""
        if not path.is_absolute() and path.parts[:1] == VAR.parts:
            return self.root.joinpath(*path.parts[1:])
        return path

    @property
    def issuer_keys(self) -> Path:
        return self.root / "keys" / "issuer_keys.toml"

    @property
    def clearing_keys(self) -> Path:
        return self.root / "keys" / "clearing_keys.toml"

    @property
    def clearing_client_token(self) -> Path:
        return self.root / "tokens" / "clearing.token"

    @property
    def hall_client_token(self) -> Path:
        return self.root / "tokens" / "hall.token"

    @property
    def cardsvc_token(self) -> Path:
        return self.root / "cardsvc.token"

    @property
    def journal(self) -> Path:
        return self.root / "journal.sqlite"

    @property
    def sam_state(self) -> Path:
        """The folder of a software SAM's TTSN file."""
        return self.root

    @property
    def print_queue(self) -> Path:
        return self.root / "print-queue.sqlite3"

    @property
    def scanner_calibration(self) -> Path:
        return self.root / "scanner" / "calibration.json"

    @property
    def cameras(self) -> Path:
        """The virtual cameras' folders (``sim:NAME`` is ``cameras/NAME``)."""
        return self.root / "camera"

    @property
    def clearing_db(self) -> Path:
        return self.root / "backoffice" / "clearing.sqlite3"

    @property
    def hall_db(self) -> Path:
        return self.root / "backoffice" / "hall.sqlite3"

    @property
    def backoffice_tokens(self) -> Path:
        return self.root / "backoffice" / "tokens.json"

    @property
    def hall_key(self) -> Path:
        return self.root / "keys" / "hall_data.key"

    @property
    def kiosk_catalogue(self) -> Path:
        return self.root / "kiosk" / "catalogue.json"

    @property
    def kiosk_session(self) -> Path:
        return self.root / "kiosk" / "session"

    @property
    def kiosk_outbox(self) -> Path:
        return self.root / "kiosk" / "outbox"


DEFAULT_LAYOUT = VarLayout(VAR)
"""The layout under the default ``var_dir``: the settings' default paths (``var/...``)."""
