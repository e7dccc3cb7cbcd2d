"""The in-process load authority: spec vectors, bad MAC1, limits, hidden MLK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.errors import MacError, Refusal
from cardsvc.keys import IssuerKeys, KeyFileError, load_issuer_keys
from cardsvc.load_authority import (
    InProcessLoadAuthority,
    LoadAuthority,
    LoadDeclined,
    LoadMac1Error,
    LoadOverLimit,
)

H = bytes.fromhex
CARD = H("4102000000000001")
TID = H("410200000001")
MLK = H("5A6B7C8D9EAFB0C1D2E3F40516273849")

VECTORS = {Alg.TDES: ("530882EB", "5E8990C3"), Alg.SM4: ("AF4967E5", "2083D29A")}


@pytest.fixture
def authority(tmp_path: Path) -> InProcessLoadAuthority:
    return InProcessLoadAuthority.from_key_file(install_demo_keys(tmp_path))


def _request(alg_: Alg, **over: Any) -> dict[str, Any]:
    req: dict[str, Any] = {
        "card_factor": CARD,
        "alg": alg_,
        "online_atc": 1,
        "card_random": H("A1B2C3D4"),
        "balance_before": 0,
        "amount": 10000,
        "terminal_id": TID,
        "date": H("20261126"),
        "time": H("090000"),
        "mac1": H(VECTORS[alg_][0]),
    }
    req.update(over)
    return req


@pytest.mark.parametrize("alg", list(Alg))
def test_spec_load_vectors(authority: InProcessLoadAuthority, alg: Alg) -> None:
    assert authority.authorize_load(**_request(alg)) == H(VECTORS[alg][1])


@pytest.mark.parametrize(
    "change",
    [
        {"mac1": H("530882EC")},
        {"balance_before": 1},
        {"amount": 10001},
        {"online_atc": 2},
        {"card_random": H("A1B2C3D5")},
        {"terminal_id": H("410200000002")},
        {"card_factor": H("4102000000000002")},
    ],
)
def test_bad_mac1_is_refused(authority: InProcessLoadAuthority, change: dict[str, Any]) -> None:
    with pytest.raises(LoadMac1Error) as info:
        authority.authorize_load(**_request(Alg.TDES, **change))
    assert isinstance(info.value, MacError)
    assert MLK.hex() not in str(info.value).lower()


def test_sm4_mac1_does_not_pass_as_3des(authority: InProcessLoadAuthority) -> None:
    with pytest.raises(LoadMac1Error):
        authority.authorize_load(**_request(Alg.TDES, mac1=H(VECTORS[Alg.SM4][0])))


def test_over_balance_limit(authority: InProcessLoadAuthority) -> None:
    dlk = crypto.diversify(Alg.TDES, MLK, CARD)
    seslk = crypto.load_session_key(Alg.TDES, dlk, H("A1B2C3D4"), 1)
    mac1 = crypto.load_mac1(Alg.TDES, seslk, balance_before=95000, amount=5001, terminal_id=TID)
    with pytest.raises(LoadOverLimit) as info:
        authority.authorize_load(**_request(Alg.TDES, balance_before=95000, amount=5001, mac1=mac1))
    assert isinstance(info.value, Refusal) and info.value.code == "balance_limit"
    mac1 = crypto.load_mac1(Alg.TDES, seslk, balance_before=95000, amount=5000, terminal_id=TID)
    mac2 = authority.authorize_load(
        **_request(Alg.TDES, balance_before=95000, amount=5000, mac1=mac1)
    )
    assert mac2 == crypto.load_mac2(
        Alg.TDES, seslk, amount=5000, terminal_id=TID, date=H("20261126"), time=H("090000")
    )


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"mac1": H("5308")},
        {"card_factor": CARD[:7]},
        {"terminal_id": "410200000001"},
        {"date": H("20261326")},
        {"time": H("250000")},
        {"online_atc": -1},
        {"alg": 4},
    ],
)
def test_malformed_requests_are_declined(
    authority: InProcessLoadAuthority, change: dict[str, Any]
) -> None:
    with pytest.raises(LoadDeclined) as info:
        authority.authorize_load(**_request(Alg.TDES, **change))
    assert isinstance(info.value, Refusal)


def test_needs_mlk_only() -> None:
    with pytest.raises(KeyFileError, match="mlk"):
        InProcessLoadAuthority(IssuerKeys(mpk=bytes(16)))
    InProcessLoadAuthority(IssuerKeys(mlk=MLK))


def test_repr_hides_mlk(tmp_path: Path) -> None:
    keys = load_issuer_keys(install_demo_keys(tmp_path))
    auth = InProcessLoadAuthority(keys)
    assert "hidden" in repr(auth)
    assert MLK.hex() not in repr(auth).lower()
    assert not hasattr(auth, "_keys")  # only MLK is kept, never MPK/MTK/MAMK
    assert isinstance(auth, LoadAuthority)


def test_refused_world_readable_key_file(tmp_path: Path) -> None:
    path = install_demo_keys(tmp_path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        InProcessLoadAuthority.from_key_file(path)
