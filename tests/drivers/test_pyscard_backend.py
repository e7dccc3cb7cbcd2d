"""PyscardBackend without pcscd: PC/SC return codes -> the error tree, context handling.

A fake ``scard`` module is injected (unit tests of this one layer); the real pcscd is exercised
in test_pcscd_e2e.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from drivers.pcsc import errors
from drivers.pcsc import pyscard_backend as pb
from drivers.pcsc.pyscard_backend import PyscardBackend, error_from_code
from drivers.pcsc.spi import PNP_READER, ReaderStatus


@pytest.mark.parametrize(("code", "op", "expected"), [
    (pb.SCARD_E_NO_SERVICE, "service", errors.ServiceUnavailable),
    (pb.SCARD_E_SERVICE_STOPPED, "service", errors.ServiceUnavailable),
    (pb.SCARD_F_COMM_ERROR, "transmit", errors.ServiceUnavailable),
    (pb.SCARD_E_NO_SERVICE, "connect", errors.ServiceUnavailable),
    (pb.SCARD_E_UNKNOWN_READER, "connect", errors.ReaderUnavailable),
    (pb.SCARD_E_READER_UNAVAILABLE, "transmit", errors.ReaderUnavailable),
    (pb.SCARD_E_SHARING_VIOLATION, "connect", errors.ReaderBusy),
    (pb.SCARD_E_NO_SMARTCARD, "connect", errors.NoCard),
    (pb.SCARD_W_REMOVED_CARD, "connect", errors.NoCard),
    (pb.SCARD_W_UNRESPONSIVE_CARD, "connect", errors.NoCard),
    (pb.SCARD_E_NO_SMARTCARD, "transmit", errors.CardRemoved),
    (pb.SCARD_W_REMOVED_CARD, "transmit", errors.CardRemoved),
    (pb.SCARD_W_RESET_CARD, "transmit", errors.CardRemoved),
    (pb.SCARD_E_TIMEOUT, "transmit", errors.TransmitTimeout),
    (pb.SCARD_E_INVALID_HANDLE, "transmit", errors.ChannelClosed),
    (pb.SCARD_E_PROTO_MISMATCH, "transmit", errors.TransmitError),
    (0x80100016, "transmit", errors.TransmitError),  # NOT_TRANSACTED
    (pb.SCARD_E_INVALID_HANDLE, "service", errors.ServiceUnavailable),
    (0x80100004, "service", errors.PcscError),  # INVALID_PARAMETER
])
def test_error_mapping(code: int, op: pb.Operation, expected: type[errors.PcscError]) -> None:
    exc = error_from_code(code, op, "Reader X")
    assert type(exc) is expected
    assert f"0x{code:08X}" in str(exc) and str(exc).startswith("Reader X: ")


def test_negative_codes_from_32_bit_builds_are_normalised() -> None:
    signed = pb.SCARD_E_NO_SERVICE - (1 << 32)
    assert isinstance(error_from_code(signed, "service"), errors.ServiceUnavailable)


class FakeScard:
    """Just enough of ``smartcard.scard`` (constants and the calls the backend makes)."""

    SCARD_S_SUCCESS = 0
    SCARD_SCOPE_USER = 0
    SCARD_SHARE_SHARED = 2
    SCARD_SHARE_EXCLUSIVE = 1
    SCARD_PROTOCOL_T0 = 1
    SCARD_PROTOCOL_T1 = 2
    SCARD_PCI_T0 = 101
    SCARD_PCI_T1 = 102
    SCARD_LEAVE_CARD = 0

    def __init__(self) -> None:
        self.next_context = 1
        self.live: set[int] = set()
        self.dead = False
        self.readers = ["R0", "R1"]
        self.present = {"R0": True, "R1": False}
        self.protocol = 1
        self.calls: list[tuple[Any, ...]] = []

    def SCardEstablishContext(self, scope: int) -> tuple[int, int]:
        if self.dead:
            return pb.SCARD_E_NO_SERVICE, 0
        ctx = self.next_context
        self.next_context += 1
        self.live.add(ctx)
        return 0, ctx

    def SCardReleaseContext(self, ctx: int) -> int:
        self.live.discard(ctx)
        return 0

    def restart(self) -> None:
        """pcscd restarted: every context is dead."""
        self.live.clear()

    def SCardListReaders(self, ctx: int, groups: list[str]) -> tuple[int, list[str]]:
        if self.dead or ctx not in self.live:
            return pb.SCARD_E_NO_SERVICE, []
        if not self.readers:
            return pb.SCARD_E_NO_READERS_AVAILABLE, []
        return 0, [*self.readers, PNP_READER]

    def SCardGetStatusChange(self, ctx: int, timeout: int,
                             states: list[tuple[str, int]]) -> tuple[int, list[Any]]:
        self.calls.append(("gsc", ctx, timeout, tuple(states)))
        if self.dead or ctx not in self.live:
            return pb.SCARD_E_NO_SERVICE, []
        out: list[tuple[str, int, list[int]]] = []
        for name, _current in states:
            if name == PNP_READER:
                out.append((name, 0, []))
                continue
            if name not in self.present:
                return pb.SCARD_E_UNKNOWN_READER, []
            here = self.present[name]
            event = (7 << 16) | (pb.SCARD_STATE_PRESENT if here else 0x10)
            out.append((name, event | pb.SCARD_STATE_CHANGED, [0x3B, 0x00] if here else []))
        return (pb.SCARD_E_TIMEOUT if timeout else 0), out

    def SCardConnect(self, ctx: int, reader: str, share: int,
                     protocols: int) -> tuple[int, int, int]:
        self.calls.append(("connect", ctx, reader))
        if not self.present.get(reader):
            return pb.SCARD_E_NO_SMARTCARD, 0, 0
        return 0, 1000 + ctx, self.protocol

    def SCardStatus(self, handle: int) -> tuple[int, str, int, int, list[int]]:
        return 0, "R0", 0x34, self.protocol, [0x3B, 0x00]

    def SCardTransmit(self, handle: int, pci: int, apdu: list[int]) -> tuple[int, list[int]]:
        self.calls.append(("transmit", handle, pci, bytes(apdu)))
        if not self.present["R0"]:
            return pb.SCARD_W_REMOVED_CARD, []
        return 0, [0x90, 0x00]

    def SCardDisconnect(self, handle: int, disposition: int) -> int:
        self.calls.append(("disconnect", handle, disposition))
        return 0

    def SCardCancel(self, ctx: int) -> int:
        self.calls.append(("cancel", ctx))
        return 0


@pytest.fixture
def fake() -> FakeScard:
    return FakeScard()


def test_lists_readers_without_the_pnp_pseudo_reader(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    assert backend.list_readers() == ["R0", "R1"]
    fake.readers = []
    assert backend.list_readers() == []


def test_statuses_carry_presence_atr_and_event_counter(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    assert backend.reader_statuses() == {
        "R0": ReaderStatus(True, b"\x3b\x00", events=7), "R1": ReaderStatus(False, events=7)}
    assert backend.card_present("R0") and not backend.card_present("R1")
    with pytest.raises(errors.ReaderUnavailable):
        backend.card_present("Nope")


def test_a_dead_context_is_replaced_transparently(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    assert backend.list_readers()
    fake.restart()  # pcscd restarted between two calls
    assert backend.list_readers() == ["R0", "R1"]
    assert len(fake.live) == 1


def test_no_pcscd_is_service_unavailable_and_recovers(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    fake.dead = True
    with pytest.raises(errors.ServiceUnavailable, match="not running"):
        backend.list_readers()
    with pytest.raises(errors.ServiceUnavailable):
        backend.connect("R0", 0)
    fake.dead = False
    assert backend.list_readers() == ["R0", "R1"]


def test_connect_uses_its_own_context_and_the_right_pci(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    backend.list_readers()
    conn = backend.connect("R0", 0)
    assert conn.atr == b"\x3b\x00"
    assert len(fake.live) == 2  # the backend's and the connection's
    assert conn.transmit_raw(b"\x00\xa4\x04\x00", 1.0) == b"\x90\x00"
    assert ("transmit", 1002, FakeScard.SCARD_PCI_T0, b"\x00\xa4\x04\x00") in fake.calls
    conn.disconnect()
    conn.disconnect()
    assert len(fake.live) == 1
    assert [c for c in fake.calls if c[0] == "disconnect"] == [("disconnect", 1002, 0)]
    with pytest.raises(errors.ChannelClosed):
        conn.transmit_raw(b"\x00\xa4\x04\x00", 1.0)
    fake.protocol = 2
    conn = backend.connect("R0", 0)
    conn.transmit_raw(b"\x00\xa4\x04\x00", 1.0)
    assert fake.calls[-1][2] == FakeScard.SCARD_PCI_T1


def test_connect_without_card_waits_then_no_card(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    with pytest.raises(errors.NoCard):
        backend.connect("R1", 0.05)
    waits = [c for c in fake.calls if c[0] == "gsc" and c[2] > 0]
    assert waits and waits[0][3] == (("R1", (7 << 16) | 0x10),)  # waits from the known state
    assert len(fake.live) == 1  # no connection context leaked
    with pytest.raises(errors.ReaderUnavailable):
        backend.connect("Nope", 0)


@pytest.mark.parametrize("failure", [
    SystemError("error return without exception set"),  # pyscard 2.3.1, seen in the soak
    pb.SCARD_W_REMOVED_CARD,
])
def test_a_failure_after_connecting_disconnects_the_handle(fake: FakeScard,
                                                         failure: object) -> None:
    """The soak's wedged validator: SCardStatus failed inside pyscard right after an
    exclusive SCardConnect; the handle stayed connected and every later tap of that reader
    was refused (SCARD_E_SHARING_VIOLATION). Now the handle is disconnected, the context
    released, and the caller gets a PcscError it can refuse the tap with."""
    def status(handle: int) -> tuple[int, str, int, int, list[int]]:
        if isinstance(failure, Exception):
            raise failure
        return int(str(failure)), "", 0, 0, []

    backend = PyscardBackend(scard=fake)
    backend.list_readers()
    fake.SCardStatus = status  # type: ignore[method-assign]
    with pytest.raises(errors.PcscError):
        backend.connect("R0", 0, exclusive=True)
    assert ("disconnect", 1002, FakeScard.SCARD_LEAVE_CARD) in fake.calls
    assert len(fake.live) == 1  # the connection's context released, the backend's kept
    fake.SCardStatus = FakeScard.SCardStatus.__get__(fake)  # type: ignore[method-assign]
    backend.connect("R0", 0, exclusive=True).disconnect()  # the next tap connects


def test_transmit_errors_are_mapped(fake: FakeScard) -> None:
    conn = PyscardBackend(scard=fake).connect("R0", 0)
    fake.present["R0"] = False
    with pytest.raises(errors.CardRemoved):
        conn.transmit_raw(b"\x00\xb0\x00\x00\x00", 1.0)


def test_wait_for_change_watches_readers_and_pnp(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    known = backend.reader_statuses()
    assert backend.wait_for_change(known, 0.25) == known
    call = next(c for c in fake.calls if c[0] == "gsc" and c[2] == 250)
    states = dict(call[3])
    assert states[PNP_READER] == 2 << 16  # reader count in the high word
    assert states["R0"] == (7 << 16) | pb.SCARD_STATE_PRESENT  # CHANGED bit cleared
    # a difference with what the caller knows is returned at once
    assert backend.wait_for_change({}, 10.0) == known


def test_cancel_and_spawn(fake: FakeScard) -> None:
    backend = PyscardBackend(scard=fake)
    backend.cancel()  # no context yet: nothing to do
    backend.list_readers()
    backend.cancel()
    assert ("cancel", 1) in fake.calls
    sibling = backend.spawn()
    assert isinstance(sibling, PyscardBackend) and sibling is not backend
    sibling.list_readers()
    assert len(fake.live) == 2  # one context each
    backend.close()
    sibling.close()
    assert fake.live == set()
