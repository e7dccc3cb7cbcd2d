"""Fixtures for the kiosk: Qt offscreen, a small catalogue, and a built kiosk on fakes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

from config.settings import KioskSettings
from kiosk.app import Kiosk, Ports, build
from kiosk.pin import pin_hash
from tests.kiosk import catalogue_data
from tests.kiosk.fakes import FakeCard, FakeHall, FakeIdCard, FakePrinter, FakeScanner, sample_png

PORTRAIT = QSize(1080, 1920)
LANDSCAPE = QSize(1920, 1080)


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["kiosk-tests"]


@pytest.fixture(scope="session")
def catalogue_file(tmp_path_factory: pytest.TempPathFactory, qapp: QGuiApplication) -> Path:
    return catalogue_data.write(tmp_path_factory.mktemp("catalogue"), sample_png())


TECHNICIAN_PIN = "246810"


@pytest.fixture(scope="session")
def technician_hash() -> str:
    return pin_hash(TECHNICIAN_PIN)


@pytest.fixture
def settings(tmp_path: Path, catalogue_file: Path, technician_hash: str) -> KioskSettings:
    return KioskSettings(catalogue_file=catalogue_file, session_dir=tmp_path / "session",
                         technician_pin_hash=technician_hash)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def kiosk(qapp: QGuiApplication, settings: KioskSettings, catalogue_file: Path,
          clock: Clock) -> Iterator[Kiosk]:
    ports = Ports(hall=FakeHall(catalogue_file), printer=FakePrinter(), scanner=FakeScanner(),
                  idcard=FakeIdCard(), card=FakeCard())
    k = build(ports, settings, size=PORTRAIT, px_per_mm=4.0, clock=clock)
    k.ports = ports
    try:
        yield k
    finally:
        k.close()
