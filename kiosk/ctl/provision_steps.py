"""The steps of ``kioskctl provision`` that write something, each check-then-act: it looks at
what is there first and changes only what differs, every file replaced atomically, so that a
provisioning killed at any point is simply run again (kiosk/ctl/provision.py runs them).

Where things go, under the root (``/`` on a terminal, a scratch folder for tests and images):

    etc/citizen-hall/config.toml              the settings: only what differs from the defaults
    etc/citizen-hall/clearing-service.token   the back office's own clearing token (back office)
    etc/systemd/system/citizen-hall-*.service the role's units (config/deploy/, rendered)
    etc/sysusers.d/citizen-hall.conf          the programs' users and the device groups
    etc/udev/rules.d/70-citizen-hall.rules    the devices to those groups
    var/lib/citizen-hall/                     [paths] var_dir (config/layout.py): keys, tokens,
                                              journal, print queue, kiosk outbox; provision.json
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import config
from config.files import atomic_write

__all__ = ["DEPLOY", "EXTRAS", "UNITS", "Paths", "chown_to", "install_file", "render_units",
           "unit_command", "write_if_changed"]

DEPLOY = Path(config.__file__).resolve().parent / "deploy"
"""The unit, sysusers and udev templates."""

UNITS: Mapping[str, tuple[str, ...]] = {
    "kiosk": ("citizen-hall-cardsvc.service", "citizen-hall-kiosk.service",
              "citizen-hall-heartbeat.service", "citizen-hall-heartbeat.timer"),
    "canteen": ("citizen-hall-cardsvc.service", "citizen-hall-cashier.service",
                "citizen-hall-heartbeat.service", "citizen-hall-heartbeat.timer"),
    "retail": ("citizen-hall-cardsvc.service", "citizen-hall-cashier.service",
               "citizen-hall-heartbeat.service", "citizen-hall-heartbeat.timer"),
    "validator": ("citizen-hall-validator.service", "citizen-hall-heartbeat.service",
                  "citizen-hall-heartbeat.timer"),
    "backoffice": ("citizen-hall-backoffice.service",),
}
"""The units each role runs (the heartbeat is a service started by its timer)."""

EXTRAS: Mapping[str, str] = {
    "kiosk": "kiosk,api", "canteen": "terminal,api", "retail": "terminal,api",
    "validator": "terminal", "backoffice": "backoffice",
}
"""What ``pip install .[EXTRA]`` each role needs (pyproject.toml): a validator has no Qt, no
OpenCV and no web framework."""

OWNER: Mapping[str, str] = {"kiosk": "ch-kiosk", "canteen": "ch-cardsvc", "retail": "ch-cardsvc",
                            "validator": "ch-cardsvc", "backoffice": "ch-backoffice"}
"""Who owns the key material and tokens of a role (the card service's user on terminals)."""


@dataclass(frozen=True)
class Paths:
    """Every path of a provisioning, under ``root``."""

    root: Path

    def under(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    @property
    def etc(self) -> Path:
        return self.under("/etc/citizen-hall")

    @property
    def config(self) -> Path:
        return self.etc / "config.toml"

    @property
    def state_dir(self) -> Path:
        return self.under("/var/lib/citizen-hall")

    @property
    def state_file(self) -> Path:
        return self.state_dir / "provision.json"

    @property
    def units(self) -> Path:
        return self.under("/etc/systemd/system")

    @property
    def sysusers(self) -> Path:
        return self.under("/etc/sysusers.d/citizen-hall.conf")

    @property
    def udev(self) -> Path:
        return self.under("/etc/udev/rules.d/70-citizen-hall.rules")

    @property
    def service_token(self) -> Path:
        return self.etc / "clearing-service.token"


def write_if_changed(path: Path, data: bytes | str, mode: int = 0o644,
                     dir_mode: int = 0o755) -> bool:
    """Write ``path`` atomically unless it already holds ``data`` with ``mode``; True if written."""
    payload = data.encode() if isinstance(data, str) else data
    try:
        st = path.stat()
        if (st.st_mode & 0o7777) == mode and path.read_bytes() == payload:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, payload, mode=mode, dir_mode=dir_mode)
    return True


def _ids(root: Path, name: str, table: str) -> int | None:
    """A user's or group's number from ``root``'s passwd or group file."""
    try:
        lines = (root / "etc" / table).read_text().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        parts = line.split(":")
        if len(parts) > 2 and parts[0] == name:
            return int(parts[2])
    return None


def chown_to(root: Path, path: Path, user: str, group: str = "citizen-hall") -> bool:
    """Give ``path`` to ``user``:``group`` as ``root``'s passwd names them (only when this process
    may: as root). False when the names are unknown there or this is not root."""
    uid, gid = _ids(root, user, "passwd"), _ids(root, group, "group")
    if uid is None or gid is None or os.geteuid() != 0:
        return False
    st = path.stat()
    if (st.st_uid, st.st_gid) != (uid, gid):
        os.chown(path, uid, gid)
    return True


def install_file(root: Path, source: Path | None, content: bytes | None, dest: Path,
                 owner: str, *, own_dir: bool = True) -> bool:
    """Key material or a token at ``dest``: mode 0600, owned by ``owner``, folder 0700; True
    when it changed."""
    data = content if content is not None else (source.read_bytes() if source else b"")
    changed = write_if_changed(dest, data, mode=0o600, dir_mode=0o700)
    chown_to(root, dest, owner)
    if own_dir:
        chown_to(root, dest.parent, owner)
    return changed


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def render(template: str, values: Mapping[str, str]) -> str:
    text = template
    hardening = (DEPLOY / "hardening.conf").read_text().rstrip("\n")
    text = text.replace("@HARDENING@", hardening)
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if "@" in "".join(line for line in text.splitlines() if not line.startswith("#")):
        leftover = [w for w in text.split() if w.startswith("@") and w.endswith("@")]
        if leftover:
            raise ValueError(f"template value(s) missing: {', '.join(leftover)}")
    return text


def render_units(paths: Paths, role: str, values: Mapping[str, str]) -> dict[Path, str]:
    """The role's rendered units, sysusers file and udev rules, by where they go."""
    out = {paths.units / name: render((DEPLOY / name).read_text(), values)
           for name in UNITS[role]}
    out[paths.sysusers] = render((DEPLOY / "citizen-hall.sysusers").read_text(), values)
    out[paths.udev] = render((DEPLOY / "70-citizen-hall.rules").read_text(), values)
    return out


def unit_command(unit: Path) -> list[str]:
    """The program a unit starts (its ``ExecStart=``, split as systemd does for plain words)."""
    for line in unit.read_text().splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.partition("=")[2])
    raise ValueError(f"{unit} has no ExecStart")


