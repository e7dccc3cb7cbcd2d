"""The e-purse application of the city card (card-spec.md sections 3 and 4), card side.

Sessions: a purchase or load session is an INIT and the very next command (for a compound
purchase: INIT, at most one UPDATE CAPP DATA CACHE, then DEBIT). Any other command, a reset,
a power-off or a new SELECT closes it with nothing written. A successful DEBIT or CREDIT writes
balance, counter + 1, the EF18 record (and the cached EF1E record) and the proof for GET
TRANSACTION PROVE in one atomic state write, and only then answers.

Profile choices where the spec is silent: the key index of INIT is not checked; a wrong PIN that
uses the last try answers ``6983`` (afterwards VERIFY answers ``6983`` too); GET TRANSACTION
PROVE of a load answers the host's MAC2 (the one the card verified) and the load TAC; a command
that needs a session (UPDATE CAPP, DEBIT, CREDIT) outside one answers ``6985``; BLOCK/UNBLOCK
without a GET CHALLENGE just before answer ``6985``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cardsvc import crypto
from cardsvc.crypto import Alg
from simulators.card.apdu import (
    SW_APP_LOCKED,
    SW_BAD_DATA,
    SW_CONDITIONS,
    SW_INSUFFICIENT_BALANCE,
    SW_INVALIDATED,
    SW_MAC_ERROR,
    SW_MAC_NOT_AVAILABLE,
    SW_OK,
    SW_PIN_BLOCKED,
    SW_SECURITY_STATUS,
    SW_UNKNOWN_CLA,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    Command,
    Reply,
    SwError,
    sw_tries_left,
)
from simulators.card.card import CardServices
from simulators.card.ciphers import BlockCipher, CardCiphers
from simulators.card.files import DF, CyclicEF
from simulators.card.state import Prove, PurseState

EP = 0x02  # P2 of INIT/GET BALANCE: the electronic purse
INIT_LOAD, INIT_PURCHASE, INIT_CAPP = 0x00, 0x01, 0x03
TX_LOAD, TX_PURCHASE, TX_COMPOUND = crypto.TX_LOAD, crypto.TX_PURCHASE, crypto.TX_COMPOUND_PURCHASE
SFI_PURSE_LOG, SFI_TRANSIT_LOG = 0x18, 0x1E

VERIFY = (0x00, 0x20)
GET_BALANCE = (0x80, 0x5C)
INITIALIZE = (0x80, 0x50)
UPDATE_CAPP = (0x80, 0xDC)
DEBIT = (0x80, 0x54)
CREDIT = (0x80, 0x52)
PROVE = (0x80, 0x5A)
APP_BLOCK = (0x84, 0x1E)
APP_UNBLOCK = (0x84, 0x18)
_PURSE_INS = frozenset({VERIFY, GET_BALANCE, INITIALIZE, UPDATE_CAPP, DEBIT, CREDIT, PROVE})
_ALL_INS = _PURSE_INS | {APP_BLOCK, APP_UNBLOCK}
_ALL_INS_CODES = frozenset(ins for _, ins in _ALL_INS)


_Saved = tuple[PurseState, list[bytes], list[bytes]]


@dataclass
class _Session:
    """An open purchase (type 06/09) or load (type 02) session."""

    tx_type: int
    amount: int
    terminal_id: bytes
    random: bytes
    atc: int
    balance: int
    next_commands: frozenset[tuple[int, int]]
    capp_record: bytes | None = None
    seslk: BlockCipher | None = None
    """A load session's SESLK (made at INIT FOR LOAD for MAC1, used again by CREDIT)."""


