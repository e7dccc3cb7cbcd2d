"""A vpcd port that another program holds is a loud failure naming the port, never "ready"
(issue 12, item 8: `simulators pcscd run --base-port P` while another pcscd held P printed the
readers as ready, and `cardsvc readers` then said "no card reader is attached" with exit 0)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators import pcscd as pcscd_module
from simulators.pcscd import PcscdError, PcscdProcess, free_port_pair

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port pair another program listens on, as another pcscd's vpcd readers do."""
    port = free_port_pair(41000, 43000)
    with contextlib.ExitStack() as stack:
        for held in (port, port + 1):
            other = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            other.bind(("0.0.0.0", held))
            other.listen(1)
        yield port


def test_a_held_port_is_refused_before_pcscd_starts(tmp_path: Path, held_port: int) -> None:
    daemon = PcscdProcess(tmp_path / "pcscd", base_port=held_port)
    with pytest.raises(PcscdError, match=rf"vpcd port {held_port} is already in use"):
        daemon.start()
    assert daemon.proc is None


def test_pcscd_that_cannot_listen_is_not_reported_ready(
        tmp_path: Path, held_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when the port is taken between the check and pcscd's own bind (the check is
    skipped here), the daemon is stopped and the port named: someone else's listener is not
    ours."""
    real = pcscd_module._listening
    pre_checks = [True, True]  # the two ports' checks before pcscd starts say "free"

    def listening(port: int) -> bool:
        return False if pre_checks and pre_checks.pop() else real(port)

    monkeypatch.setattr(pcscd_module, "_listening", listening)
    daemon = PcscdProcess(tmp_path / "pcscd", base_port=held_port, startup_timeout=5.0)
    with pytest.raises(PcscdError, match=rf"vpcd port {held_port} is already in use"):
        daemon.start()
    assert daemon.proc is None
    assert "Address already in use" in (tmp_path / "pcscd" / "pcscd.log").read_text()


def test_the_cli_fails_loudly_with_the_port(tmp_path: Path, held_port: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simulators.cli", "pcscd", "run", "--workdir",
         str(tmp_path / "pcscd"), "--base-port", str(held_port)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "PCSCLITE_CSOCK_NAME" not in done.stdout  # nothing said to be ready
    errors = [line for line in done.stderr.splitlines() if not line.startswith("{")]
    assert len(errors) == 1 and str(held_port) in errors[0], done.stderr
    assert "Traceback" not in done.stderr
