"""Fixtures of the printer tests: the virtual printer (in-process, a free port) and printers
that misbehave (one that never answers, one that is not there)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer import Printer
from simulators.printer import VirtualPrinter


@pytest.fixture
def virtual_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    """A 58 mm GB18030 virtual printer on a free port; receipts in ``tmp_path / "paper"``."""
    with VirtualPrinter(tmp_path / "paper") as printer:
        yield printer


@pytest.fixture
def virtual_printer_80(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(tmp_path / "paper80", paper_mm=80) as printer:
        yield printer


@pytest.fixture
def printer(virtual_printer: VirtualPrinter) -> Printer:
    return Printer(virtual_printer.url, "generic-58", timeout=2.0)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never reads or answers."""
    with socket.create_server(("127.0.0.1", 0), backlog=4) as sock:
        yield sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port where nothing listens (connection refused)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])
