"""SAM-V framing, the text block and the code tables, checked against the protocol by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import (
    NATIONS,
    CardDataError,
    FrameError,
    check_character,
    decode_text,
    id_number_valid,
    mask_id_number,
    nation_name,
    sex_name,
)
from drivers.idcard.frame import FrameParser, decode_answer, encode_answer, encode_command
from simulators.idcard.citizens import demo_people, gb11643
from simulators.idcard.device import text_block


def test_command_frames_match_the_protocol_bytes() -> None:
    assert encode_command(0x10, 0xFF).hex(" ").upper() == "AA AA AA 96 69 00 03 10 FF EC"
    assert encode_command(0x11, 0xFF).hex(" ").upper() == "AA AA AA 96 69 00 03 11 FF ED"
    assert encode_command(0x20, 0x01).hex(" ").upper() == "AA AA AA 96 69 00 03 20 01 22"
    assert encode_command(0x20, 0x02).hex(" ").upper() == "AA AA AA 96 69 00 03 20 02 21"
    assert encode_command(0x30, 0x01).hex(" ").upper() == "AA AA AA 96 69 00 03 30 01 32"
    # length = data + 3, checksum over length..data
    frame = encode_command(0x61, 0xFF, b"\x01\x02")
    assert frame[5:7] == b"\x00\x05" and frame[-1] == 0x00 ^ 0x05 ^ 0x61 ^ 0xFF ^ 0x01 ^ 0x02


def test_parser_reads_a_known_answer_and_skips_noise() -> None:
    parser = FrameParser()
    parser.feed(b"\x00\x13" + bytes.fromhex("AAAAAA9669 0004 000090 94"))
    payload = parser.next_payload()
    assert payload is not None
    answer = decode_answer(payload)
    assert (answer.sw1, answer.sw2, answer.sw3, answer.data) == (0, 0, 0x90, b"")
    assert answer.ok and parser.skipped == 2


def test_parser_refuses_a_wrong_checksum_and_recovers() -> None:
    good = encode_answer(0x9F, bytes(4))
    bad = good[:-1] + bytes((good[-1] ^ 1,))
    parser = FrameParser()
    parser.feed(bad + good)
    with pytest.raises(FrameError, match="checksum"):
        parser.next_payload()
    assert parser.next_payload() == bytes((0, 0, 0x9F, 0, 0, 0, 0))


def test_parser_refuses_an_impossible_length() -> None:
    parser = FrameParser()
    parser.feed(bytes.fromhex("AAAAAA9669 FFFF 00"))
    with pytest.raises(FrameError, match="length"):
        parser.next_payload()


@given(
    st.binary(max_size=300),
    st.lists(st.integers(1, 50), max_size=20),
    st.sampled_from([0x90, 0x9F, 0x80, 0x41]),
)
def test_parser_finds_the_frame_however_it_is_split(
    noise: bytes, cuts: list[int], sw3: int
) -> None:
    noise = noise.replace(b"\xaa", b"\x00")  # noise holding a preamble would be a frame
    stream = noise + encode_answer(sw3, bytes(range(37)))
    parser = FrameParser()
    found = []
    pos = 0
    for cut in [*cuts, len(stream)]:
        parser.feed(stream[pos : pos + cut])
        pos += cut
        payload = parser.next_payload()
        if payload is not None:
            found.append(payload)
    parser.feed(stream[pos:])
    while (payload := parser.next_payload()) is not None:
        found.append(payload)
    assert found == [bytes((0, 0, sw3)) + bytes(range(37))]


def test_gb11643_check_digit() -> None:
    assert check_character("11010519491231002") == "X"  # the standard's own example
    assert id_number_valid("11010519491231002X")
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("11010519491231002")
    assert not id_number_valid("1101051949123100２X")  # full-width digit
    assert mask_id_number("11010519491231002X") == "1101**********002X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_driver_and_simulator_agree_on_the_check_digit(first17: str) -> None:
    assert gb11643(first17) == first17 + check_character(first17)


def test_code_tables() -> None:
    assert len([c for c in NATIONS if int(c) <= 56]) == 56
    assert [nation_name(c) for c in ("01", "03", "05", "56")] == ["汉", "回", "维吾尔", "基诺"]
    assert nation_name("02", full=True) == "蒙古族" and nation_name("97", full=True) == "其他"
    assert [sex_name(c) for c in "0129"] == ["未知", "男", "女", "未说明"]
    with pytest.raises(ValueError):
        nation_name("57")


def test_text_block_decodes_to_the_citizen() -> None:
    person = demo_people()[1]
    citizen = decode_text(text_block(person), b"photo")
    assert citizen.name == "李秀英" and citizen.sex == "女" and citizen.nation == "回"
    assert citizen.birth_date == dt.date(1962, 8, 5)
    assert citizen.address == person.address and citizen.authority == person.authority
    assert citizen.id_number == person.number and citizen.valid_to is None  # 长期
    assert citizen.photo == b"photo"
    assert person.number not in repr(citizen) and "李秀英" not in repr(citizen)
    assert citizen.as_dict()["id_number"] == mask_id_number(person.number)
    assert citizen.as_dict(full=True)["id_number"] == person.number


def _block(**change: str) -> bytes:
    fields = {
        "name": ("张三", 15),
        "sex": ("1", 1),
        "nation": ("01", 2),
        "birth": ("19900101", 8),
        "address": ("河南省开封市", 35),
        "number": (gb11643("41020219900101001"), 18),
        "authority": ("开封市公安局", 15),
        "from": ("20200101", 8),
        "to": ("20300101", 8),
        "reserved": ("", 18),
    }
    return b"".join((change.get(k, v)).ljust(n).encode("utf-16-le") for k, (v, n) in fields.items())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"number": "410202199001010010"}, "check digit"),
        ({"sex": "5"}, "sex code"),
        ({"nation": "77"}, "nation code"),
        ({"birth": "19901301"}, "not a valid date"),
        ({"to": "2030"}, "not a date"),
    ],
)
def test_bad_text_blocks_are_refused_in_plain_words(change: dict[str, str], reason: str) -> None:
    assert decode_text(_block()).name == "张三"
    with pytest.raises(CardDataError, match=reason):
        decode_text(_block(**change))


def test_wrong_text_length_is_refused() -> None:
    with pytest.raises(CardDataError, match="256"):
        decode_text(bytes(200))
