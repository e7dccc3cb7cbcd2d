"""``kioskctl provision``: from a bare Debian box with its devices plugged in to a registered
terminal whose services start on boot.

    kioskctl provision [--answers FILE] [--root DIR] [--stop-after STEP] [--json]

Steps, in order (each check-then-act; a state file records the ones done, so a provisioning
killed at any step is simply run again and goes on where it stopped, asking nothing twice):

    role      kiosk, canteen or retail till, bus validator, back office
    install   the role's extra of pyproject.toml into the venv (a validator: .[terminal] only)
    devices   PC/SC readers (which one holds the PSAM: its terminal ID), serial ports (an
              ID-card reader's SAM-V status), v4l2 cameras, USB and network printers (DLE EOT),
              each confirmed by the technician (or named in the answers file)
    config    etc/citizen-hall/config.toml, only what differs from the defaults, validated by
              loading it
    users     the programs' unprivileged users and the device groups (systemd-sysusers)
    keys      the terminal's key material (or the back office's keys and tokens), mode 0600,
              owned by the program's user
    register  the terminal at the back office (terminal ID, PSAM ID, role, location), which
              issues its token (written 0600 where the settings name it)
    units     systemd units, sysusers and udev rules of the role, checked with
              systemd-analyze verify, enabled
    check     kioskctl doctor's checks of the role's devices and the back office
    receipt   a test receipt with the summary

``--answers FILE`` (TOML, docs/design.md "Provisioning") answers every question, for a fleet;
without it the questions are asked. ``--root DIR`` writes everything under DIR (tests, images).
Exit codes: 0 done, 1 a check failed, 2 usage (the answers), 3 a device or the back office
does not answer, 4 configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, fail
from config.cli import print_json as _print_json
from config.files import atomic_write
from kiosk.ctl.provision_steps import Paths

ROLES = ("kiosk", "canteen", "retail", "validator", "backoffice")
STEPS = ("role", "install", "devices", "config", "users", "keys", "register", "units", "check",
         "receipt")
DEVICES_OF: Mapping[str, tuple[str, ...]] = {
    "kiosk": ("card-reader", "sam", "printer", "camera", "idcard"),
    "canteen": ("card-reader", "sam", "printer"), "retail": ("card-reader", "sam", "printer"),
    "validator": ("card-reader", "sam"), "backoffice": ()}
CHECKS_OF: Mapping[str, tuple[str, ...]] = {
    "kiosk": ("card-readers", "sam", "printer", "camera", "idcard", "backoffice"),
    "canteen": ("card-readers", "sam", "printer", "backoffice"),
    "retail": ("card-readers", "sam", "printer", "backoffice"),
    "validator": ("card-readers", "sam", "backoffice"), "backoffice": ()}


class ProvisionError(Exception):
    """A step cannot be done; ``exit`` says why (config.cli's exit codes)."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit = exit_code


@dataclass
class Answers:
    """The technician's answers: from the answers file, else asked."""

    doc: dict[str, Any]
    ask: Callable[[str], str] | None
    asked: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, question: str, default: str | None = None) -> str:
        """``key`` (``section.name`` for a table's key) from the file, else asked, else the
        default; a usage error when nobody can answer."""
        section, _, name = key.rpartition(".")
        table = self.doc.get(section, {}) if section else self.doc
        if isinstance(table, dict) and name in table:
            return str(table[name]) if not isinstance(table[name], bool) \
                else ("yes" if table[name] else "no")
        if self.ask is not None:
            shown = f" [{default}]" if default is not None else ""
            said = self.ask(f"{question}{shown}: ").strip()
            self.asked[key] = said or (default or "")
            return said or (default or "")
        if default is not None:
            return default
        raise ProvisionError(f"the answers file does not say `{key}` ({question})", EXIT_USAGE)

    def yes(self, key: str, question: str, default: bool = True) -> bool:
        said = self.get(key, question, "yes" if default else "no").lower()
        if said in ("yes", "y", "true", "1", "是"):
            return True
        if said in ("no", "n", "false", "0", "否"):
            return False
        raise ProvisionError(f"`{key}`: yes or no, not {said!r}", EXIT_USAGE)

    def confirm(self, what: str) -> bool:
        """The technician's yes to a found device (the answers file confirms what it names)."""
        if self.ask is None:
            return True
        return self.ask(f"use {what}? [Y/n]: ").strip().lower() in ("", "y", "yes", "是")

    def paths(self, key: str) -> list[str]:
        section, _, name = key.rpartition(".")
        table = self.doc.get(section, {})
        value = table.get(name, []) if isinstance(table, dict) else []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@dataclass