def sysusers(paths: Paths) -> str:
    """Make the users and groups (``systemd-sysusers --root``); what happened, in words."""
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        return "systemd-sysusers is missing: users not made"
    args = [tool, str(paths.sysusers)]
    if paths.root.resolve() != Path("/"):
        args[1:1] = [f"--root={paths.root}"]
        for name in ("passwd", "group", "shadow", "gshadow"):
            f = paths.under(f"/etc/{name}")
            if not f.exists():
                f.touch(mode=0o600 if "sh" in name else 0o644)
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"systemd-sysusers failed: {done.stderr.strip()[:200]}"
    return "users and groups in place"


def verify_units(units: Sequence[Path]) -> tuple[bool, str]:
    """``systemd-analyze verify`` of the rendered units (True when it is silent and 0)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return False, "systemd-analyze is missing (Debian package systemd)"
    done = subprocess.run([tool, "verify", *map(str, units)], capture_output=True, text=True,
                          check=False, env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})
    said = (done.stdout + done.stderr).strip()
    return done.returncode == 0 and not said, said


def enable_units(paths: Paths, units: Sequence[str]) -> str:
    """Enable the units: on the live system (and start them), or in the scratch root's tree."""
    tool = shutil.which("systemctl")
    if tool is None:
        return "systemctl missing: units not enabled"
    enabled = [u for u in units if u != "citizen-hall-heartbeat.service"]
    live = paths.root.resolve() == Path("/")
    args = [tool, *(() if live else (f"--root={paths.root}",)), "enable", *enabled]
    if live:
        subprocess.run([tool, "daemon-reload"], check=False)
        args.insert(2, "--now")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    return "enabled" if done.returncode == 0 else f"not enabled: {done.stderr.strip()[:200]}"


def pip_install(venv: Path, source: str, extra: str) -> tuple[bool, str]:
    """The role's install: a venv at ``venv`` with ``SOURCE[EXTRA]`` (check-then-act: nothing
    when the package and the extra's top modules are there already)."""
    python = venv / "bin" / "python"
    probe = {"kiosk": "PySide6, cv2", "api": "fastapi", "terminal": "escpos, serial",
             "backoffice": "sqlalchemy, psycopg"}
    modules = ", ".join(probe[e] for e in extra.split(","))
    if python.exists() and subprocess.run(
            [str(python), "-c", f"import cardsvc, {modules}"], capture_output=True,
            check=False).returncode == 0:
        return False, f"{venv}: citizen-hall[{extra}] already installed"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                           f"{source}[{extra}]"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip install {source}[{extra}] failed: {done.stderr.strip()[-300:]}")
    return True, f"{venv}: citizen-hall[{extra}] installed"


def settings_doc(values: Mapping[str, Mapping[str, Any]]) -> str:
    """TOML text of ``{section: {key: value}}`` (strings, numbers, booleans)."""
    lines = ["# Written by `kioskctl provision`: only what differs from the defaults",
             "# (config/default.toml). Check it with `kioskctl doctor`."]
    for section, keys in values.items():
        if not keys:
            continue
        lines.append(f"\n[{section}]")
        for key, value in keys.items():
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
