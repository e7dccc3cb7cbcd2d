"""Provision a role into a scratch root and run what its units run, as one power domain.

``provision(root, answers)`` runs ``kioskctl provision --answers`` as a child (as a technician
would); ``Services`` starts the ``ExecStart=`` commands of the role's units (the kiosk's
without its ``cage --`` shell, offscreen) in ONE new process group, so that ``power_cut()``
(SIGKILL to the group) takes down the whole terminal at once, as pulling the plug does.
"""

from __future__ import annotations

import grp
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.ctl.provision_steps import UNITS, Paths, unit_command

VENV = Path(sys.executable).parent.parent


def answers_text(values: Mapping[str, Any]) -> str:
    """A TOML answers file (top-level keys, then tables)."""
    lines: list[str] = []
    tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
    for key, value in values.items():
        if not isinstance(value, Mapping):
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def provision(root: Path, answers: Mapping[str, Any], env: Mapping[str, str],
              *extra: str) -> subprocess.CompletedProcess[str]:
    file = root.parent / f"{root.name}-answers.toml"
    file.write_text(answers_text(answers))
    return subprocess.run([str(VENV / "bin" / "kioskctl"), "provision", "--answers", str(file),
                           "--root", str(root), *extra], env=dict(env), capture_output=True,
                          text=True, timeout=180, check=False)


def commands(root: Path, role: str) -> list[list[str]]:
    """What the role's long-running units start (the heartbeat is a timer's oneshot)."""
    out = []
    for name in UNITS[role]:
        if "heartbeat" in name:
            continue
        argv = unit_command(Paths(root).units / name)
        if argv[0].endswith("/cage"):
            argv = argv[argv.index("--") + 1:]
        if "--token-group" in argv:  # the scratch root's group is not this machine's: ours
            argv[argv.index("--token-group") + 1] = grp.getgrgid(os.getgid()).gr_name
        out.append(argv)
    return out


class Services:
    """The role's programs in one process group (a terminal's power domain)."""

    def __init__(self, root: Path, role: str, env: Mapping[str, str]) -> None:
        self.root, self.role = root, role
        self.env = {**env, "QT_QPA_PLATFORM": "offscreen"}
        self.procs: list[subprocess.Popen[str]] = []
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)

    def start(self, *, stdin_of: str = "", wait: Callable[[], bool] | None = None) -> None:
        """Start every unit's command (the one named ``stdin_of`` with a pipe for its keyboard);
        then wait until ``wait()`` is true."""
        pgid = 0
        for argv in commands(self.root, self.role):
            name = Path(argv[0]).name + "-" + (argv[1] if len(argv) > 1 else "")
            log = (self.logs / f"{name}.log").open("a")
            kwargs: dict[str, Any] = {"process_group": pgid}  # 0: a new group, the first
            proc = subprocess.Popen(
                argv, env=self.env, stdout=subprocess.PIPE if name == stdin_of else log,
                stderr=log, stdin=subprocess.PIPE if name == stdin_of else subprocess.DEVNULL,
                text=True, **kwargs)
            pgid = pgid or proc.pid
            self.procs.append(proc)
            if argv[1:2] == ["serve"]:  # the others talk to it: wait for it first
                self.wait_for(lambda: _healthy(self.root), 90, "the card service/back office")
        if wait is not None:
            self.wait_for(wait, 90, "the services")

    def wait_for(self, cond: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            dead = [p.args for p in self.procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                logs = self.tail()
                self.stop()  # nothing left running after a failed test
                raise AssertionError(f"{what}: not ready (dead: {dead}); logs:\n{logs}")
            time.sleep(0.1)

    def proc(self, program: str) -> subprocess.Popen[str]:
        return next(p for p in self.procs if program in " ".join(str(a) for a in p.args))  # type: ignore[union-attr]

    def power_cut(self) -> None:
        """SIGKILL to the whole process group: nothing gets to clean up."""
        os.killpg(self.procs[0].pid, signal.SIGKILL)
        for p in self.procs:
            p.wait(10)
        self.procs = []

    def stop(self) -> list[int]:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        codes = [p.returncode for p in self.procs]
        self.procs = []
        return codes

    def tail(self, lines: int = 30) -> str:
        return "\n".join(f"--- {f.name}\n" + "\n".join(f.read_text().splitlines()[-lines:])
                         for f in sorted(self.logs.glob("*.log")))


def _healthy(root: Path) -> bool:
    import httpx  # noqa: PLC0415

    text = (Paths(root).config).read_text()
    port = "8470"
    for line in text.splitlines():
        if line.startswith("port = "):
            port = line.split("=")[1].strip()
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
