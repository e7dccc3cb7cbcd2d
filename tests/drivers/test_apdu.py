"""Response, the strict hex parser and the C-APDU structure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.pcsc.apdu import CommandApdu, HexError, Response, parse_apdu, parse_hex, to_hex


@pytest.mark.parametrize(("text", "expected"), [
    ("00A40400", b"\x00\xa4\x04\x00"),
    ("00 a4 04 00", b"\x00\xa4\x04\x00"),
    ("  00A4\t0400\n", b"\x00\xa4\x04\x00"),
    ("ff", b"\xff"),
])
def test_parse_hex_accepts_spaces_and_both_cases(text: str, expected: bytes) -> None:
    assert parse_hex(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("00A", "odd number of hex digits (3)"),
    ("00 A4 0", "odd number of hex digits (5)"),
    ("00G4", "bad hex digit 'G' at position 3"),
    ("0x00", "bad hex digit 'x' at position 2"),
    ("00:A4", "bad hex digit ':' at position 3"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_parse_hex_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(HexError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_hex(text)


def test_hex_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_hex("zz")


def test_response_fields() -> None:
    r = Response.from_bytes(bytes.fromhex("6F0A9000"))
    assert r.data == b"\x6f\x0a"
    assert (r.sw1, r.sw2, r.sw) == (0x90, 0x00, 0x9000)
    assert r.ok
    assert r.sw_hex == "9000" and r.data_hex == "6F0A"
    assert r.hex() == "6F0A9000" and r.hex(" ") == "6F 0A 90 00"
    assert str(r) == "6F0A 9000"
    assert r.to_bytes() == bytes.fromhex("6F0A9000")


def test_response_without_data_and_not_ok() -> None:
    r = Response.from_bytes(b"\x6a\x82")
    assert r.data == b"" and r.sw == 0x6A82 and not r.ok
    assert str(r) == "6A82"


def test_response_needs_two_bytes() -> None:
    with pytest.raises(ValueError, match="at least 2 bytes"):
        Response.from_bytes(b"\x90")


@pytest.mark.parametrize(("hex_apdu", "data", "le"), [
    ("00A40400", b"", None),                                   # case 1
    ("00B0950000", b"", 0),                                    # case 2
    ("00A4000002 3F00", b"\x3f\x00", None),                    # case 3
    ("00A4040009 A00000000386980701 00", bytes.fromhex("A00000000386980701"), 0),  # case 4
])
def test_command_cases(hex_apdu: str, data: bytes, le: int | None) -> None:
    cmd = CommandApdu.parse(parse_hex(hex_apdu))
    assert (cmd.data, cmd.le, cmd.extended) == (data, le, False)
    assert cmd.to_bytes() == parse_hex(hex_apdu)


def test_with_le_reissues_case_2_and_case_4() -> None:
    assert CommandApdu.parse(parse_hex("00B0950000")).with_le(0x1E).to_bytes() == \
        parse_hex("00B095001E")
    case4 = CommandApdu.parse(parse_hex("80EC000002AABB00"))
    assert case4.with_le(2).to_bytes() == parse_hex("80EC000002AABB02")


@pytest.mark.parametrize("hex_apdu", ["00A404", "00A4040009A000", "00A4040002AABBCCDD"])
def test_malformed_commands(hex_apdu: str) -> None:
    with pytest.raises(ValueError):
        parse_apdu(hex_apdu)


def test_extended_length() -> None:
    raw = parse_hex("80EC0000 000003 AABBCC 0100")
    cmd = CommandApdu.parse(raw)
    assert cmd.extended and cmd.data == b"\xaa\xbb\xcc" and cmd.le == 0x100
    assert cmd.to_bytes() == raw
    assert CommandApdu.parse(parse_hex("00B00000 000200")).le == 0x200


@given(cla=st.integers(0, 255), ins=st.integers(0, 255), p1=st.integers(0, 255),
       p2=st.integers(0, 255), data=st.binary(max_size=255),
       le=st.none() | st.integers(0, 255))
def test_short_commands_round_trip(cla: int, ins: int, p1: int, p2: int, data: bytes,
                                   le: int | None) -> None:
    cmd = CommandApdu(cla, ins, p1, p2, data, le)
    assert CommandApdu.parse(cmd.to_bytes()) == cmd


@given(raw=st.binary(min_size=2, max_size=300))
def test_response_round_trip(raw: bytes) -> None:
    assert Response.from_bytes(raw).to_bytes() == raw


def test_to_hex() -> None:
    assert to_hex(b"\x0a\xbc") == "0ABC"
    assert to_hex(b"\x0a\xbc", " ") == "0A BC"
