"""``kioskctl export-support FILE``: a tarball of what support needs to see of this terminal,
with no personal data and no keys.

    kioskctl export-support FILE [--config PATH] [--log FILE] [--lines N]

In it: ``config.toml`` (the settings as loaded, token and key paths kept, inline tokens
removed), ``doctor.json``, ``versions.json`` (programs, Python, platform), ``schemas.json``,
``journal.json`` (counts by status; no card numbers), ``log.txt`` (the last N lines of the
programs' logs: ``journalctl -u citizen-hall-*``, or ``--log FILE``), everything masked: card
numbers (16 digits), ID numbers (18 characters), holders' names and any value of a field whose
name says name, holder, id_number, pin, token or key. Key files and token files are never read.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import io
import json
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from config.cli import EXIT_CONFIG, EXIT_OK, fail
from config.settings import ConfigError, Settings, load_settings

__all__ = ["mask", "support_files"]

_CARD = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}([0-9Xx]{4})(?![0-9A-Za-z])")
_LONG_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])")
_SECRET_FIELD = re.compile(
    r'("?(?:[a-z_]*name|holder[a-z_]*|id_number|pin|[a-z_]*token|[a-z_]*key)"?\s*[:=]\s*)'
    r'("[^"]*"|\'[^\']*\'|[^\s,}]+)', re.I)
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,4}")


def mask(text: str, names: set[str] | None = None) -> str:
    """``text`` with card numbers, ID numbers, long hex (keys), secret fields and the given
    names masked."""
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + '"***"', text)
    text = _ID.sub(r"\1**********\2", text)
    text = _CARD.sub(r"\1********\2", text)
    text = _LONG_HEX.sub("<hex>", text)
    for name in names or set():
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def _settings_text(settings: Settings) -> str:
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            doc[f.name] = {k: str(v) for k, v in dataclasses.asdict(value).items()
                           if k != "token"}
    return json.dumps(doc, indent=1, ensure_ascii=False)


def _journal(settings: Settings) -> dict[str, Any]:
    from cardsvc.journal import Journal  # noqa: PLC0415

    if not settings.var.journal.exists():
        return {"journal": "none"}
    with Journal.open(settings.var.journal) as journal:
        return {"counts": journal.counts(), "hotlist_version": journal.hotlist_version(),
                "free_rides": journal.free_rides()}


def _log_lines(log: Path | None, lines: int) -> str:
    if log is not None:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    tool = shutil.which("journalctl")
    if tool is None:
        return "(no journalctl)"
    done = subprocess.run([tool, "-u", "citizen-hall-*", "-n", str(lines), "-o", "cat",
                           "--no-pager"], capture_output=True, text=True, check=False)
    return done.stdout or done.stderr


def _demo_names() -> set[str]:
    """Holders' names we know (the demo issuer's), masked wherever they appear."""
    try:
        from cardsvc.demo_issuer import load_demo_data  # noqa: PLC0415

        return {c.holder for c in load_demo_data().cards}
    except Exception:  # noqa: BLE001 - best effort: the patterns still mask fields
        return set()


def support_files(settings: Settings, log: Path | None, lines: int) -> dict[str, str]:
    from kiosk.ctl.doctor import Kiosk, run_checks  # noqa: PLC0415
    from kiosk.ctl.upgrade import versions  # noqa: PLC0415

    try:
        program = importlib.metadata.version("citizen-hall")
    except importlib.metadata.PackageNotFoundError:
        program = "unknown"
    findings = [f.as_dict() for f in run_checks(Kiosk(settings, 3.0))]
    return {
        "config.json": _settings_text(settings),
        "doctor.json": json.dumps(findings, indent=1, ensure_ascii=False),
        "versions.json": json.dumps({"citizen-hall": program, "python": sys.version,
                                     "platform": platform.platform()}, indent=1),
        "schemas.json": json.dumps(versions(settings), indent=1),
        "journal.json": json.dumps(_journal(settings), indent=1),
        "log.txt": _log_lines(log, lines),
    }


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("file", type=Path, help="the tarball to write (.tar.gz)")
    p.add_argument("--config", help="settings file (default: $CITIZEN_HALL_CONFIG ...)")
    p.add_argument("--log", type=Path, help="a log file instead of the systemd journal")
    p.add_argument("--lines", type=int, default=500, help="last N log lines (default 500)")
    args = p.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return fail(prog, f"配置错误 configuration error: {exc}", EXIT_CONFIG)
    names = _demo_names()
    files = support_files(settings, args.log, args.lines)
    with tarfile.open(args.file, "w:gz") as tar:
        for name, text in files.items():
            data = mask(text, names).encode()
            info = tarfile.TarInfo(f"support/{name}")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
    args.file.chmod(0o600)
    print(f"{args.file}: {', '.join(files)}")
    return EXIT_OK
