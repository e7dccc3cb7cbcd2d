"""Every card operation and every refusal, in-process (the pcscd path is in test_e2e_*)."""

import datetime as dt

import pytest

from cardsvc import crypto
from cardsvc.errors import (
    AmountRefused,
    CardBlocked,
    CardExpired,
    CardHotlisted,
    InsufficientBalance,
    PinBlocked,
    WrongPin,
)
from cardsvc.keys import load_issuer_keys
from cardsvc.messages import MESSAGES
from cardsvc.terminal import FreeRide, TxResult
from simulators.card.factory import issue_user_card
from simulators.card.personalise import CardDescription
from tests.cardsvc.rig import Rig


def _tac_ok(rig: Rig, tx: TxResult, alg: crypto.Alg = crypto.Alg.TDES) -> bool:
    """Check the TAC as clearing would, with MTK."""
    keys = load_issuer_keys(rig.keys)
    dtk = crypto.diversify(alg, keys.mtk, bytes.fromhex(tx.card_no))
    date, time = crypto.bcd_datetime(tx.date_time)
    tid = bytes.fromhex(tx.terminal_id)
    if tx.type == "load":
        tac = crypto.load_tac(alg, dtk, new_balance=tx.balance_after_fen, online_atc=tx.card_atc,
                              amount=tx.amount_fen, terminal_id=tid, date=date, time=time)
    else:
        code = crypto.TX_COMPOUND_PURCHASE if tx.type == "compound" else crypto.TX_PURCHASE
        tac = crypto.purchase_tac(alg, dtk, amount=tx.amount_fen, tx_type=code, terminal_id=tid,
                                  ttsn=tx.ttsn, date=date, time=time)
    return tac.hex().upper() == tx.tac


def test_identify_uses_two_commands(rig: Rig) -> None:
    before = rig.channel.stats.commands
    info = rig.terminal.identify()
    assert rig.channel.stats.commands - before == 2
    assert (info.card_no, info.holder and info.holder.name, info.status) == \
        ("4102000000000001", "张明华", "ok")
    assert info.holder and info.holder.masked_id == "4102**********0315"


def test_purchase_debits_journals_and_proves(rig: Rig) -> None:
    tx = rig.terminal.purchase(1250, "canteen")
    assert (tx.balance_before_fen, tx.balance_after_fen) == (10000, 8750)
    assert rig.terminal.balance() == ("4102000000000001", 8750)
    entry = rig.journal.get(tx.entry_id)
    assert (entry.status, entry.mac2_verified, entry.tac) == ("completed", True, tx.tac)
    assert _tac_ok(rig, tx)
    log = rig.terminal.history().purse
    assert (log[0].amount_fen, log[0].tx_type, log[0].atc) == (1250, 0x06, tx.card_atc)


def test_ride_writes_transit_record_and_discounts(rig: Rig) -> None:
    tx = rig.terminal.ride("1")
    assert isinstance(tx, TxResult) and tx.amount_fen == 100 and tx.type == "compound"
    assert _tac_ok(rig, tx)
    transit = rig.terminal.history().transit
    assert (transit[0].line_label, transit[0].amount_fen, transit[0].balance_after_fen) == \
        ("1", 100, 9900)
    rig.insert("4102000000000002")  # student: half fare
    tx2 = rig.terminal.ride("K1")
    assert isinstance(tx2, TxResult) and tx2.amount_fen == 100


def test_senior_rides_free_without_touching_the_purse(rig: Rig) -> None:
    issue_user_card(rig.root / "cards", CardDescription(
        "4102000000000099", "周老", "410202195001010014", card_type="senior",
        balance_fen=500), load_issuer_keys(rig.keys))
    rig.insert("4102000000000099")
    ride = rig.terminal.ride("1")
    assert isinstance(ride, FreeRide)
    assert rig.terminal.balance()[1] == 500


def test_load_with_pin(rig: Rig) -> None:
    tx = rig.terminal.load(10000, "123456")
    assert tx.balance_after_fen == 20000 and _tac_ok(rig, tx)
    assert rig.terminal.balance()[1] == 20000


