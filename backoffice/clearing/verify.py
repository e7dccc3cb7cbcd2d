"""TAC and load-MAC checks over :mod:`cardsvc.crypto`, with a cache of diversified card keys.

The clearing side holds MTK (TAC master key) and MLK (load master key); card keys are
diversified per card from the card factor (the card number as 8 bytes BCD, card-spec 2.1/4.1)
and per algorithm. Diversifying costs about as much as a TAC check, so the keys are cached per
(algorithm, master key, card) in a bounded LRU owned by the :class:`CardKeys` object.

Nothing here logs or formats key bytes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Literal

from backoffice.errors import NotConfigured
from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.keys import IssuerKeys
from cardsvc.profile import ALGS, TX_TYPES, AlgName, TxTypeName

__all__ = ["CardKeys"]
_Which = Literal["mtk", "mlk"]


class CardKeys:
    """The service's master keys, and the diversified card keys derived from them."""

    def __init__(self, keys: IssuerKeys, *, cache_size: int = 200_000) -> None:
        self._masters: dict[_Which, bytes] = {}
        for name in ("mtk", "mlk"):
            if keys.has(name):
                self._masters[name] = keys.mtk if name == "mtk" else keys.mlk
        if "mtk" not in self._masters:
            raise NotConfigured("the key file has no MTK: TACs cannot be checked")
        self.key_version = keys.key_version
        self._cache: OrderedDict[tuple[_Which, Alg, str], bytes] = OrderedDict()
        self._tac_keys: OrderedDict[tuple[_Which, Alg, str], bytes] = OrderedDict()
        self._terminals: dict[str, bytes] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CardKeys(keys={sorted(self._masters)} <hidden>, cached={len(self._cache)})"

    @property
    def can_authorise_loads(self) -> bool:
        return "mlk" in self._masters

    def _card_key(self, which: _Which, alg: Alg, card_no: str) -> bytes:
        slot = (which, alg, card_no)
        with self._lock:
            key = self._cache.get(slot)
            if key is not None:
                self._cache.move_to_end(slot)
                return key
        master = self._masters.get(which)
        if master is None:
            raise NotConfigured(f"the key file has no {which.upper()}")
        key = crypto.diversify(alg, master, crypto.to_bcd(card_no, 8))
        with self._lock:
            self._cache[slot] = key
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return key

    def _tac_key(self, alg: Alg, card_no: str) -> bytes:
        slot: tuple[_Which, Alg, str] = ("mtk", alg, card_no)
        with self._lock:
            key = self._tac_keys.get(slot)
            if key is not None:
                self._tac_keys.move_to_end(slot)
                return key
        key = crypto.tac_key(alg, self._card_key("mtk", alg, card_no))
        with self._lock:
            self._tac_keys[slot] = key
            if len(self._tac_keys) > self._cache_size:
                self._tac_keys.popitem(last=False)
        return key

    def _terminal(self, terminal_id: str) -> bytes:
        tid = self._terminals.get(terminal_id)
        if tid is None:
            tid = crypto.to_bcd(terminal_id, 6)
            if len(self._terminals) < self._cache_size:
                self._terminals[terminal_id] = tid
        return tid

    def expected_tac(self, *, alg: AlgName, card_no: str, tx_type: TxTypeName, card_atc: int,
                     terminal_id: str, ttsn: int, amount_fen: int, balance_after_fen: int,
                     moment: dt.datetime) -> bytes:
        """The TAC the card must have produced for this record (card-spec 4.3).

        Purchase/compound: amount, type (06/09), terminal ID, TTSN, date, time.
        Load: new balance, online ATC (``card_atc``), amount, 02, terminal ID, date, time.
        """
        # crypto.purchase_tac / load_tac, with the TAC key (derived from the diversified DTK)
        # and the terminal's BCD taken from the caches
        a = ALGS[alg]
        key = self._tac_key(a, card_no)
        tid = self._terminal(terminal_id)
        date, time = crypto.bcd_datetime(moment)
        if tx_type == "load":
            data = crypto.load_tac_data(balance_after_fen, card_atc, amount_fen, tid, date, time)
        else:
            data = crypto.purchase_tac_data(amount_fen, TX_TYPES[tx_type], tid, ttsn, date,
                                            time)
        return crypto.cbc_mac(a, key, data)

    def load_macs(self, *, alg: AlgName, card_no: str, online_atc: int, card_random: bytes,
                  balance_before_fen: int, amount_fen: int, terminal_id: str,
                  moment: dt.datetime) -> tuple[bytes, bytes]:
        """(expected load MAC1, MAC2) for an INIT FOR LOAD answer (card-spec 4.2/4.3)."""
        a = ALGS[alg]
        dlk = self._card_key("mlk", a, card_no)
        seslk = crypto.load_session_key(a, dlk, card_random, online_atc)
        tid = crypto.to_bcd(terminal_id, 6)
        date, time = crypto.bcd_datetime(moment)
        mac1 = crypto.load_mac1(a, seslk, balance_before=balance_before_fen, amount=amount_fen,
                                terminal_id=tid)
        mac2 = crypto.load_mac2(a, seslk, amount=amount_fen, terminal_id=tid, date=date,
                                time=time)
        return mac1, mac2
