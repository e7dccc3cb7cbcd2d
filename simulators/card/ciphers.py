"""Card-side cryptography with cipher contexts made once per key (card-spec.md section 4).

:mod:`cardsvc.crypto` is the reference: it makes a new cipher object for every block, which
costs more than the block itself (a DEBIT does eight blocks, a PSAM 8070 five). The card's
keys do not change, so this module keeps one ECB encryptor per key and feeds it single blocks;
ECB has no chaining state, so one encryptor gives the same answer for every block, in any order.

Only the cipher calls are done here. The message layouts (``*_data``), the padding and the
input checks are :mod:`cardsvc.crypto`'s own functions, and the test suite checks every
function here against its ``cardsvc.crypto`` counterpart and the section 8 vectors.

The objects are not thread-safe: each belongs to one application of one card, which handles
one command at a time (:class:`simulators.card.card.VirtualCard` holds a lock).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from cardsvc import crypto
from cardsvc.crypto import Alg, CryptoError

MAC_LEN = 4
KEY_LEN = 16


class BlockCipher:
    """Encrypts single blocks under one key with a reused ECB encryptor.

    3DES cards: an 8-byte key is single DES, a 16-byte key two-key 3DES (K1 K2 K1). SM4 cards:
    a 16-byte SM4 key. ``repr`` shows no key bytes.
    """

    __slots__ = ("_ctx", "alg", "block_size")

    def __init__(self, alg: Alg, key: bytes) -> None:
        key = bytes(key)
        algorithm: TripleDES | algorithms.SM4
        if alg is Alg.TDES:
            if len(key) == 8:
                algorithm = TripleDES(key * 3)
            elif len(key) == KEY_LEN:
                algorithm = TripleDES(key + key[:8])
            else:
                raise CryptoError(f"3DES key must be 8 or 16 bytes, got {len(key)}")
        else:
            if len(key) != KEY_LEN:
                raise CryptoError(f"SM4 key must be 16 bytes, got {len(key)}")
            algorithm = algorithms.SM4(key)
        self.alg = alg
        self.block_size = alg.block_size
        # ECB of single blocks is the spec (the CBC chaining of the MACs is done below)
        self._ctx: Any = Cipher(algorithm, modes.ECB()).encryptor()  # noqa: S305

    def __repr__(self) -> str:
        return f"BlockCipher({self.alg.name}, key=<hidden>)"

    def encrypt(self, block: bytes) -> bytes:
        """ENC of exactly one block."""
        if len(block) != self.block_size:
            raise CryptoError(f"block must be {self.block_size} bytes, got {len(block)}")
        out: bytes = self._ctx.update(block)
        return out

    def mac(self, data: bytes, iv: bytes | None = None) -> bytes:
        """The CBC-MAC of card-spec 4.3 under this key: left 4 bytes, data padded ``80 00..``."""
        bs = self.block_size
        if iv is not None and len(iv) != bs:
            raise CryptoError(f"IV must be {bs} bytes, got {len(iv)}")
        padded = crypto.pad(data, bs)
        update = self._ctx.update
        chain = int.from_bytes(iv, "big") if iv is not None else 0
        out = b""
        for i in range(0, len(padded), bs):
            block = chain ^ int.from_bytes(padded[i : i + bs], "big")
            out = update(block.to_bytes(bs, "big"))
            chain = int.from_bytes(out, "big")
        return out[:MAC_LEN]


def session_key_cipher(alg: Alg, card_key: BlockCipher, block8: bytes) -> BlockCipher:
    """The cipher of a session key ``ENC_cardkey(block8)`` (card-spec 4.2).

    3DES: 3DES-ECB of the 8-byte block; SM4: SM4-ECB of the block followed by ``80 00..``.
    """
    if alg is not card_key.alg:
        raise CryptoError("card key and session of different algorithms")
    if len(block8) != 8:
        raise CryptoError(f"session key input must be 8 bytes, got {len(block8)}")
    block = block8 if alg is Alg.TDES else block8 + b"\x80" + bytes(7)
    return BlockCipher(alg, card_key.encrypt(block))


def purchase_session_block(card_random: bytes, offline_atc: int, ttsn: int) -> bytes:
    """random(4) || offlineATC(2) || TTSN[2..3] (card-spec 4.2)."""
    if len(card_random) != 4:
        raise CryptoError(f"card random must be 4 bytes, got {len(card_random)}")
    if not 0 <= offline_atc <= 0xFFFF:
        raise CryptoError("offline ATC out of range for 2 bytes")
    if not 0 <= ttsn <= 0xFFFFFFFF:
        raise CryptoError("TTSN out of range for 4 bytes")
    return bytes(card_random) + offline_atc.to_bytes(2, "big") + (ttsn & 0xFFFF).to_bytes(2, "big")


def load_session_block(card_random: bytes, online_atc: int) -> bytes:
    """random(4) || onlineATC(2) || ``8000`` (card-spec 4.2)."""
    if len(card_random) != 4:
        raise CryptoError(f"card random must be 4 bytes, got {len(card_random)}")
    if not 0 <= online_atc <= 0xFFFF:
        raise CryptoError("online ATC out of range for 2 bytes")
    return bytes(card_random) + online_atc.to_bytes(2, "big") + b"\x80\x00"


class CardCiphers:
    """The ciphers of one user card's diversified keys (DPK, DLK, DTK's TAC key), made once.

    Built lazily from the purse state's keys; :meth:`for_keys` answers the same object while
    the keys are the same bytes, so a state object replaced by a copy keeps its ciphers.
    """

    __slots__ = ("_dlk", "_dpk", "_tac", "alg", "keys")

    def __init__(self, alg: Alg, dpk: bytes, dlk: bytes, dtk: bytes) -> None:
        self.alg = alg
        self.keys = (bytes(dpk), bytes(dlk), bytes(dtk))
        self._dpk: BlockCipher | None = None
        self._dlk: BlockCipher | None = None
        self._tac: BlockCipher | None = None

    def __repr__(self) -> str:
        return f"CardCiphers({self.alg.name}, keys=<hidden>)"

    def matches(self, alg: Alg, dpk: bytes, dlk: bytes, dtk: bytes) -> bool:
        return alg is self.alg and self.keys == (dpk, dlk, dtk)

    @property
    def dpk(self) -> BlockCipher:
        if self._dpk is None:
            self._dpk = BlockCipher(self.alg, self.keys[0])
        return self._dpk

    @property
    def dlk(self) -> BlockCipher:
        if self._dlk is None:
            self._dlk = BlockCipher(self.alg, self.keys[1])
        return self._dlk

    @property
    def tac(self) -> BlockCipher:
        """The TAC key (card-spec 4.3): 3DES ``DTK[0..7] xor DTK[8..15]``, SM4 the DTK."""
        if self._tac is None:
            self._tac = BlockCipher(self.alg, crypto.tac_key(self.alg, self.keys[2]))
        return self._tac

    def purchase_session(
        self, card_random: bytes, offline_atc: int, ttsn: int
    ) -> BlockCipher:
        """SESPK's cipher."""
        block = purchase_session_block(card_random, offline_atc, ttsn)
        return session_key_cipher(self.alg, self.dpk, block)

    def load_session(self, card_random: bytes, online_atc: int) -> BlockCipher:
        """SESLK's cipher."""
        return session_key_cipher(self.alg, self.dlk, load_session_block(card_random, online_atc))


