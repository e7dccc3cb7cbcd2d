"""The vpcd bridge against a fake vpcd (framing, controls, reconnect): no pcscd needed."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from drivers.pcsc.spi import CardWithdrawn
from simulators.vpcd import VpcdBridge
from tests.fixtures.cards import TINY_ATR as ATR
from tests.fixtures.cards import TinyCard


class FakeVpcd:
    """The listening side of vpcd: accept the card, exchange frames."""

    def __init__(self, port: int = 0) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1)
        self.listener.settimeout(5)
        self.port = self.listener.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> socket.socket:
        self.conn, _ = self.listener.accept()
        self.conn.settimeout(5)
        return self.conn

    def send(self, payload: bytes, *, split: bool = False) -> None:
        assert self.conn is not None
        frame = len(payload).to_bytes(2, "big") + payload
        if split:  # one byte at a time: the bridge must loop on recv
            for i in range(len(frame)):
                self.conn.sendall(frame[i : i + 1])
                time.sleep(0.002)
        else:
            self.conn.sendall(frame)

    def recv(self) -> bytes:
        assert self.conn is not None
        head = self._exactly(2)
        return self._exactly(int.from_bytes(head, "big"))

    def _exactly(self, n: int) -> bytes:
        assert self.conn is not None
        buf = b""
        while len(buf) < n:
            chunk = self.conn.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def exchange(self, payload: bytes, **kw: bool) -> bytes:
        self.send(payload, **kw)
        return self.recv()

    def closed_by_peer(self, timeout: float = 5.0) -> bool:
        assert self.conn is not None
        self.conn.settimeout(timeout)
        try:
            return self.conn.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        if self.conn:
            self.conn.close()
        self.listener.close()


@pytest.fixture
def vpcd():
    fake = FakeVpcd()
    yield fake
    fake.close()


@pytest.fixture
def bridge_for(vpcd):
    bridges: list[VpcdBridge] = []

    def make(card, **kw) -> VpcdBridge:
        bridge = VpcdBridge(card, vpcd.port, backoff_initial=0.01, backoff_max=0.05, **kw)
        bridges.append(bridge)
        bridge.start()
        return bridge

    yield make
    for bridge in bridges:
        bridge.stop()


def test_framing_control_codes_and_apdus(vpcd, bridge_for):
    card = TinyCard()
    bridge = bridge_for(card)
    vpcd.accept()
    assert bridge.wait_connected(2)
    assert bridge._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    assert vpcd.exchange(b"\x04") == ATR
    vpcd.send(b"\x01")  # power on: no answer
    vpcd.send(b"\x02")  # reset: no answer
    assert vpcd.exchange(bytes.fromhex("00A4040009A00000000386980701")) == b"\x90\x00"
    # split into single bytes: the bridge reads exactly `length` bytes
    assert vpcd.exchange(bytes.fromhex("00B0950000"), split=True) == bytes(30) + b"\x90\x00"
    big = bytes(range(255))
    assert vpcd.exchange(b"\x80\xec\x00\x00\xff" + big + b"\x00") == big + b"\x90\x00"
    vpcd.send(b"\x00")  # power off
    assert vpcd.exchange(b"\x04") == ATR
    assert card.log[:4] == ["on", "reset", "00a4", "00b0"]
    assert "off" in card.log
    assert bridge.apdu_count == 3


def test_card_model_failure_answers_6f00_and_keeps_serving(vpcd, bridge_for):
    class Broken(TinyCard):
        def transmit(self, apdu: bytes) -> bytes:
            if apdu[:2] == b"\xde\xad":
                raise ZeroDivisionError("model bug")
            return super().transmit(apdu)

    bridge_for(Broken())
    vpcd.accept()
    assert vpcd.exchange(b"\xde\xad\x00\x00") == b"\x6f\x00"
    assert vpcd.exchange(b"\x00\xa4\x00\x00") == b"\x90\x00"


def test_remove_closes_and_insert_reconnects(vpcd, bridge_for):
    card = TinyCard()
    bridge = bridge_for(card)
    vpcd.accept()
    vpcd.exchange(b"\x04")
    bridge.remove()
    assert vpcd.closed_by_peer()
    assert bridge.wait_disconnected(2)
    assert card.powered is False
    vpcd.listener.settimeout(0.3)
    with pytest.raises(TimeoutError):
        vpcd.accept()  # stays out until insert()
    vpcd.listener.settimeout(5)
    bridge.insert()
    vpcd.accept()
    assert vpcd.exchange(b"\x04") == ATR
    assert bridge.connections == 2


def test_card_withdrawn_closes_connection_without_answer(vpcd, bridge_for):
    class Tearing(TinyCard):
        def transmit(self, apdu: bytes) -> bytes:
            raise CardWithdrawn("torn")

    bridge = bridge_for(Tearing())
    vpcd.accept()
    vpcd.send(b"\x80\xd0\x00\x00")
    assert vpcd.closed_by_peer()
    assert bridge.wait_disconnected(2)
    assert not bridge.inserted  # out until insert()


def test_reinsert_after_withdrawal(vpcd, bridge_for):
    class TearOnce(TinyCard):
        torn = False

        def transmit(self, apdu: bytes) -> bytes:
            if not self.torn:
                self.torn = True
                raise CardWithdrawn("torn")
            return super().transmit(apdu)

    bridge_for(TearOnce(), reinsert_after_withdrawal=0.05)
    vpcd.accept()
    vpcd.send(b"\x80\xd0\x00\x00")
    assert vpcd.closed_by_peer()
    vpcd.accept()
    assert vpcd.exchange(b"\x00\xa4\x00\x00") == b"\x90\x00"


def test_reconnects_with_backoff_until_vpcd_listens_and_after_it_drops():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens: connection refused
    bridge = VpcdBridge(TinyCard(), port, backoff_initial=0.01, backoff_max=0.05)
    bridge.start()
    try:
        time.sleep(0.2)
        assert not bridge.connected and bridge.running
        fake = FakeVpcd(port)
        try:
            first = fake.accept()
            assert fake.exchange(b"\x04") == ATR
            first.close()  # pcscd went away: the bridge comes back
            fake.accept()
            assert fake.exchange(b"\x04") == ATR
        finally:
            fake.close()
    finally:
        bridge.stop()
    assert not bridge.running


def test_stop_ends_run_in_the_calling_thread(vpcd):
    bridge = VpcdBridge(TinyCard(), vpcd.port)
    runner = threading.Thread(target=bridge.run)
    runner.start()
    vpcd.accept()
    assert bridge.wait_connected(2)
    bridge.stop()
    runner.join(2)
    assert not runner.is_alive()
    assert vpcd.closed_by_peer()
