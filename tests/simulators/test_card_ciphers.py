"""The card's cached ciphers give exactly what cardsvc.crypto (the reference) gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardsvc import crypto
from cardsvc.crypto import Alg, CryptoError
from simulators.card.ciphers import (
    BlockCipher,
    CardCiphers,
    Diversifier,
    purchase_session_block,
    session_key_cipher,
)

H = bytes.fromhex
MPK = H("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
FACTOR = H("4102000000000001")
TID = H("410200000001")
DATE, TIME = H("20261126"), H("120000")

keys16 = st.binary(min_size=16, max_size=16)
algs = st.sampled_from([Alg.TDES, Alg.SM4])


def test_section_8_purchase_vectors_3des_and_sm4():
    div = Diversifier(MPK)
    dpk = div.diversify(Alg.TDES, FACTOR)
    assert dpk == H("FB03BA2FCD080521AB52BCF28BBA5C8D")
    assert div.diversify(Alg.SM4, FACTOR) == H("8A52ABE288C33BDB256DC43874A7CD6D")
    dtk = H("43A8F7436344FEF87DAAE88149227FCB")
    ciphers = CardCiphers(Alg.TDES, dpk, H("8538213A3FBEEF0F2B6C32C7B5301EE7"), dtk)
    sespk = ciphers.purchase_session(H("1A2B3C4D"), 5, 0x10)
    assert sespk.mac(crypto.purchase_mac1_data(1250, 6, TID, DATE, TIME)) == H("4156ECF8")
    assert sespk.mac(crypto.purchase_mac2_data(1250)) == H("50EF395D")
    tac = ciphers.tac.mac(crypto.purchase_tac_data(1250, 6, TID, 0x10, DATE, TIME))
    assert tac == H("56416C95")
    # the same cipher objects again (cached) give the same answers
    again = ciphers.purchase_session(H("1A2B3C4D"), 5, 0x10)
    assert again.mac(crypto.purchase_mac2_data(1250)) == H("50EF395D")
    assert ciphers.tac is ciphers.tac


def test_published_des_mac_vector():
    master = BlockCipher(Alg.TDES, H("11223344556677888877665544332211"))
    key = master.encrypt(H("1122334400000001"))
    assert key == H("003238ABC57659DD")
    mac = BlockCipher(Alg.TDES, key)
    assert mac.mac(H("00001000 06 001122334455 20120229135100".replace(" ", ""))) == H("F15CAB75")
    assert mac.mac(H("00001000")) == H("56988A13")


@settings(max_examples=60, deadline=None)
@given(alg=algs, key=keys16, factor=st.binary(min_size=8, max_size=8))
def test_diversify_matches_the_reference(alg, key, factor):
    div = Diversifier(key)
    assert div.diversify(alg, factor) == crypto.diversify(alg, key, factor)
    assert div.diversify(alg, factor) == crypto.diversify(alg, key, factor)  # cached master


@settings(max_examples=60, deadline=None)
@given(
    alg=algs,
    dpk=keys16,
    dlk=keys16,
    dtk=keys16,
    random=st.binary(min_size=4, max_size=4),
    atc=st.integers(0, 0xFFFF),
    ttsn=st.integers(0, 0xFFFFFFFF),
    amount=st.integers(0, 0xFFFFFFFF),
    tx_type=st.sampled_from([crypto.TX_PURCHASE, crypto.TX_COMPOUND_PURCHASE]),
)
def test_purchase_and_load_macs_match_the_reference(
    alg, dpk, dlk, dtk, random, atc, ttsn, amount, tx_type
):
    ciphers = CardCiphers(alg, dpk, dlk, dtk)
    sespk = crypto.purchase_session_key(alg, dpk, random, atc, ttsn)
    fast = ciphers.purchase_session(random, atc, ttsn)
    mac1 = crypto.purchase_mac1(
        alg, sespk, amount=amount, tx_type=tx_type, terminal_id=TID, date=DATE, time=TIME
    )
    assert fast.mac(crypto.purchase_mac1_data(amount, tx_type, TID, DATE, TIME)) == mac1
    assert fast.mac(crypto.purchase_mac2_data(amount)) == crypto.purchase_mac2(
        alg, sespk, amount=amount
    )
    tac = crypto.purchase_tac(
        alg, dtk, amount=amount, tx_type=tx_type, terminal_id=TID, ttsn=ttsn, date=DATE, time=TIME
    )
    assert ciphers.tac.mac(crypto.purchase_tac_data(amount, tx_type, TID, ttsn, DATE, TIME)) == tac
    seslk = crypto.load_session_key(alg, dlk, random, atc)
    fast_load = ciphers.load_session(random, atc)
    balance = amount // 2
    assert fast_load.mac(crypto.load_mac1_data(balance, amount, TID)) == crypto.load_mac1(
        alg, seslk, balance_before=balance, amount=amount, terminal_id=TID
    )
    assert fast_load.mac(crypto.load_mac2_data(amount, TID, DATE, TIME)) == crypto.load_mac2(
        alg, seslk, amount=amount, terminal_id=TID, date=DATE, time=TIME
    )
    load_tac = crypto.load_tac(
        alg, dtk, new_balance=balance, online_atc=atc, amount=amount, terminal_id=TID,
        date=DATE, time=TIME,
    )
    data = crypto.load_tac_data(balance, atc, amount, TID, DATE, TIME)
    assert ciphers.tac.mac(data) == load_tac


@settings(max_examples=60, deadline=None)
@given(alg=algs, data=st.binary(max_size=70), iv=st.booleans(), key=keys16)
def test_cbc_mac_matches_the_reference_for_any_length(alg, data, iv, key):
    mac_key = key[: alg.block_size]
    chain = key[::-1][: alg.block_size] if iv else None
    assert BlockCipher(alg, mac_key).mac(data, chain) == crypto.cbc_mac(alg, mac_key, data, chain)


def test_psam_card_keys_are_kept_for_recent_factors_only():
    div = Diversifier(MPK, cache_size=2)
    first = div.card_key(Alg.TDES, FACTOR)
    assert div.card_key(Alg.TDES, FACTOR) is first
    assert div.card_key(Alg.SM4, FACTOR) is not first  # the algorithm is part of the key
    div.card_key(Alg.TDES, H("4102000000000002"))
    assert div.card_key(Alg.TDES, FACTOR) is not first  # evicted (least recently used)
    block = purchase_session_block(H("1A2B3C4D"), 5, 0x10)
    sespk = session_key_cipher(Alg.TDES, div.card_key(Alg.TDES, FACTOR), block)
    assert sespk.mac(crypto.purchase_mac1_data(1250, 6, TID, DATE, TIME)) == H("4156ECF8")


def test_bad_inputs_are_crypto_errors_and_reprs_hide_keys():
    with pytest.raises(CryptoError):
        BlockCipher(Alg.TDES, bytes(12))
    with pytest.raises(CryptoError):
        BlockCipher(Alg.SM4, bytes(8))
    with pytest.raises(CryptoError):
        BlockCipher(Alg.TDES, bytes(8)).encrypt(bytes(16))
    with pytest.raises(CryptoError):
        BlockCipher(Alg.TDES, bytes(8)).mac(b"", bytes(16))
    with pytest.raises(CryptoError):
        purchase_session_block(bytes(3), 0, 0)
    with pytest.raises(CryptoError):
        purchase_session_block(bytes(4), 0x10000, 0)
    with pytest.raises(CryptoError):
        Diversifier(bytes(8))
    with pytest.raises(CryptoError):
        Diversifier(MPK).diversify(Alg.TDES, bytes(7))
    with pytest.raises(CryptoError):
        session_key_cipher(Alg.SM4, BlockCipher(Alg.TDES, MPK), bytes(8))
    for obj in (BlockCipher(Alg.TDES, MPK), Diversifier(MPK), CardCiphers(Alg.TDES, MPK, MPK, MPK)):
        assert "3F1A" not in repr(obj).upper()