class Diversifier:
    """Card keys from one master key (card-spec 4.1) with its cipher made once per algorithm,
    and the resulting card-key ciphers kept for the last ``cache_size`` card factors."""

    __slots__ = ("_cache", "_master", "_masters", "cache_size")

    def __init__(self, master_key: bytes, cache_size: int = 64) -> None:
        if len(master_key) != KEY_LEN:
            raise CryptoError(f"master key must be {KEY_LEN} bytes, got {len(master_key)}")
        self._master = bytes(master_key)
        self._masters: dict[Alg, BlockCipher] = {}
        self._cache: OrderedDict[tuple[Alg, bytes], BlockCipher] = OrderedDict()
        self.cache_size = cache_size

    def __repr__(self) -> str:
        return "Diversifier(key=<hidden>)"

    def matches(self, master_key: bytes) -> bool:
        return self._master == master_key

    def diversify(self, alg: Alg, card_factor: bytes) -> bytes:
        """``3DES_MK(D) || 3DES_MK(~D)`` or ``SM4_MK(D || ~D)``: the 16-byte card key."""
        if len(card_factor) != 8:
            raise CryptoError(f"card factor must be 8 bytes, got {len(card_factor)}")
        master = self._masters.get(alg)
        if master is None:
            master = self._masters[alg] = BlockCipher(alg, self._master)
        inverted = (int.from_bytes(card_factor, "big") ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
        if alg is Alg.TDES:
            return master.encrypt(bytes(card_factor)) + master.encrypt(inverted)
        return master.encrypt(bytes(card_factor) + inverted)

    def card_key(self, alg: Alg, card_factor: bytes) -> BlockCipher:
        """The cipher of the card key for ``card_factor`` (kept for the recent factors)."""
        key = (alg, bytes(card_factor))
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        cipher = BlockCipher(alg, self.diversify(alg, card_factor))
        self._cache[key] = cipher
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return cipher
