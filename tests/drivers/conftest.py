"""Fixtures of the reader-layer tests: an in-memory reader holding the test-local fake card."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.trace import LOGGER_NAME
from tests.drivers.fake_card import FakeCard

READER = "Fake Reader 0"


class RecordList(logging.Handler):
    """Keeps every record of the APDU trace logger (whatever the root logger does)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def everything(self) -> str:
        """Every message and every attribute of every record, as one string."""
        return "\n".join(f"{r.getMessage()} {vars(r)!r}" for r in self.records)


@pytest.fixture
def card() -> Iterator[FakeCard]:
    fake = FakeCard()
    yield fake
    fake.release.set()  # never leave a worker blocked in the card


@pytest.fixture
def backend(card: FakeCard) -> MemoryBackend:
    memory = MemoryBackend([READER, "Fake Reader 1"])
    memory.insert(READER, card)
    return memory


@pytest.fixture
def trace() -> Iterator[RecordList]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = RecordList()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)
