"""The PSAM application (card-spec.md 4.4): the terminal's secure module, card side.

Commands (CLA 80, DF 1001 selected; the PSAM is a T=0 card, so the card layer answers ``61xx``
and the terminal fetches the data with GET RESPONSE):

* ``8070 0000 1C`` random(4) ATC(2) amount(4) type(1) date(4) time(3) keyVer(1) algID(1)
  cardFactor(8) -> TTSN(4) MAC1(4). Diversifies MPK with the card factor, derives SESPK and
  hands out the next TTSN, which only grows and is persisted before the answer.
* ``8072 0000 04`` MAC2 -> ``9000`` when it is the card's MAC2 for the last 8070 session, else
  ``9302``.
* ``801A 2501 08`` cardFactor -> diversifies MAMK for the next 80FA (3DES). Profile extension
  for SM4 cards, which 4.4 leaves open: ``801A 2501 09`` cardFactor(8) algID(1).
* ``80FA 0500 Lc`` IV data -> MAC(4) of 4.5 with the diversified DAMK. The IV is one block of
  the algorithm (8 bytes for 3DES, 16 for SM4) and must be challenge(4) followed by zeros.

Volatile state (the last 8070 session, the diversified DAMK) is dropped at power-off and reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardsvc import crypto
from cardsvc.crypto import Alg, CryptoError
from simulators.card.apdu import (
    SW_BAD_DATA,
    SW_CONDITIONS,
    SW_MAC_ERROR,
    SW_OK,
    SW_REF_NOT_FOUND,
    SW_WRONG_LENGTH,
    Command,
    Reply,
    SwError,
)
from simulators.card.card import CardServices
from simulators.card.ciphers import (
    BlockCipher,
    Diversifier,
    purchase_session_block,
    session_key_cipher,
)
from simulators.card.files import DF, TransparentEF
from simulators.card.state import PsamState

PURCHASE_MAC1 = 0x70
VERIFY_MAC2 = 0x72
DELIVER_KEY = 0x1A
MAINTENANCE_MAC = 0xFA
MAX_TTSN = 0xFFFFFFFF


@dataclass(frozen=True)
class _PurchaseSession:
    sespk: BlockCipher
    amount: int


class PsamApp:
    """The PSAM application bound to DF 1001 (see :class:`simulators.card.card.Application`)."""

    def __init__(self, state: PsamState, df: DF) -> None:
        self.state = state
        self.df = df
        self._session: _PurchaseSession | None = None
        self._damk: tuple[Alg, bytes] | None = None
        self._mpk: Diversifier | None = None

    @classmethod
    def from_dict(cls, doc: dict[str, Any], df: DF) -> PsamApp:
        return cls(PsamState.from_dict(doc), df)

    @property
    def terminal_id(self) -> bytes:
        ef = self.df.ef_by_sfi(0x16)
        if not isinstance(ef, TransparentEF):
            raise SwError(SW_CONDITIONS, "no terminal ID file")
        return bytes(ef.data)

    # ------------------------------------------------------------------ Application

    def snapshot(self) -> dict[str, Any]:
        return self.state.as_dict()

    def on_power(self) -> None:
        self._session = None
        self._damk = None

    def on_select(self) -> int:
        return SW_OK

    def on_command(self, cmd: Command) -> None:
        return None

    def handle(self, cmd: Command, card: CardServices) -> Reply | None:
        if cmd.cla != 0x80:
            return None
        handler = {
            PURCHASE_MAC1: self._mac1,
            VERIFY_MAC2: self._verify_mac2,
            DELIVER_KEY: self._deliver_key,
            MAINTENANCE_MAC: self._maintenance_mac,
        }.get(cmd.ins)
        if handler is None:
            return None
        return handler(cmd, card)

    def _purchase_keys(self) -> Diversifier:
        """MPK's diversifier, made once (remade only if the state's MPK changes)."""
        mpk = self._mpk
        if mpk is None or not mpk.matches(self.state.mpk):
            mpk = self._mpk = Diversifier(self.state.mpk)
        return mpk

    # ------------------------------------------------------------------ commands

    def _mac1(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x00, 0x00)
        data = cmd.expect_lc(0x1C)
        random, atc = data[0:4], int.from_bytes(data[4:6], "big")
        amount, tx_type = int.from_bytes(data[6:10], "big"), data[10]
        date, time = data[11:15], data[15:18]
        key_version, alg_id, factor = data[18], data[19], data[20:28]
        if key_version != self.state.key_version:
            raise SwError(SW_REF_NOT_FOUND, "unknown key version")
        alg = _alg(alg_id)
        ttsn = self.state.ttsn
        if ttsn >= MAX_TTSN:
            raise SwError(SW_CONDITIONS, "TTSN exhausted")
        try:
            dpk = self._purchase_keys().card_key(alg, factor)
            sespk = session_key_cipher(alg, dpk, purchase_session_block(random, atc, ttsn))
            mac1 = sespk.mac(
                crypto.purchase_mac1_data(amount, tx_type, self.terminal_id, date, time)
            )
        except CryptoError as exc:
            raise SwError(SW_BAD_DATA, "malformed 8070 data") from exc
        self.state.ttsn = ttsn + 1
        try:
            card.commit()
        except BaseException:
            self.state.ttsn = ttsn
            raise
        self._session = _PurchaseSession(sespk, amount)
        return Reply(ttsn.to_bytes(4, "big") + mac1)

    def _verify_mac2(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x00, 0x00)
        mac2 = cmd.expect_lc(4)
        session = self._session
        if session is None:
            raise SwError(SW_MAC_ERROR, "no 8070 session")
        expected = session.sespk.mac(crypto.purchase_mac2_data(session.amount))
        if not crypto.macs_equal(mac2, expected):
            raise SwError(SW_MAC_ERROR)
        return Reply()

    def _deliver_key(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x25, 0x01)
        if len(cmd.data) == 8:
            alg = Alg.TDES
        elif len(cmd.data) == 9:
            alg = _alg(cmd.data[8])
        else:
            raise SwError(SW_WRONG_LENGTH)
        self._damk = (alg, crypto.diversify(alg, self.state.mamk, cmd.data[:8]))
        return Reply()

    def _maintenance_mac(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x05, 0x00)
        if self._damk is None:
            raise SwError(SW_CONDITIONS, "801A first")
        alg, damk = self._damk
        bs = alg.block_size
        if len(cmd.data) <= bs:
            raise SwError(SW_WRONG_LENGTH)
        iv, data = cmd.data[:bs], cmd.data[bs:]
        if any(iv[4:]):
            raise SwError(SW_BAD_DATA, "IV must be challenge(4) and zeros")
        return Reply(crypto.maintenance_mac(alg, damk, iv[:4], data))


def _alg(alg_id: int) -> Alg:
    try:
        return Alg.from_id(alg_id)
    except CryptoError as exc:
        raise SwError(SW_BAD_DATA, "unknown algorithm") from exc
