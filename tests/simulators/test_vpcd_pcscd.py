"""End to end through the real pcscd + vpcd: presence, EF15, opensc-tool, tears, restarts."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time

import pytest
from smartcard import scard

from drivers.pcsc import CardChannel, PcscError, open_backend
from tests.fixtures.cards import (
    TINY_ATR,
    PcscCallError,
    PcscExchangeError,
    TinyCard,
    TinyStore,
    pcsc_exchange,
    reader_state,
)

pytestmark = pytest.mark.pcscd

SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")
READ_EF15 = bytes.fromhex("00B0950000")
READ_EF16 = bytes.fromhex("00B0960000")
WRONG_PIN = bytes.fromhex("0020000003999999")


def test_demo_card_seen_by_pcscd_with_its_atr(demo_card):
    present, atr = reader_state(demo_card.reader)
    assert present
    assert atr == demo_card.card.atr and atr[0] in (0x3B, 0x3F)


def test_read_ef15_and_ef16_of_the_demo_card(demo_card):
    select, ef15, ef16 = pcsc_exchange(demo_card.reader, SELECT_ADF, READ_EF15, READ_EF16)
    assert select[-2:] == b"\x90\x00"
    assert len(ef15) == 32 and ef15[-2:] == b"\x90\x00"
    assert ef15[:8] == bytes.fromhex("41020000FFFFFFFF")
    assert ef15[12:20] == bytes.fromhex("4102000000000001")  # card number, BCD
    assert len(ef16) == 57 and ef16[-2:] == b"\x90\x00"


def test_card_channel_reads_ef15_and_the_t0_psam(demo_card, psam):
    backend = open_backend("pcsc://")
    try:
        with CardChannel.connect(backend, demo_card.reader, timeout=5.0) as channel:
            assert channel.atr == demo_card.card.atr
            assert channel.transmit(SELECT_ADF).sw == 0x9000
            ef15 = channel.transmit(READ_EF15)
            assert ef15.sw == 0x9000 and ef15.data[12:20] == bytes.fromhex("4102000000000001")
        with CardChannel.connect(backend, psam.reader, timeout=5.0) as channel:
            select = channel.transmit(bytes.fromhex("00A40000021001"))  # 61xx handled
            assert select.sw == 0x9000 and select.data
            assert channel.stats.get_responses >= 1
    finally:
        backend.close()


def test_tear_through_card_channel_is_a_reader_error(attach_card):
    handle = attach_card()
    backend = open_backend("pcsc://")
    try:
        with CardChannel.connect(backend, handle.reader, timeout=5.0) as channel:
            channel.transmit(SELECT_ADF)
            handle.card.tear(1, "before")
            with pytest.raises(PcscError):
                channel.transmit(READ_EF15)
    finally:
        backend.close()


def test_remove_and_insert_are_seen_by_pcscd(demo_card):
    demo_card.remove()
    assert reader_state(demo_card.reader) == (False, b"")
    with pytest.raises(PcscCallError) as failed:
        pcsc_exchange(demo_card.reader, SELECT_ADF)
    assert failed.value.hresult == scard.SCARD_E_NO_SMARTCARD & 0xFFFFFFFF
    demo_card.insert()
    assert reader_state(demo_card.reader)[0]
    assert pcsc_exchange(demo_card.reader, SELECT_ADF)[0][-2:] == b"\x90\x00"


def test_opensc_tool_sees_the_card(demo_card, pcscd):
    env = {**os.environ, **pcscd.env}
    listing = subprocess.run(
        ["opensc-tool", "-l"], env=env, capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert re.search(r"^\s*0\s+Yes\s+.*Virtual PCD 00 00\s*$", listing, re.M), listing
    out = subprocess.run(
        ["opensc-tool", "-r", "0", "-s", SELECT_ADF.hex().upper(), "-s", READ_EF15.hex().upper()],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    ef15_answer = out.split("Sending: 00 B0 95 00 00")[1]
    assert "SW1=0x90, SW2=0x00" in ef15_answer, out
    assert "41 02 00 00 FF FF FF FF 03 01 00 00 41 02 00 00" in ef15_answer, out


def test_psam_answers_its_terminal_id_the_t0_way(psam):
    select, term = pcsc_exchange(
        psam.reader, bytes.fromhex("00A40000021001"), bytes.fromhex("00B0960006")
    )
    assert select[0] == 0x61 or select == b"\x90\x00"  # T=0: FCI waits for GET RESPONSE
    assert term == bytes.fromhex("410200000001") + b"\x90\x00"


def test_per_apdu_round_trip_is_far_below_the_nagle_trap(demo_card):
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    hresult, card, proto = scard.SCardConnect(
        ctx,
        demo_card.reader,
        scard.SCARD_SHARE_SHARED,
        scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
    )
    assert hresult == scard.SCARD_S_SUCCESS
    try:
        times = []
        for _ in range(300):
            started = time.perf_counter()
            hresult, _resp = scard.SCardTransmit(card, proto, list(SELECT_ADF))
            times.append(time.perf_counter() - started)
            assert hresult == scard.SCARD_S_SUCCESS
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(ctx)
    median_ms = statistics.median(times) * 1000
    print(f"per-APDU round trip through pcscd: median {median_ms:.3f} ms")
    assert median_ms < 5, f"median {median_ms:.1f} ms: TCP_NODELAY/TCP_QUICKACK not effective?"


def _tries_left(answer: bytes) -> int:
    if answer == b"\x69\x83":  # blocked: no tries left
        return 0
    assert answer[0] == 0x63 and answer[1] & 0xF0 == 0xC0, answer.hex()
    return answer[1] & 0x0F


@pytest.mark.parametrize(("when", "used"), [("before", 1), ("after", 2)])
def test_tear_leaves_the_state_a_real_card_would(attach_card, when, used):
    handle = attach_card()
    _, first = pcsc_exchange(handle.reader, SELECT_ADF, WRONG_PIN)
    tries = _tries_left(first)
    handle.card.tear(1, when, prefix="0020")
    with pytest.raises(PcscExchangeError):
        pcsc_exchange(handle.reader, SELECT_ADF, WRONG_PIN)
    handle.wait_absent()  # a torn card has left the reader
    handle.restart()  # a new card object from the same state dir
    _, after = pcsc_exchange(handle.reader, SELECT_ADF, WRONG_PIN)
    # before: the torn VERIFY never counted; after: it counted (persisted), answer lost
    assert _tries_left(after) == tries - used


def test_tear_counted_from_reset_through_pcscd(attach_card):
    store = TinyStore()
    handle = attach_card(card=TinyCard(store))
    handle.card.tear(2, "after", count_from="reset")
    with pytest.raises(PcscExchangeError):
        pcsc_exchange(handle.reader, SELECT_ADF, bytes.fromhex("80D0000000"), READ_EF15)
    assert store.counter == 1  # the 2nd command of the session was applied, then torn
    handle.wait_absent()
    handle.insert()
    assert pcsc_exchange(handle.reader, READ_EF15)[0] == (1).to_bytes(30, "big") + b"\x90\x00"


def test_answer_and_delay_controls_through_pcscd(demo_card):
    demo_card.card.answer("00B0", 0x6A82)
    demo_card.card.delay(0.2, "00A4", times=1)
    started = time.monotonic()
    select, ef15 = pcsc_exchange(demo_card.reader, SELECT_ADF, READ_EF15)
    assert time.monotonic() - started >= 0.2
    assert select[-2:] == b"\x90\x00" and ef15 == b"\x6a\x82"


def test_bridges_reconnect_after_pcscd_restarts(pcscd, demo_card, psam, attach_card):
    handle = attach_card(card=TinyCard(), reader_index=1)  # the PSAM is displaced meanwhile
    pcscd.restart()
    handle.wait_present()
    assert reader_state(handle.reader) == (True, TINY_ATR)
    assert pcsc_exchange(handle.reader, SELECT_ADF) == [b"\x90\x00"]
    demo_card.wait_present()
    assert pcsc_exchange(demo_card.reader, SELECT_ADF)[0][-2:] == b"\x90\x00"
    assert demo_card.bridge.connections >= 2


def test_a_card_that_answers_late_is_waited_for_not_dropped(attach_card):
    """vpcd has no timeout (blocking recv): a card that answers 2.5 s late, with pcscd's
    presence polls (every 0.4 s) queued behind the command, is neither dropped nor reconnected.
    So a busy card process alone (the soak's old rig) never makes vpcd give up."""
    handle = attach_card()
    connections = handle.bridge.connections
    backend = open_backend("pcsc://")
    try:
        with CardChannel.connect(backend, handle.reader, timeout=5.0) as channel:
            assert channel.transmit(SELECT_ADF).sw == 0x9000
            handle.card.delay(2.5, READ_EF15[:2], times=1)
            started = time.monotonic()
            ef15 = channel.transmit(READ_EF15)
            assert time.monotonic() - started >= 2.5
            assert ef15.sw == 0x9000 and ef15.data[12:20] == bytes.fromhex("4102000000000001")
            assert channel.transmit(READ_EF15).sw == 0x9000
    finally:
        backend.close()
    assert reader_state(handle.reader)[0]
    assert handle.bridge.connections == connections
