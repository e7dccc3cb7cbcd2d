"""Hypothesis strategies that make near-valid inputs for the fuzz targets (as bytes).

Random bytes reach the first checks of a parser; inputs built from its own vocabulary (the
settings' real sections and keys, ESC/POS commands, SAM-V frames around a real text block) reach
the code behind them. Each strategy gives the bytes a target's ``check(data)`` takes.
"""

from __future__ import annotations

import dataclasses
import json
import typing

from hypothesis import strategies as st

from config.settings import Settings
from drivers.idcard.frame import encode_answer
from simulators.idcard.citizens import demo_people
from simulators.idcard.device import text_block

SECTIONS: dict[str, list[str]] = {
    f.name: [g.name for g in dataclasses.fields(typing.get_type_hints(Settings)[f.name])]
    for f in dataclasses.fields(Settings) if f.name != "source"
}

_toml_scalar = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=40),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


@st.composite
def settings_files(draw: st.DrawFn) -> bytes:
    """A TOML file of real (and some unknown) sections and keys with values of any type."""
    lines: list[str] = []
    names = [*SECTIONS, "nosuch"]
    for section in draw(st.lists(st.sampled_from(names), max_size=4, unique=True)):
        lines.append(f"[{section}]")
        keys = [*SECTIONS.get(section, []), "nosuch"]
        for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            value = draw(st.one_of(_toml_scalar, st.lists(_toml_scalar, max_size=3)))
            lines.append(f"{key} = {_toml_value(value)}")
    if draw(st.booleans()):
        lines.append(draw(st.text(max_size=20)))  # trailing junk, often invalid TOML
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


ESC_POS_WORDS = [
    b"\x1b@", b"\x1b!\x38", b"\x1bE\x01", b"\x1ba\x01", b"\x1bd\x03", b"\x1bt\x10", b"\x1c&",
    b"\x1c.", b"\x1d!\x11", b"\x1dV\x00", b"\x1dV\x42\x10", b"\x1bp\x00\x19\xfa", b"\x10\x04\x01",
    b"\x10\x04\x04", b"\x10\x14\x01\x00\x05", b"\x1d(k\x03\x001C\x06",
    b"\x1d(k\x03\x001E\x31", b"\x1d(k\x03\x001Q0", b"\x1dk\x04123456\x00",
    b"\x1dkI\x05{B123", "市民之家".encode("gb18030"), b"hello\n", b"\n", b"\t",
]


@st.composite
def escpos_streams(draw: st.DrawFn) -> bytes:
    """ESC/POS commands with their parameters, some raster and QR blocks, and raw bytes."""
    parts: list[bytes] = [bytes((draw(st.integers(0, 3)),))]  # how the target cuts the stream
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            parts.append(draw(st.sampled_from(ESC_POS_WORDS)))
        elif kind == 1:  # GS v 0 raster: width (bytes) and height from the fuzzer
            xl, yl = draw(st.integers(0, 64)), draw(st.integers(0, 64))
            xh, yh = draw(st.integers(0, 255)), draw(st.integers(0, 255))
            size = min(xl * yl, 512)
            parts.append(b"\x1dv0\x00" + bytes((xl, xh, yl, yh)) + draw(st.binary(max_size=size)))
        elif kind == 2:  # a QR store with a chosen length field
            data = draw(st.binary(max_size=40))
            n = draw(st.integers(0, 70000))
            parts.append(b"\x1d(k" + (n & 0xFFFF).to_bytes(2, "little") + b"1P0" + data)
        elif kind == 3:  # ESC * column graphics
            n = draw(st.integers(0, 600))
            parts.append(b"\x1b*" + bytes((draw(st.sampled_from([0, 1, 32, 33, 7])),))
                         + (n & 0xFFFF).to_bytes(2, "little") + draw(st.binary(max_size=60)))
        else:
            parts.append(draw(st.binary(max_size=20)))
    return b"".join(parts)


@st.composite
def samv_scripts(draw: st.DrawFn) -> bytes:
    """Three reader answers (find, select, read) around a real text block, some spoilt."""
    person = draw(st.sampled_from(demo_people()))
    text = bytearray(text_block(person))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(text) - 1))
        text[i] = draw(st.integers(0, 255))
    photo = draw(st.binary(max_size=64))
    body = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + bytes(text) + photo
    answers = [encode_answer(0x9F), encode_answer(0x90), encode_answer(0x90, body)]
    for i in draw(st.lists(st.integers(0, 2), max_size=2)):
        frame = bytearray(answers[i])
        how = draw(st.integers(0, 3))
        if how == 0 and frame:
            frame[draw(st.integers(0, len(frame) - 1))] ^= draw(st.integers(1, 255))
        elif how == 1:
            frame = frame[:draw(st.integers(0, len(frame)))]
        elif how == 2:
            frame[5:7] = draw(st.integers(0, 65535)).to_bytes(2, "big")
        else:
            frame = bytearray(draw(st.binary(max_size=10))) + frame
        answers[i] = bytes(frame)
    # the layout check_samv reads: three (2-byte length, answer) pairs, then a stream
    out = bytearray()
    for answer in answers:
        out += len(answer).to_bytes(2, "big") + answer
    return bytes(out) + b"".join(answers)