def test_wrong_pin_tells_tries_left_then_blocks(rig: Rig) -> None:
    with pytest.raises(WrongPin) as info:
        rig.terminal.load(100, "000000")
    assert info.value.tries_left == 2 and MESSAGES.zh(info.value) == "密码错误，还可尝试 2 次"
    assert info.value.code == "wrong_pin"
    with pytest.raises(WrongPin):
        rig.terminal.load(100, "000000")
    with pytest.raises(PinBlocked):
        rig.terminal.load(100, "000000")
    assert rig.journal.entries() == []


def test_insufficient_balance_shows_the_balance(rig: Rig) -> None:
    with pytest.raises(InsufficientBalance) as info:
        rig.terminal.purchase(10001)
    assert info.value.balance_fen == 10000
    assert rig.terminal.balance()[1] == 10000
    assert rig.journal.entries() == []


@pytest.mark.parametrize("amount", [0, -5, 100_001])
def test_bad_amounts_are_refused_before_the_purse(rig: Rig, amount: int) -> None:
    sent = rig.card.commands_total
    with pytest.raises(AmountRefused):
        rig.terminal.purchase(amount)
    assert rig.card.commands_total == sent


def test_expired_card_is_refused(rig: Rig) -> None:
    rig.insert("4102000000000003")
    with pytest.raises(CardExpired, match="2025-04-30"):
        rig.terminal.purchase(100)
    assert rig.terminal.identify().status == "expired"
    assert rig.terminal.balance()[1] == 2000


def test_lost_card_is_refused_and_blocked(rig: Rig) -> None:
    rig.journal.replace_hotlist(1, ["4102000000000004"])
    rig.insert("4102000000000004")
    with pytest.raises(CardHotlisted):
        rig.terminal.purchase(100)
    assert rig.terminal.identify().status == "blocked"
    with pytest.raises(CardBlocked):
        rig.terminal.purchase(100)
    rig.insert("4102000000000004")  # still blocked after a power cycle
    with pytest.raises(CardBlocked):
        rig.terminal.load(100, "123456")


def test_block_command_blocks(rig: Rig) -> None:
    assert rig.terminal.block() == "4102000000000001"
    with pytest.raises(CardBlocked):
        rig.terminal.purchase(100)


def test_sm4_card_does_everything(rig: Rig) -> None:
    rig.insert("4102000000000005")
    pay = rig.terminal.purchase(1250, "retail")
    ride = rig.terminal.ride("1")
    load = rig.terminal.load(5000, "123456")
    assert isinstance(ride, TxResult)
    for tx in (pay, ride, load):
        assert _tac_ok(rig, tx, crypto.Alg.SM4)
    assert rig.terminal.balance()[1] == 10000 - 1250 - 100 + 5000
    assert rig.terminal.block() == "4102000000000005"
    assert rig.terminal.identify().status == "blocked"


def test_t0_card_answers_are_handled(tmp_path) -> None:
    r = Rig(tmp_path, t0=True)
    tx = r.terminal.purchase(200)
    assert tx.balance_after_fen == 9800
    assert r.channel.stats.get_responses > 0
    r.close()


def test_history_lists_newest_first(rig: Rig) -> None:
    rig.terminal.purchase(100)
    rig.tick()
    rig.terminal.load(300, "123456")
    purse = rig.terminal.history().purse
    assert [(r.tx_type, r.amount_fen) for r in purse[:2]] == [(0x02, 300), (0x06, 100)]
    assert purse[0].when == rig.clock_value.replace(microsecond=0)
    assert purse[1].when == rig.clock_value - dt.timedelta(seconds=1)


def test_command_counts_meet_the_targets(rig: Rig) -> None:
    """purchase <= 5 commands with the PSAM, bus fare <= 6, identify 2 (GET RESPONSE apart)."""
    rig.terminal.purchase(1)  # warm: the PSAM's SELECT and terminal ID are read once

    def count(op) -> int:
        card, sam = rig.channel.stats.commands, rig.sam_channel.stats.commands
        op()
        return (rig.channel.stats.commands - card) + (rig.sam_channel.stats.commands - sam)

    assert count(lambda: rig.terminal.purchase(100)) == 5
    assert count(lambda: rig.terminal.ride("1")) == 6
    assert count(rig.terminal.identify) == 2
    assert count(lambda: rig.terminal.load(100, "123456")) == 4
