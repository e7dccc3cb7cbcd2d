"""Every parser fuzzed, bounded for CI (issue 12, "Fuzz every parser").

Each target is a ``check(data: bytes)`` of tests/fuzz/*_targets.py (the same functions
bench/fuzz.py runs for longer, with hypothesis or coverage-guided with atheris). Inputs are raw
bytes and near-valid ones built from each format's vocabulary (tests/fuzz/strategies.py). A
crash found is kept here as an ``@example``.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz import card_targets, parser_targets
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import escpos_streams, samv_scripts, settings_files


@fuzz_settings(scale=2)
@given(st.binary(max_size=160))
# found by bench/fuzz.py: an INIT answer with algorithm ID 01 was a ValueError traceback
@example(bytes.fromhex("0500010074020107"))
@example(bytes.fromhex("05000000fe170119"))
def test_card_answers_into_the_purse_client(data: bytes) -> None:
    card_targets.check_purse(data)


@fuzz_settings(scale=2)
@given(st.binary(max_size=120))
def test_psam_answers_into_the_sam_client(data: bytes) -> None:
    card_targets.check_sam(data)


@fuzz_settings()
@given(st.binary(max_size=700))
def test_vpcd_frames_into_the_bridge(data: bytes) -> None:
    parser_targets.check_vpcd(data)


@fuzz_settings(scale=2)
@given(st.one_of(escpos_streams(), st.binary(max_size=400)))
# found by atheris: a GS v 0 raster 0 bytes wide was a PIL ValueError (the decoder died)
@example(bytes.fromhex("1b4029d59d000000007a7a7a000056e81f401d76f11b01000000000a1d4100"))
@example(b"\x1d(L\x0a\x000p0\x00\x01\x00\x00\x00\x00\x00")  # GS ( L, 0 x 0 at scale 0
def test_escpos_streams_into_the_printer_decoder(data: bytes) -> None:
    parser_targets.check_escpos(data)


@fuzz_settings()
@given(st.one_of(samv_scripts(), st.binary(max_size=600)))
def test_samv_frames_into_the_idcard_driver(data: bytes) -> None:
    parser_targets.check_samv(data)


@fuzz_settings(scale=2)
@given(st.one_of(settings_files(), st.binary(max_size=200)))
@example(b"\x80")  # not UTF-8: was a UnicodeDecodeError traceback, now a ConfigError
@example(b"[card]\ntimeout_s = -5\n")  # issue 12 item 5: was a ValueError later on
@example(b"[service]\nport = 99999\n")  # issue 12 item 5: was an OverflowError at bind
@example(b"[card]\nmax_amount_fen = -100\n")  # issue 12 item 7: was accepted
@example(b"[printer]\ntimeout_s = nan\n")
def test_toml_into_the_settings_loader(data: bytes) -> None:
    parser_targets.check_settings(data)
