"""The two vpcd readers of pcscd as the chaos suite uses them: the user-card reader and the
PSAM reader, each a bridge serving ``ControlledCard(Socket(card))``.

In the bench, :func:`private_readers` starts a private pcscd (``PCSCLITE_CSOCK_NAME`` is set in
this process before its first PC/SC call) and the bridges. In the tests, :class:`Readers` is
built from the session ``pcscd`` fixture and two ``attach_card(card=Socket(...))`` handles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.chaos.devices import BridgeHandle, Handle, Socket, VpcdSlot
from bench.chaos.station import Tier
from drivers.pcsc import open_backend
from drivers.pcsc.spi import BackendSpi, SimulatedCard
from simulators.pcscd import READER_NAMES, PcscdProcess


@dataclass
class Readers:
    env: dict[str, str]
    """Environment for another process to reach this pcscd."""
    backend: BackendSpi
    card: Handle
    card_socket: Socket
    psam: Handle
    psam_socket: Socket

    def tier(self) -> Tier:
        return Tier("pcscd", self.backend, VpcdSlot(self.card, self.card_socket),
                    VpcdSlot(self.psam, self.psam_socket))


@contextmanager
def private_readers(root: Path, card: SimulatedCard, psam: SimulatedCard) -> Iterator[Readers]:
    """A private pcscd with ``card`` in ``Virtual PCD 00 00`` and ``psam`` in ``00 01``."""
    with ExitStack() as stack:
        pcscd = stack.enter_context(PcscdProcess(root / "pcscd"))
        os.environ.update(pcscd.env)
        backend = open_backend("pcsc://")
        stack.callback(backend.close)
        card_socket, psam_socket = Socket(card), Socket(psam)
        handles = []
        for socket, port, reader, name in ((card_socket, pcscd.ports[0], READER_NAMES[0], "card"),
                                           (psam_socket, pcscd.ports[1], READER_NAMES[1], "psam")):
            handle = BridgeHandle(socket, port, reader, backend, name=name)
            stack.callback(handle.close)
            handles.append(handle)
        yield Readers(dict(pcscd.env), backend, handles[0], card_socket, handles[1], psam_socket)