class PurseApp:
    """The e-purse bound to the city-card ADF (see :class:`simulators.card.card.Application`)."""

    def __init__(self, state: PurseState, adf: DF) -> None:
        self.state = state
        purse_log = adf.ef_by_sfi(SFI_PURSE_LOG)
        transit_log = adf.ef_by_sfi(SFI_TRANSIT_LOG)
        if not isinstance(purse_log, CyclicEF) or not isinstance(transit_log, CyclicEF):
            raise ValueError("the purse ADF needs cyclic EF18 and EF1E")
        self.purse_log = purse_log
        self.transit_log = transit_log
        self._session: _Session | None = None
        self._pin_ok = False
        self._ciphers: CardCiphers | None = None
        self._handlers: dict[tuple[int, int], Callable[[Command, CardServices], Reply]] = {
            VERIFY: self._verify,
            GET_BALANCE: self._get_balance,
            INITIALIZE: self._initialize,
            UPDATE_CAPP: self._update_capp,
            DEBIT: self._debit,
            CREDIT: self._credit,
            PROVE: self._prove,
            APP_BLOCK: self._block,
            APP_UNBLOCK: self._unblock,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any], adf: DF) -> PurseApp:
        return cls(PurseState.from_dict(doc), adf)

    @property
    def alg(self) -> Alg:
        return Alg.from_id(self.state.alg_id)

    @property
    def session_open(self) -> bool:
        return self._session is not None

    # ------------------------------------------------------------------ Application

    def snapshot(self) -> dict[str, Any]:
        return self.state.as_dict()

    def on_power(self) -> None:
        self._session = None
        self._pin_ok = False

    def on_select(self) -> int:
        self._session = None
        self._pin_ok = False
        return SW_INVALIDATED if self.state.blocked else SW_OK

    def on_command(self, cmd: Command) -> None:
        session = self._session
        if session is not None and (cmd.cla, cmd.ins) not in session.next_commands:
            self._session = None

    def handle(self, cmd: Command, card: CardServices) -> Reply | None:
        key = (cmd.cla, cmd.ins)
        handler = self._handlers.get(key)
        if handler is None:
            if cmd.ins in _ALL_INS_CODES and cmd.cla in (0x80, 0x84):
                raise SwError(SW_UNKNOWN_CLA)
            return None
        if self.state.blocked and key in _PURSE_INS:
            self._session = None
            raise SwError(SW_APP_LOCKED)
        return handler(cmd, card)

    # ------------------------------------------------------------------ helpers

    def _commit(self, card: CardServices, saved: _Saved) -> None:
        """Write the state; on failure put the in-memory state back as it was."""
        try:
            card.commit()
        except BaseException:
            self.state = saved[0]
            self.purse_log.records[:] = saved[1]
            self.transit_log.records[:] = saved[2]
            raise

    def _saved(self) -> _Saved:
        return (
            self.state.copy(),
            list(self.purse_log.records),
            list(self.transit_log.records),
        )

    def _card_ciphers(self) -> CardCiphers:
        """The ciphers of the card's keys, made once (remade only if the keys change)."""
        state, ciphers = self.state, self._ciphers
        alg = self.alg
        if ciphers is None or not ciphers.matches(alg, state.dpk, state.dlk, state.dtk):
            ciphers = self._ciphers = CardCiphers(alg, state.dpk, state.dlk, state.dtk)
        return ciphers

    def _take_session(self, tx_types: tuple[int, ...]) -> _Session:
        session, self._session = self._session, None
        if session is None or session.tx_type not in tx_types:
            raise SwError(SW_CONDITIONS, "no open session for this command")
        return session

    # ------------------------------------------------------------------ commands

    def _verify(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x00, 0x00)
        if not cmd.data:
            raise SwError(SW_WRONG_LENGTH)
        state = self.state
        if state.pin_tries_left <= 0:
            raise SwError(SW_PIN_BLOCKED)
        if crypto.macs_equal(cmd.data, bytes.fromhex(state.pin)):
            self._pin_ok = True
            if state.pin_tries_left != state.pin_max_tries:
                saved = self._saved()
                state.pin_tries_left = state.pin_max_tries
                self._commit(card, saved)
            return Reply()
        self._pin_ok = False
        saved = self._saved()
        state.pin_tries_left -= 1
        self._commit(card, saved)
        if state.pin_tries_left == 0:
            raise SwError(SW_PIN_BLOCKED)
        raise SwError(sw_tries_left(state.pin_tries_left))

    def _get_balance(self, cmd: Command, card: CardServices) -> Reply:
        cmd.expect_p1p2(0x00, EP)
        return Reply(self.state.balance.to_bytes(4, "big"))

    def _initialize(self, cmd: Command, card: CardServices) -> Reply:
        if cmd.p2 != EP or cmd.p1 not in (INIT_LOAD, INIT_PURCHASE, INIT_CAPP):
            raise SwError(SW_WRONG_P1P2)
        data = cmd.expect_lc(11)
        amount = int.from_bytes(data[1:5], "big")
        terminal_id = data[5:11]
        if cmd.p1 == INIT_LOAD:
            return self._init_load(amount, terminal_id, card)
        return self._init_purchase(cmd.p1, amount, terminal_id, card)

    def _init_purchase(self, p1: int, amount: int, terminal_id: bytes, card: CardServices) -> Reply:
        state = self.state
        if amount == 0:
            raise SwError(SW_BAD_DATA, "zero amount")
        if amount > state.balance + state.overdraft_limit:
            raise SwError(SW_INSUFFICIENT_BALANCE)
        if state.offline_atc >= 0xFFFF:
            raise SwError(SW_CONDITIONS, "offline counter exhausted")
        random = card.random(4)
        if p1 == INIT_CAPP:
            tx_type, next_commands = TX_COMPOUND, frozenset({UPDATE_CAPP, DEBIT})
        else:
            tx_type, next_commands = TX_PURCHASE, frozenset({DEBIT})
        self._session = _Session(
            tx_type, amount, terminal_id, random, state.offline_atc, state.balance, next_commands
        )
        return Reply(
            state.balance.to_bytes(4, "big")
            + state.offline_atc.to_bytes(2, "big")
            + state.overdraft_limit.to_bytes(3, "big")
            + bytes((state.key_version, state.alg_id))
            + random
        )

    def _init_load(self, amount: int, terminal_id: bytes, card: CardServices) -> Reply:
        state = self.state
        if not self._pin_ok:
            raise SwError(SW_SECURITY_STATUS, "VERIFY PIN first")
        if amount == 0 or state.balance + amount > state.max_balance:
            raise SwError(SW_BAD_DATA, "zero amount or over the maximum balance")
        if state.online_atc >= 0xFFFF:
            raise SwError(SW_CONDITIONS, "online counter exhausted")
        random = card.random(4)
        seslk = self._card_ciphers().load_session(random, state.online_atc)
        mac1 = seslk.mac(crypto.load_mac1_data(state.balance, amount, terminal_id))
        self._session = _Session(
            TX_LOAD,
            amount,
            terminal_id,
            random,
            state.online_atc,
            state.balance,
            frozenset({CREDIT}),
            seslk=seslk,
        )
        return Reply(
            state.balance.to_bytes(4, "big")
            + state.online_atc.to_bytes(2, "big")
            + bytes((state.key_version, state.alg_id))
            + random
            + mac1
        )

    def _update_capp(self, cmd: Command, card: CardServices) -> Reply:
        session = self._session
        if session is None or session.tx_type != TX_COMPOUND or session.capp_record is not None:
            self._session = None
            raise SwError(SW_CONDITIONS, "UPDATE CAPP DATA CACHE outside a compound session")
        if (cmd.p1, cmd.p2) != (0x00, SFI_TRANSIT_LOG << 3):
            self._session = None
            raise SwError(SW_WRONG_P1P2)
        if len(cmd.data) != self.transit_log.record_len:
            self._session = None
            raise SwError(SW_WRONG_LENGTH)
        session.capp_record = cmd.data
        session.next_commands = frozenset({DEBIT})
        return Reply()

    def _debit(self, cmd: Command, card: CardServices) -> Reply:
        session = self._take_session((TX_PURCHASE, TX_COMPOUND))
        cmd.expect_p1p2(0x01, 0x00)
        data = cmd.expect_lc(15)
        ttsn = int.from_bytes(data[0:4], "big")
        date, time, mac1 = data[4:8], data[8:11], data[11:15]
        state, ciphers = self.state, self._card_ciphers()
        sespk = ciphers.purchase_session(session.random, session.atc, ttsn)
        expected = sespk.mac(
            crypto.purchase_mac1_data(
                session.amount, session.tx_type, session.terminal_id, date, time
            )
        )
        if not crypto.macs_equal(mac1, expected):
            raise SwError(SW_MAC_ERROR)
        mac2 = sespk.mac(crypto.purchase_mac2_data(session.amount))
        tac = ciphers.tac.mac(
            crypto.purchase_tac_data(
                session.amount, session.tx_type, session.terminal_id, ttsn, date, time
            )
        )
        record = self._log_record(session, date, time)
        saved = self._saved()
        state.balance -= session.amount
        state.offline_atc = session.atc + 1
        state.proves[session.tx_type] = Prove(session.atc + 1, mac2, tac)
        self.purse_log.append(record)
        if session.capp_record is not None:
            self.transit_log.append(session.capp_record)
        self._commit(card, saved)
        return Reply(tac + mac2)

    def _credit(self, cmd: Command, card: CardServices) -> Reply:
        session = self._take_session((TX_LOAD,))
        cmd.expect_p1p2(0x00, 0x00)
        data = cmd.expect_lc(11)
        date, time, mac2 = data[0:4], data[4:7], data[7:11]
        state = self.state
        assert session.seslk is not None
        expected = session.seslk.mac(
            crypto.load_mac2_data(session.amount, session.terminal_id, date, time)
        )
        if not crypto.macs_equal(mac2, expected):
            raise SwError(SW_MAC_ERROR)
        new_balance = session.balance + session.amount
        tac = self._card_ciphers().tac.mac(
            crypto.load_tac_data(
                new_balance, session.atc, session.amount, session.terminal_id, date, time
            )
        )
        record = self._log_record(session, date, time)
        saved = self._saved()
        state.balance = new_balance
        state.online_atc = session.atc + 1
        state.proves[TX_LOAD] = Prove(session.atc + 1, bytes(mac2), tac)
        self.purse_log.append(record)
        self._commit(card, saved)
        return Reply(tac)

    def _log_record(self, session: _Session, date: bytes, time: bytes) -> bytes:
        """EF18: ATC(2) overdraft(3) amount(4) type(1) terminal(6) date(4) time(3)."""
        return (
            session.atc.to_bytes(2, "big")
            + self.state.overdraft_limit.to_bytes(3, "big")
            + session.amount.to_bytes(4, "big")
            + bytes((session.tx_type,))
            + session.terminal_id
            + date
            + time
        )

    def _prove(self, cmd: Command, card: CardServices) -> Reply:
        if cmd.p1 != 0x00:
            raise SwError(SW_WRONG_P1P2)
        data = cmd.expect_lc(2)
        prove = self.state.proves.get(cmd.p2)
        if prove is None or prove.atc != int.from_bytes(data, "big"):
            raise SwError(SW_MAC_NOT_AVAILABLE)
        return Reply(prove.mac2 + prove.tac)

    def _maintenance(self, cmd: Command, card: CardServices, block: bool) -> Reply:
        cmd.expect_p1p2(0x00, 0x00)
        mac = cmd.expect_lc(4)
        challenge = card.challenge
        if challenge is None:
            raise SwError(SW_CONDITIONS, "GET CHALLENGE first")
        expected = crypto.maintenance_mac(self.alg, self.state.damk, challenge[:4], cmd.header_lc)
        if not crypto.macs_equal(mac, expected):
            raise SwError(SW_MAC_ERROR)
        if self.state.blocked != block:
            saved = self._saved()
            self.state.blocked = block
            self._commit(card, saved)
        return Reply()

    def _block(self, cmd: Command, card: CardServices) -> Reply:
        return self._maintenance(cmd, card, block=True)

    def _unblock(self, cmd: Command, card: CardServices) -> Reply:
        return self._maintenance(cmd, card, block=False)
