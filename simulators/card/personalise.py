"""Personalisation: make a user card or a PSAM image from a description and the issuer keys.

The user card gets the layout of card-spec.md section 1 (MF, the city-card ADF with EF15, EF16,
EF18, EF1E) and its purse keys diversified from the issuer master keys with the card factor
(card-spec 4.1); the master keys never reach the card. The PSAM gets MPK and MAMK, its terminal
ID file and a starting TTSN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cardsvc.crypto import bcd_date, diversify, to_bcd
from cardsvc.demo_issuer import DemoCard, DemoPsam
from cardsvc.keys import IssuerKeys
from cardsvc.profile import ALGS, CARD_TYPE_NAMES, MAX_BALANCE_FEN, alg_named
from simulators.card.atr import PSAM_ATR, USER_CARD_ATR
from simulators.card.card import CardImage
from simulators.card.files import DF, MF_FID, CyclicEF, TransparentEF
from simulators.card.state import PsamState, PurseState

CITY_CARD_AID = bytes.fromhex("A00000000386980701")
PSE_NAME = b"1PAY.SYS.DDF01"
ADF_FID = 0x1001
PSAM_DF_FID = 0x1001
ISSUER_ID = bytes.fromhex("41020000FFFFFFFF")
APP_TYPE = 0x03
APP_VERSION = 0x01
EF15_LEN, EF16_LEN, EF18_REC, EF1E_REC, LOG_RECORDS = 30, 55, 23, 48, 10
NAME_LEN, ID_LEN = 20, 32
PURSE_APP = "purse"
PSAM_APP = "psam"


class PersonaliseError(ValueError):
    """The card description cannot be written to a card (the message names the field)."""


@dataclass(frozen=True)
class CardDescription:
    """What the issuer writes on a new user card (``simulators card issue``)."""

    number: str
    holder: str
    id_number: str
    card_type: str = "adult"
    valid_from: dt.date = dt.date(2024, 1, 1)
    valid_until: dt.date = dt.date(2033, 12, 31)
    balance_fen: int = 0
    algorithm: str = "3des"
    pin: str = field(default="123456", repr=False)
    offline_atc: int = 0
    online_atc: int = 0
    staff: bool = False
    """Staff flag of EF16 (default: true for the ``staff`` card type)."""

    @classmethod
    def from_demo(cls, card: DemoCard) -> CardDescription:
        return cls(
            card.number,
            card.holder,
            card.id_number,
            card.card_type,
            card.valid_from,
            card.valid_until,
            card.balance_fen,
            card.algorithm,
            card.pin,
            staff=card.card_type == "staff",
        )


@dataclass(frozen=True)
class PsamDescription:
    terminal_id: str = "410200000001"
    ttsn: int = 1

    @classmethod
    def from_demo(cls, psam: DemoPsam) -> PsamDescription:
        return cls(psam.terminal_id, psam.ttsn)


def card_factor(number: str) -> bytes:
    """The 8-byte card factor: the card number in BCD (EF15 bytes 12..19)."""
    return to_bcd(number, 8)


def ef15_bytes(desc: CardDescription) -> bytes:
    """Public application data (card-spec 2.1), 30 bytes."""
    data = (
        ISSUER_ID
        + bytes((APP_TYPE, APP_VERSION))
        + b"\x00\x00"
        + card_factor(desc.number)
        + bcd_date(desc.valid_from)
        + bcd_date(desc.valid_until)
        + bytes((CARD_TYPE_NAMES.index(desc.card_type), 0x00))
    )
    assert len(data) == EF15_LEN
    return data


def ef16_bytes(desc: CardDescription) -> bytes:
    """Holder data (card-spec 2.2), 55 bytes: type, staff flag, GB18030 name, ID number, ID type."""
    name = desc.holder.encode("gb18030")
    ident = desc.id_number.encode("ascii")
    staff = desc.staff or desc.card_type == "staff"
    data = (
        bytes((0x00, 0x01 if staff else 0x00))
        + name.ljust(NAME_LEN, b"\x00")
        + ident.ljust(ID_LEN, b"\x00")
        + b"\x00"
    )
    assert len(data) == EF16_LEN
    return data


def _check(desc: CardDescription) -> None:
    if len(desc.number) != 16 or not desc.number.isascii() or not desc.number.isdigit():
        raise PersonaliseError("card number must be 16 digits")
    if desc.card_type not in CARD_TYPE_NAMES:
        raise PersonaliseError(f"card type must be one of {', '.join(CARD_TYPE_NAMES)}")
    if desc.algorithm not in ALGS:
        raise PersonaliseError("algorithm must be 3des or sm4")
    try:
        name = desc.holder.encode("gb18030")
    except UnicodeEncodeError as exc:
        raise PersonaliseError("holder name is not GB18030-encodable") from exc
    if not name or len(name) > NAME_LEN:
        raise PersonaliseError(f"holder name must be 1 to {NAME_LEN} bytes in GB18030")
    if not desc.id_number.isascii() or not desc.id_number or len(desc.id_number) > ID_LEN:
        raise PersonaliseError(f"ID number must be 1 to {ID_LEN} ASCII characters")
    if desc.valid_until < desc.valid_from:
        raise PersonaliseError("validity ends before it starts")
    if not 0 <= desc.balance_fen <= MAX_BALANCE_FEN:
        raise PersonaliseError(f"balance must be 0..{MAX_BALANCE_FEN} fen")
    if not desc.pin.isdigit() or not 4 <= len(desc.pin) <= 12 or len(desc.pin) % 2:
        raise PersonaliseError("PIN must be 4 to 12 digits, an even count (BCD)")
    for name_, atc in (("offline ATC", desc.offline_atc), ("online ATC", desc.online_atc)):
        if not 0 <= atc <= 0xFFFE:
            raise PersonaliseError(f"{name_} out of range")


def personalise_user_card(desc: CardDescription, keys: IssuerKeys) -> CardImage:
    """A new user card image: files of card-spec 1-2, purse with diversified keys."""
    _check(desc)
    alg = alg_named(desc.algorithm)
    factor = card_factor(desc.number)
    mf = DF(MF_FID, name=PSE_NAME)
    adf = DF(ADF_FID, name=CITY_CARD_AID, app=PURSE_APP, fci_sfi=0x15)
    mf.add(adf)
    adf.add(TransparentEF(0x0015, 0x15, bytearray(ef15_bytes(desc))))
    adf.add(TransparentEF(0x0016, 0x16, bytearray(ef16_bytes(desc))))
    adf.add(CyclicEF(0x0018, 0x18, EF18_REC, LOG_RECORDS))
    adf.add(CyclicEF(0x001E, 0x1E, EF1E_REC, LOG_RECORDS))
    purse = PurseState(
        alg_id=int(alg),
        key_version=keys.key_version,
        dpk=diversify(alg, keys.mpk, factor),
        dlk=diversify(alg, keys.mlk, factor),
        dtk=diversify(alg, keys.mtk, factor),
        damk=diversify(alg, keys.mamk, factor),
        pin=desc.pin,
        balance=desc.balance_fen,
        offline_atc=desc.offline_atc,
        online_atc=desc.online_atc,
    )
    return CardImage("user", USER_CARD_ATR, mf, {PURSE_APP: purse.as_dict()})


def personalise_psam(desc: PsamDescription, keys: IssuerKeys) -> CardImage:
    """A new PSAM image: MF and DF 1001 each with the terminal ID file (SFI 16), MPK, MAMK."""
    if len(desc.terminal_id) != 12 or not desc.terminal_id.isdigit():
        raise PersonaliseError("terminal ID must be 12 digits")
    if not 0 <= desc.ttsn <= 0xFFFFFFFF:
        raise PersonaliseError("TTSN out of range")
    tid = to_bcd(desc.terminal_id, 6)
    mf = DF(MF_FID)
    mf.add(TransparentEF(0x0016, 0x16, bytearray(tid)))
    app = DF(PSAM_DF_FID, app=PSAM_APP)
    mf.add(app)
    app.add(TransparentEF(0x0016, 0x16, bytearray(tid)))
    state = PsamState(keys.key_version, keys.mpk, keys.mamk, desc.ttsn)
    return CardImage("psam", PSAM_ATR, mf, {PSAM_APP: state.as_dict()})
