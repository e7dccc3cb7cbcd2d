"""Session-wide test fixtures.

``pcscd``: the real pcscd with the vpcd driver, private to this test run (see
simulators/pcscd.py). It is started once per session and its socket is exported through
``PCSCLITE_CSOCK_NAME`` *before* any PC/SC call, because libpcsclite reads that variable once per
process. If it cannot be started the run fails with the reason; it is never skipped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from simulators.pcscd import PcscdError, PcscdProcess


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """A program's ``main`` run in-process sets up the root logger on the test's captured stderr;
    the next test's libraries (python-escpos logs to the root) must not write to it closed."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)

pytest_plugins = ["tests.fixtures.cards"]


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscdProcess]:
    daemon = PcscdProcess(tmp_path_factory.mktemp("pcscd"))
    try:
        daemon.start()
    except PcscdError as exc:
        pytest.fail(f"cannot start pcscd for the end-to-end tests: {exc}", pytrace=False)
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    os.environ.update(daemon.env)
    try:
        yield daemon
    finally:
        daemon.stop()
        if previous is None:
            os.environ.pop("PCSCLITE_CSOCK_NAME", None)
        else:
            os.environ["PCSCLITE_CSOCK_NAME"] = previous
