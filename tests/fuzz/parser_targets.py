"""Fuzz targets: byte streams into the parsers that face a wire or a file.

* ``vpcd``: vpcd frames (2-byte length + payload) into the simulator's bridge, over a socket
  pair, with the real user-card model behind it: every C-APDU gets an answer of at least a
  status word, never ``6F00`` (the bridge's sign that the card model raised), and the bridge
  ends when the stream ends.
* ``escpos``: a byte stream into the virtual printer's decoder: no exception, the same receipts
  whether the stream arrives at once or in pieces, and big rasters cost bounded memory.
* ``samv``: reader answers into the ID-card driver: the frame parser gives the same payloads
  however the bytes are cut, and ``IdCardReader.read_card`` over a port that answers with the
  fuzz bytes returns a citizen or raises :class:`IdCardError` only.
* ``settings``: a TOML file into the settings loader: :class:`Settings` or
  :class:`ConfigError`, nothing else, and the values that pass are in their ranges.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path

from config.settings import ConfigError, Settings, load_settings
from drivers.idcard.errors import FrameError, IdCardError
from drivers.idcard.frame import FrameParser
from drivers.idcard.reader import IdCardReader
from simulators.printer.decoder import EscPosDecoder
from simulators.printer.model import Receipt
from simulators.vpcd import SW_NO_DIAGNOSIS, VpcdBridge
from tests.fuzz.card_targets import CARDS, _card
from tests.fuzz.source import Source

BRIDGE_TIMEOUT_S = 10.0
MAX_ANSWER = 3000


def _frames(stream: bytes) -> list[bytes]:
    """The complete vpcd messages in ``stream`` (a cut last one is dropped)."""
    out, pos = [], 0
    while pos + 2 <= len(stream):
        size = int.from_bytes(stream[pos:pos + 2], "big")
        if pos + 2 + size > len(stream):
            break
        out.append(stream[pos + 2:pos + 2 + size])
        pos += 2 + size
    return out


def vpcd_stream(src: Source) -> bytes:
    """vpcd messages: controls (power, reset, ATR) and C-APDUs, some of them odd."""
    out = bytearray()
    for _ in range(src.below(8) + 1):
        kind = src.below(4)
        if kind == 0:
            message = bytes((src.below(6),))
        elif kind == 1:
            message = bytes((src.byte(), src.byte(), src.byte(), src.byte())) + src.chunk(40)
        elif kind == 2:  # a well-formed case-3/4 APDU with a chosen body
            body = src.chunk(32)
            message = bytes((src.byte(), src.byte(), src.byte(), src.byte(), len(body))) + body
        else:
            message = src.chunk(300)
        size = len(message) if src.below(8) else src.below(65536)  # now and then a lie
        out += size.to_bytes(2, "big") + message
    return bytes(out)


def _tcp_pair() -> tuple[socket.socket, socket.socket]:
    """Two ends of a loopback TCP connection (the bridge sets TCP options on its end)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        ours = socket.create_connection(server.getsockname()[:2])
        theirs, _ = server.accept()
    return ours, theirs


def check_vpcd(data: bytes) -> None:
    src = Source(data)
    card = _card(CARDS[src.below(len(CARDS))], t0=bool(src.below(2)))
    stream = vpcd_stream(src) + src.rest()
    ours, theirs = _tcp_pair()
    bridge = VpcdBridge(card, port=0, name="fuzz")
    worker = threading.Thread(target=bridge._serve, args=(theirs,), daemon=True)
    worker.start()
    answers = bytearray()
    try:
        ours.sendall(stream)
        ours.shutdown(socket.SHUT_WR)
        ours.settimeout(BRIDGE_TIMEOUT_S)
        while chunk := ours.recv(65536):
            answers += chunk
    finally:
        ours.close()
    worker.join(BRIDGE_TIMEOUT_S)
    assert not worker.is_alive(), "the bridge did not end with the stream"
    asked = [m for m in _frames(stream) if len(m) > 1 or (len(m) == 1 and m[0] == 4)]
    answered = _frames(bytes(answers))
    assert len(answered) <= len(asked)
    for question, answer in zip(asked, answered, strict=False):
        if len(question) > 1:
            assert len(answer) >= 2, f"no status word for {question.hex()}"
            assert answer != SW_NO_DIAGNOSIS, f"the card model failed on {question.hex()}"


def _receipts(chunks: list[bytes]) -> list[Receipt]:
    got: list[Receipt] = []
    decoder = EscPosDecoder(status=lambda n: 0x12, on_receipt=got.append)
    for chunk in chunks:
        decoder.feed(chunk)
    decoder.finish()
    return got


def _summary(receipts: list[Receipt]) -> list[tuple[object, ...]]:
    return [(r.text, r.cut, r.bytes, len(r.graphics), r.drawer_pulses, len(r.warnings))
            for r in receipts]


def check_escpos(data: bytes) -> None:
    src = Source(data)
    cuts = sorted({src.below(len(data) + 1) for _ in range(src.below(4))})
    stream = src.rest()
    whole = _receipts([stream])
    pieces, start = [], 0
    for cut in [*cuts, len(stream)]:
        pieces.append(stream[start:cut])
        start = max(start, cut)
    assert _summary(_receipts(pieces)) == _summary(whole)


class ScriptedPort:
    """A serial port whose answer to the n-th command is the n-th script entry."""

    def __init__(self, script: list[bytes]) -> None:
        self._script = script
        self._pending = b""
        self.writes = 0

    def write(self, data: bytes, /) -> int:
        self._pending = self._script[self.writes] if self.writes < len(self._script) else b""
        self.writes += 1
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def reset_input_buffer(self) -> None:
        self._pending = b""

    @property
    def in_waiting(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        pass


def check_samv(data: bytes) -> None:
    src = Source(data)
    script = [src.take((src.byte() << 8 | src.byte()) % MAX_ANSWER) for _ in range(3)]
    stream = src.rest()
    whole: list[object] = []
    parser = FrameParser()
    parser.feed(stream)
    _drain(parser, whole)
    cut: list[object] = []
    parser = FrameParser()
    for byte in stream:
        parser.feed(bytes((byte,)))
        _drain(parser, cut)
    assert [p for p in cut if isinstance(p, bytes)] == [p for p in whole if isinstance(p, bytes)]
    reader = _QuickReader(ScriptedPort(script), timeout=0.001)
    try:
        citizen = reader.read_card()
    except IdCardError:
        return
    assert len(citizen.id_number) == 18 and citizen.name


class _QuickReader(IdCardReader):
    """The driver as it is, but a garbled answer is dropped without the real line's pause."""

    def _drain(self) -> None:
        self._port.reset_input_buffer()


def _drain(parser: FrameParser, out: list[object]) -> None:
    for _ in range(len(parser._buf) + 2):  # each round consumes bytes: bounded
        try:
            payload = parser.next_payload()
        except FrameError as exc:
            out.append(exc)
            continue
        if payload is None:
            return
        out.append(payload)
    raise AssertionError("the frame parser does not make progress")


def check_settings(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-settings-") as tmp:
        path = Path(tmp) / "config.toml"
        path.write_bytes(data)
        try:
            settings = load_settings(path, env={})
        except ConfigError as exc:
            assert "\n" not in str(exc).strip() or "TOML" in str(exc)
            return
    _assert_in_range(settings)


def _assert_in_range(settings: Settings) -> None:
    for port in (settings.service.port, settings.clearing.port):
        assert 1 <= port <= 65535, port
    for seconds in (settings.card.timeout_s, settings.printer.timeout_s):
        assert seconds > 0, seconds
    assert settings.card.max_amount_fen > 0