class Run:
    """One provisioning: where, the answers, what was done before."""

    paths: Paths
    answers: Answers
    state: dict[str, Any]
    out: Callable[[str], None]

    @property
    def role(self) -> str:
        return str(self.state["role"])

    def done(self, step: str) -> dict[str, Any] | None:
        steps: dict[str, Any] = self.state.setdefault("steps", {})
        found = steps.get(step)
        return found if isinstance(found, dict) else None

    def record(self, step: str, said: str, data: Mapping[str, Any]) -> None:
        self.state.setdefault("steps", {})[step] = {
            "at": dt.datetime.now().isoformat(timespec="seconds"), "said": said,
            "data": dict(data)}
        atomic_write(self.paths.state_file, json.dumps(self.state, indent=1, ensure_ascii=False),
                     mode=0o600, dir_mode=0o755)

    def data(self, step: str) -> dict[str, Any]:
        found = self.done(step)
        if found is None:
            raise ProvisionError(f"step {step} has not been done")  # pragma: no cover
        return dict(found["data"])


def load_state(paths: Paths) -> dict[str, Any]:
    try:
        doc = json.loads(paths.state_file.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ProvisionError(f"the state file {paths.state_file} is unreadable ({exc}); "
                             "move it away to start over", EXIT_CONFIG) from None
    return doc if isinstance(doc, dict) else {}


def step_role(run: Run) -> tuple[str, dict[str, Any]]:
    role = run.answers.get("role", f"role ({', '.join(ROLES)})")
    if role not in ROLES:
        raise ProvisionError(f"role must be one of {', '.join(ROLES)}, not {role!r}",
                             EXIT_USAGE)
    before = run.state.get("role")
    if before and before != role:
        raise ProvisionError(f"this machine was being provisioned as {before}, not {role}: "
                             f"move {run.paths.state_file} away to start over", EXIT_USAGE)
    run.state["role"] = role
    name = run.answers.get("name", "terminal name", f"{role}-01")
    location = run.answers.get("location", "location (hall, floor, counter)", "")
    return f"{role} {name!r} at {location or '-'}", {"name": name, "location": location}


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("--answers", type=Path, metavar="FILE", help="the answers (TOML)")
    p.add_argument("--root", type=Path, default=Path("/"), metavar="DIR",
                   help="provision into DIR instead of / (tests, image building)")
    p.add_argument("--stop-after", choices=STEPS, metavar="STEP",
                   help=f"stop after this step ({', '.join(STEPS)})")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = p.parse_args(argv)
    try:
        return _provision(args)
    except ProvisionError as exc:
        return fail(prog, f"开通失败 provisioning failed: {exc}", exc.exit)


def _provision(args: argparse.Namespace) -> int:
    from kiosk.ctl import provision_run  # noqa: PLC0415 - the steps that import devices

    doc: dict[str, Any] = {}
    if args.answers is not None:
        try:
            doc = tomllib.loads(args.answers.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProvisionError(f"answers file {args.answers}: {exc}", EXIT_USAGE) from None
    ask = None if args.answers is not None or not sys.stdin.isatty() else input
    paths = Paths(args.root.resolve())
    run = Run(paths, Answers(doc, ask), load_state(paths),
              out=(lambda _s: None) if args.json else print)
    steps: dict[str, Callable[[Run], tuple[str, dict[str, Any]]]] = {
        "role": step_role, **provision_run.STEP_FUNCTIONS}
    for name in STEPS:
        previous = run.done(name)
        if previous is not None and name in provision_run.ONCE:
            run.out(f"  done  {name:<9} {previous['said']} (earlier)")
        else:
            said, data = steps[name](run)
            run.record(name, said, data)
            run.out(f"  ok    {name:<9} {said}")
        if name == args.stop_after:
            break
    summary = {"root": str(paths.root), "role": run.state.get("role"),
               "steps": run.state.get("steps", {})}
    if args.json:
        _print_json(summary)
    return EXIT_OK


__all__ = ["CHECKS_OF", "DEVICES_OF", "EXIT_UNAVAILABLE", "ROLES", "STEPS", "Answers",
           "ProvisionError", "Run", "main"]
