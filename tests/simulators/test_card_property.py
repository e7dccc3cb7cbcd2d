"""Property: after any sequence of loads and purchases the purse adds up and EF18 matches."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardsvc.demo_issuer import demo_issuer_keys
from cardsvc.profile import MAX_BALANCE_FEN
from simulators.card.factory import build_card
from simulators.card.personalise import CardDescription, personalise_user_card
from simulators.card.reference import CardStatus, ReferenceTerminal

KEYS = demo_issuer_keys()
WHEN = dt.datetime(2026, 11, 26, 8, 30, 0)
TRANSIT = bytes(48)

operations = st.lists(
    st.tuples(
        st.sampled_from(["load", "purchase", "compound"]),
        st.integers(min_value=1, max_value=60_000),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=MAX_BALANCE_FEN),
    ops=operations,
    algorithm=st.sampled_from(["3des", "sm4"]),
)
def test_balance_and_log_follow_the_transactions(start, ops, algorithm):
    desc = CardDescription(
        "4102000000000001", "张明华", "410202198503150315", balance_fen=start, algorithm=algorithm
    )
    card = build_card(personalise_user_card(desc, KEYS))  # in memory, no state dir
    term = ReferenceTerminal(card, KEYS)
    term.select()
    balance, loads, purchases = start, 0, 0
    expected_log: list[tuple[int, int, int]] = []  # (atc, amount, type), oldest first
    offline_atc = online_atc = 0
    for kind, amount in ops:
        if kind == "load":
            if balance + amount > MAX_BALANCE_FEN:
                try:
                    term.load(amount, WHEN)
                except CardStatus as exc:
                    assert exc.sw == 0x6A80
                else:
                    raise AssertionError("a load past the maximum balance was accepted")
                continue
            receipt = term.load(amount, WHEN)
            assert receipt.atc == online_atc
            expected_log.append((online_atc, amount, 0x02))
            online_atc += 1
            balance += amount
            loads += amount
        else:
            transit = TRANSIT if kind == "compound" else None
            if amount > balance:
                try:
                    term.purchase(amount, WHEN, transit_record=transit)
                except CardStatus as exc:
                    assert exc.sw == 0x9401
                else:
                    raise AssertionError("a purchase past the balance was accepted")
                continue
            receipt = term.purchase(amount, WHEN, transit_record=transit)
            assert receipt.atc == offline_atc
            expected_log.append((offline_atc, amount, 0x09 if transit else 0x06))
            offline_atc += 1
            balance -= amount
            purchases += amount
    assert term.balance() == balance == start + loads - purchases
    log = []
    for n in range(1, 12):
        raw = card.transmit(bytes((0x00, 0xB2, n, 0xC4, 0x00)))
        if raw == b"\x6a\x83":
            break
        assert raw[-2:] == b"\x90\x00"
        rec = raw[:-2]
        assert rec[2:5] == b"\x00\x00\x00" and rec[10:16] == bytes.fromhex("410200000001")
        log.append((int.from_bytes(rec[0:2], "big"), int.from_bytes(rec[5:9], "big"), rec[9]))
    assert log == list(reversed(expected_log))[:10]
