"""Install by role (pyproject.toml's extras): a bus validator's install, `.[terminal]` alone in
a fresh venv (wheels from the shared pip cache; PyPI only for what the cache lacks), runs
`cardsvc validator --help` and has no PySide6, OpenCV or web framework. Slow (a venv and a
pip install): marked slow, run in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_a_validator_installs_terminal_only(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", f"{REPO}[terminal]"],
                         capture_output=True, text=True, timeout=900, check=False)
    if pip.returncode != 0 and "Could not find a version" in pip.stderr:
        pytest.skip(f"offline and not in the pip cache: {pip.stderr[-200:]}")
    assert pip.returncode == 0, pip.stderr[-2000:]
    helped = subprocess.run([str(venv / "bin" / "cardsvc"), "validator", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert helped.returncode == 0 and "--line" in helped.stdout, helped.stderr
    for absent in ("PySide6", "cv2", "fastapi", "uvicorn", "sqlalchemy"):
        probe = subprocess.run([str(venv / "bin" / "python"), "-c", f"import {absent}"],
                               capture_output=True, timeout=60, check=False, cwd=tmp_path)
        assert probe.returncode != 0, f"{absent} is installed in a validator"
    doctor = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import kiosk.ctl.doctor, kiosk.ctl.heartbeat, kiosk.ctl.provision"],
                            capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert doctor.returncode == 0, doctor.stderr  # the heartbeat timer runs on a validator
    provision = subprocess.run([str(venv / "bin" / "kioskctl"), "provision", "--help"],
                               capture_output=True, text=True, timeout=60, check=False)
    assert provision.returncode == 0, provision.stderr
