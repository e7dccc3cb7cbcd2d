"""The APDU trace: what is logged, and that PINs and keys never are."""

from __future__ import annotations

import logging

import pytest

from drivers.pcsc.apdu import Response, parse_hex
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.trace import format_command, format_response, is_sensitive
from tests.drivers.conftest import READER, RecordList
from tests.drivers.fake_card import FakeCard

KEY = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"


def test_plain_exchange_is_traced_with_direction_hex_sw_and_time(
        backend: MemoryBackend, trace: RecordList) -> None:
    with CardChannel.connect(backend, READER) as ch:
        ch.transmit(parse_hex("00B0950028"))
    command, response = (vars(r) for r in trace.records)
    assert trace.records[0].levelno == logging.DEBUG
    assert trace.records[0].name == "drivers.pcsc.apdu"
    assert trace.records[0].getMessage() == ">> 00B09500 28"
    assert (command["direction"], command["apdu"], command["reader"]) == \
        ("C", "00B09500 28", READER)
    assert trace.records[1].getMessage().startswith("<< 303132")
    assert response["direction"] == "R" and response["sw"] == "9000"
    assert isinstance(response["elapsed_ms"], float) and response["elapsed_ms"] >= 0
    assert response["redacted"] is False


@pytest.mark.parametrize(("apdu", "secret"), [
    ("0020000003" + "123456", "123456"),                      # VERIFY
    ("8020000003" + "123456", "123456"),                      # VERIFY, proprietary class
    ("805E000106" + "123456" + "654321", "654321"),           # CHANGE PIN (old + new)
    ("0024000006" + "123456" + "987654", "987654"),           # CHANGE REFERENCE DATA
    ("84D4010015" + KEY + "0A0B0C0D01", KEY),                 # WRITE KEY
    ("80D4010010" + KEY, KEY),
])
def test_pin_and_key_commands_are_redacted(backend: MemoryBackend, trace: RecordList,
                                           apdu: str, secret: str) -> None:
    with CardChannel.connect(backend, READER) as ch:
        r = ch.transmit(parse_hex(apdu))
    everything = trace.everything()
    assert secret not in everything.upper()
    assert secret.lower() not in everything
    header = apdu[:8]
    assert f">> {header} {apdu[8:10]} [" in everything  # header and Lc kept
    assert "bytes redacted]" in everything
    assert r.sw_hex in everything  # status word kept
    assert all(rec.redacted for rec in trace.records if hasattr(rec, "redacted"))


def test_pin_digits_never_appear_even_on_a_wrong_pin(backend: MemoryBackend,
                                                     trace: RecordList) -> None:
    with CardChannel.connect(backend, READER) as ch:
        assert ch.transmit(parse_hex("0020000003 987123")).sw == 0x63C2
        assert ch.transmit(parse_hex("0020000003 123456")).ok
    assert "987123" not in trace.everything() and "123456" not in trace.everything()
    assert "63C2" in trace.everything()


def test_sensitive_flag_redacts_command_and_answer(backend: MemoryBackend,
                                                   trace: RecordList) -> None:
    with CardChannel.connect(backend, READER) as ch:
        r = ch.transmit(parse_hex("80EC000004 CAFEBABE"), sensitive=True)
    assert r.data == bytes.fromhex("CAFEBABE")
    text = trace.everything()
    assert "CAFEBABE" not in text.upper()
    assert ">> 80EC0000 04 [4 bytes redacted]" in text
    assert "<< [4 bytes redacted] 9000" in text


def test_get_response_of_a_sensitive_command_is_redacted_too(trace: RecordList) -> None:
    card = FakeCard(t0=True)
    memory = MemoryBackend([READER])
    memory.insert(READER, card)
    with CardChannel.connect(memory, READER) as ch:
        r = ch.transmit(parse_hex("00B0950028"), sensitive=True)
    assert r.data_hex == "303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F5051" \
        "525354555657"
    messages = [rec.getMessage() for rec in trace.records]
    assert messages[2].startswith(">> 00C00000 28")
    assert messages[3].startswith("<< [40 bytes redacted] 9000")
    assert "3031" not in trace.everything()


def test_nothing_is_formatted_when_debug_is_off(backend: MemoryBackend) -> None:
    logger = logging.getLogger("drivers.pcsc.apdu")
    handler = RecordList()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with CardChannel.connect(backend, READER) as ch:
            ch.transmit(parse_hex("00B0950028"))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert handler.records == []


def test_format_helpers() -> None:
    assert is_sensitive(parse_hex("0020000003123456"))
    assert is_sensitive(parse_hex("84D4000000"))
    assert not is_sensitive(parse_hex("00A4040000"))
    assert format_command(parse_hex("00A4040009A00000000386980701"), redact=False) == \
        "00A40400 09 A00000000386980701"
    assert format_command(parse_hex("00A4040009A0000000038698070100"), redact=True) == \
        "00A40400 09 [9 bytes redacted] 00"
    assert format_command(parse_hex("00C0000000"), redact=True) == "00C00000 00"
    assert format_command(b"\x00\x20\x00\x00\x05\x12", redact=True) == \
        "00200000 [2 bytes redacted]"  # malformed: only the header survives
    assert format_command(parse_hex("80EC0000 000003 AABBCC 0100"), redact=True) == \
        "80EC0000 000003 [3 bytes redacted] 0100"
    assert format_response(Response(b"\x01", 0x90, 0), redact=True) == \
        "[1 byte redacted] 9000"
    assert format_response(Response(b"", 0x6A, 0x82), redact=True) == "6A82"
