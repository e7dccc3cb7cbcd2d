"""The simulated card stack for benchmarks: a private pcscd, the virtual user card and PSAM
attached through vpcd (bridges in this process), and the product's PC/SC backend.

``PCSCLITE_CSOCK_NAME`` is set before the backend's first PC/SC call (libpcsclite reads it once
per process), so a benchmark never touches a system pcscd.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from drivers.pcsc import open_backend
from drivers.pcsc.spi import BackendSpi, SimulatedCard
from simulators.card.controls import ControlledCard
from simulators.card.factory import open_psam, open_user_card
from simulators.pcscd import READER_NAMES, PcscdProcess
from simulators.vpcd import VpcdBridge


@dataclass
class Stack:
    root: Path
    pcscd: PcscdProcess
    backend: BackendSpi
    card: ControlledCard
    psam: ControlledCard
    card_reader: str = READER_NAMES[0]
    sam_reader: str = READER_NAMES[1]


def wait_present(backend: BackendSpi, reader: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reader in backend.list_readers() and backend.card_present(reader):
            return
        time.sleep(0.05)
    raise RuntimeError(f"pcscd does not see the card in {reader!r}")


@contextmanager
def card_stack(card_no: str = "4102000000000001", *,
               card: SimulatedCard | None = None) -> Iterator[Stack]:
    """``root`` is on disk (for journals); the virtual cards keep their state in RAM (tmpfs)
    when it exists, so that the simulator's own fsyncs (a real card's EEPROM write time) do not
    hide the terminal's cost."""
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
        cards = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-", dir=ram)))
        pcscd = stack.enter_context(PcscdProcess(root / "pcscd"))
        os.environ.update(pcscd.env)
        user = ControlledCard(card or open_user_card(cards / "cards", card_no))
        psam = ControlledCard(open_psam(cards / "psam"))
        for model, port in ((user, pcscd.ports[0]), (psam, pcscd.ports[1])):
            stack.enter_context(VpcdBridge(model, port, name="bench"))
        backend = open_backend("pcsc://")
        stack.callback(backend.close)
        for reader in READER_NAMES:
            wait_present(backend, reader)
        yield Stack(root, pcscd, backend, user, psam)
