"""A half-finished provisioning is safe to run again: stopped after any step, or killed while it
works, the next run finishes it, and the result is the same as one run from nothing (the back
office role: no devices needed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from config.runtime import free_tcp_port
from kiosk.ctl.provision import STEPS
from kiosk.ctl.provision_steps import Paths
from tests.deploy.rig import VENV, answers_text, provision

pytestmark = pytest.mark.slow


def _answers(root: Path, port: int) -> dict[str, object]:
    return {"role": "backoffice", "name": "bo-01", "location": "机房", "demo": True,
            "venv": str(VENV), "install": False,
            "server": {"port": port, "admin_token_out": str(root.parent / "admin.token")}}


def _tree(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under root, its mode and (for text we write) its content without the root."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "provision.json" and not p.name.endswith("-"):
            text = p.read_text(errors="replace").replace(str(root), "ROOT")
            secret = p.suffix in (".token", ".json") or "shadow" in p.name
            out[str(p.relative_to(root))] = (p.stat().st_mode & 0o7777,
                                             "" if secret else text)
    return out


def test_stopped_after_each_step_then_run_again(tmp_path: Path) -> None:
    port = free_tcp_port()
    clean = tmp_path / "clean" / "root"
    clean.parent.mkdir()
    assert provision(clean, _answers(clean, port), os.environ).returncode == 0
    root = tmp_path / "halves" / "root"
    root.parent.mkdir()
    for step in STEPS[:-1]:
        done = provision(root, _answers(root, port), os.environ, "--stop-after", step)
        assert done.returncode == 0, done.stderr
        state = json.loads(Paths(root).state_file.read_text())
        assert list(state["steps"])[-1] == step
    done = provision(root, _answers(root, port), os.environ)
    assert done.returncode == 0, done.stderr
    assert _tree(root) == _tree(clean)


def test_killed_while_it_works_then_run_again(tmp_path: Path) -> None:
    root = tmp_path / "root"
    answers = tmp_path / "answers.toml"
    answers.write_text(answers_text(_answers(root, free_tcp_port())))
    proc = subprocess.Popen([str(VENV / "bin" / "kioskctl"), "provision", "--answers",
                             str(answers), "--root", str(root)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    while "config" not in proc.stdout.readline():  # killed after the config, in the users
        pass
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    done = subprocess.run([str(VENV / "bin" / "kioskctl"), "provision", "--answers",
                           str(answers), "--root", str(root)], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    state = json.loads(Paths(root).state_file.read_text())
    assert list(state["steps"]) == list(STEPS)
    assert (root / "etc/systemd/system/citizen-hall-backoffice.service").exists()
    assert (Paths(root).state_dir / "keys" / "clearing_keys.toml").stat().st_mode & 0o777 \
        == 0o600


def test_another_role_on_the_same_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    port = free_tcp_port()
    assert provision(root, _answers(root, port), os.environ, "--stop-after", "role"
                     ).returncode == 0
    other = provision(root, {**_answers(root, port), "role": "validator"}, os.environ)
    assert other.returncode == 2 and "was being provisioned as backoffice" in other.stderr
