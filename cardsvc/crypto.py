"""The card profile's cryptography (card-spec.md section 4): pure functions, bytes in, bytes out.

Shared by the terminal side (``cardsvc``) and the card side (``simulators``), and checked against
the vectors of card-spec.md section 8. No I/O, no state, no logging. Error messages name lengths
and fields, never key or data bytes.

Two algorithms (the card's algID, answered by INIT FOR PURCHASE / INIT FOR LOAD):

* :attr:`Alg.TDES` (``00``): two-key 3DES diversification and session keys, single-DES CBC-MAC
  under the 8-byte session key, ISO 9797-1 MAC algorithm 3 for maintenance.
* :attr:`Alg.SM4` (``04``, profile): SM4 everywhere, 16-byte blocks, 16-byte session keys.

Typical use (terminal, purchase)::

    dpk = diversify(alg, mpk, card_factor)
    sespk = purchase_session_key(alg, dpk, card_random, offline_atc, ttsn)
    mac1 = purchase_mac1(alg, sespk, amount=1250, tx_type=0x06, terminal_id=tid,
                         date=bcd_date(d), time=bcd_time(t))
    ok = mac2 == purchase_mac2(alg, sespk, amount=1250)

Message layouts live in the ``*_data`` builders so that no caller reorders fields.
"""

from __future__ import annotations

import datetime as _dt
import hmac
from enum import IntEnum

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "LOAD_TX_TYPE",
    "TX_COMPOUND_PURCHASE",
    "TX_LOAD",
    "TX_PURCHASE",
    "Alg",
    "CryptoError",
    "bcd_date",
    "bcd_datetime",
    "bcd_time",
    "cbc_mac",
    "diversify",
    "from_bcd",
    "load_mac1",
    "load_mac1_data",
    "load_mac2",
    "load_mac2_data",
    "load_session_key",
    "load_tac",
    "load_tac_data",
    "macs_equal",
    "maintenance_mac",
    "pad",
    "parse_bcd_date",
    "parse_bcd_datetime",
    "parse_bcd_time",
    "purchase_mac1",
    "purchase_mac1_data",
    "purchase_mac2",
    "purchase_mac2_data",
    "purchase_session_key",
    "purchase_tac",
    "purchase_tac_data",
    "tac_key",
    "to_bcd",
]

#: Transaction types of EF18 / the MAC data (card-spec 2.3).
TX_LOAD = 0x02
TX_PURCHASE = 0x06
TX_COMPOUND_PURCHASE = 0x09
#: The type byte inside the load MAC/TAC data (card-spec 4.3): always ``02``.
LOAD_TX_TYPE = TX_LOAD

MAC_LEN = 4
MASTER_KEY_LEN = 16
CARD_FACTOR_LEN = 8
TERMINAL_ID_LEN = 6
DATE_LEN = 4
TIME_LEN = 3
RANDOM_LEN = 4


class CryptoError(ValueError):
    """A malformed input to a crypto function (wrong length, out-of-range integer, bad BCD).

    Messages name the field and the lengths only, never key or data bytes.
    """


class Alg(IntEnum):
    """The card's algorithm identifier (algID byte of the INIT answers)."""

    TDES = 0x00
    SM4 = 0x04

    @classmethod
    def from_id(cls, alg_id: int) -> Alg:
        """The algorithm for an algID byte; :class:`CryptoError` for an unknown one."""
        try:
            return cls(alg_id)
        except ValueError:
            raise CryptoError(f"unknown algorithm id 0x{alg_id:02X}") from None

    @property
    def block_size(self) -> int:
        """Cipher block size in bytes (8 for 3DES/DES, 16 for SM4)."""
        return 8 if self is Alg.TDES else 16

    @property
    def session_key_len(self) -> int:
        """Length of a purchase/load session key (8 for 3DES cards, 16 for SM4)."""
        return self.block_size


# --------------------------------------------------------------------------- checks


def _check_len(name: str, value: bytes, length: int) -> None:
    if not isinstance(value, bytes | bytearray):
        raise CryptoError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != length:
        raise CryptoError(f"{name} must be {length} bytes, got {len(value)}")


def _uint(name: str, value: int, size: int) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CryptoError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value < (1 << (8 * size)):
        raise CryptoError(f"{name} out of range for {size} bytes: {value}")
    return value.to_bytes(size, "big")


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _invert(b: bytes) -> bytes:
    return bytes(x ^ 0xFF for x in b)


# --------------------------------------------------------------------------- primitives


def _ecb(algorithm: TripleDES | algorithms.SM4, block: bytes, *, decrypt: bool = False) -> bytes:
    cipher = Cipher(algorithm, modes.ECB())  # noqa: S305 - ECB of single blocks is the spec
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(block) + ctx.finalize()


def _des(key8: bytes, block: bytes, *, decrypt: bool = False) -> bytes:
    # Single DES as 3DES with K1 = K2 = K3.
    return _ecb(TripleDES(key8 * 3), block, decrypt=decrypt)


def _tdes(key16: bytes, block: bytes) -> bytes:
    # Two-key 3DES (K1, K2, K1); passed as a 24-byte key to avoid the two-key deprecation path.
    return _ecb(TripleDES(key16 + key16[:8]), block)


def _sm4(key16: bytes, block: bytes, *, decrypt: bool = False) -> bytes:
    return _ecb(algorithms.SM4(key16), block, decrypt=decrypt)


def pad(data: bytes, block_size: int) -> bytes:
    """ISO 9797-1 method 2: append ``80`` then ``00`` to a multiple of ``block_size``.

    Always pads: aligned data gets a whole extra ``80 00 ..`` block.
    """
    padded = bytes(data) + b"\x80"
    return padded + bytes(-len(padded) % block_size)


def cbc_mac(alg: Alg, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    """The MAC of card-spec 4.3 (left 4 bytes of a CBC-MAC over the padded data).

    3DES cards: single DES under the 8-byte ``key``, 8-byte blocks. SM4 cards: SM4 under the
    16-byte ``key``, 16-byte blocks. ``iv`` defaults to zeros (one block).
    """
    bs = alg.block_size
    _check_len("session key" if alg is Alg.TDES else "SM4 MAC key", key, bs)
    if iv is None:
        iv = bytes(bs)
    _check_len("IV", iv, bs)
    algorithm = TripleDES(bytes(key) * 3) if alg is Alg.TDES else algorithms.SM4(bytes(key))
    # One CBC pass over the padded data: its last block is the CBC-MAC (same as chaining
    # block by block, about three times faster for a TAC).
    ctx = Cipher(algorithm, modes.CBC(bytes(iv))).encryptor()
    last = (ctx.update(pad(data, bs)) + ctx.finalize())[-bs:]
    return last[:MAC_LEN]


def _retail_mac(key16: bytes, data: bytes, iv: bytes) -> bytes:
    # ISO 9797-1 MAC algorithm 3, padding method 2: DES(K_L) CBC, last block 3DES(K_L, K_R).
    k_left, k_right = key16[:8], key16[8:]
    padded = pad(data, 8)
    chain = iv
    for i in range(0, len(padded), 8):
        chain = _des(k_left, _xor(chain, padded[i : i + 8]))
    chain = _des(k_right, chain, decrypt=True)
    return _des(k_left, chain)[:MAC_LEN]


def macs_equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison of two MACs."""
    return hmac.compare_digest(bytes(a), bytes(b))


# --------------------------------------------------------------------------- keys


def diversify(alg: Alg, master_key: bytes, card_factor: bytes) -> bytes:
    """Card key from an issuer master key and the 8-byte card factor (card-spec 4.1).

    3DES: ``3DES_MK(D) || 3DES_MK(~D)``; SM4: ``SM4_MK(D || ~D)``. Returns 16 bytes.
    """
    _check_len("master key", master_key, MASTER_KEY_LEN)
    _check_len("card factor", card_factor, CARD_FACTOR_LEN)
    d = bytes(card_factor)
    if alg is Alg.TDES:
        return _tdes(master_key, d) + _tdes(master_key, _invert(d))
    return _sm4(master_key, d + _invert(d))


def _session_key(alg: Alg, card_key: bytes, block: bytes) -> bytes:
    _check_len("card key", card_key, MASTER_KEY_LEN)
    if alg is Alg.TDES:
        return _tdes(card_key, block)
    return _sm4(card_key, block + b"\x80" + bytes(7))


def purchase_session_key(
    alg: Alg, dpk: bytes, card_random: bytes, offline_atc: int, ttsn: int
) -> bytes:
    """SESPK = ENC_DPK(random(4) || offlineATC(2) || TTSN[2..3]) (card-spec 4.2)."""
    _check_len("card random", card_random, RANDOM_LEN)
    block = bytes(card_random) + _uint("offline ATC", offline_atc, 2) + _uint("TTSN", ttsn, 4)[2:]
    return _session_key(alg, dpk, block)


def load_session_key(alg: Alg, dlk: bytes, card_random: bytes, online_atc: int) -> bytes:
    """SESLK = ENC_DLK(random(4) || onlineATC(2) || 8000) (card-spec 4.2)."""
    _check_len("card random", card_random, RANDOM_LEN)
    block = bytes(card_random) + _uint("online ATC", online_atc, 2) + b"\x80\x00"
    return _session_key(alg, dlk, block)


def tac_key(alg: Alg, dtk: bytes) -> bytes:
    """The TAC key: 3DES cards ``DTK[0..7] xor DTK[8..15]`` (8 bytes), SM4 cards the DTK."""
    _check_len("DTK", dtk, MASTER_KEY_LEN)
    if alg is Alg.TDES:
        return _xor(dtk[:8], dtk[8:])
    return bytes(dtk)


# --------------------------------------------------------------------------- MAC data layouts


def _tid(terminal_id: bytes) -> bytes:
    _check_len("terminal ID", terminal_id, TERMINAL_ID_LEN)
    return bytes(terminal_id)


def _date_time(date: bytes, time: bytes) -> bytes:
    _check_len("date", date, DATE_LEN)
    _check_len("time", time, TIME_LEN)
    return bytes(date) + bytes(time)


def purchase_mac1_data(
    amount: int, tx_type: int, terminal_id: bytes, date: bytes, time: bytes
) -> bytes:
    """amount(4) type(1) termID(6) date(4) time(3)."""
    return (
        _uint("amount", amount, 4)
        + _uint("transaction type", tx_type, 1)
        + _tid(terminal_id)
        + _date_time(date, time)
    )


def purchase_mac2_data(amount: int) -> bytes:
    """amount(4)."""
    return _uint("amount", amount, 4)


def purchase_tac_data(
    amount: int, tx_type: int, terminal_id: bytes, ttsn: int, date: bytes, time: bytes
) -> bytes:
    """amount(4) type(1) termID(6) TTSN(4) date(4) time(3)."""
    return (
        _uint("amount", amount, 4)
        + _uint("transaction type", tx_type, 1)
        + _tid(terminal_id)
        + _uint("TTSN", ttsn, 4)
        + _date_time(date, time)
    )


def load_mac1_data(balance_before: int, amount: int, terminal_id: bytes) -> bytes:
    """balance before(4) amount(4) ``02`` termID(6)."""
    return (
        _uint("balance", balance_before, 4)
        + _uint("amount", amount, 4)
        + bytes([LOAD_TX_TYPE])
        + _tid(terminal_id)
    )


def load_mac2_data(amount: int, terminal_id: bytes, date: bytes, time: bytes) -> bytes:
    """amount(4) ``02`` termID(6) date(4) time(3)."""
    return (
        _uint("amount", amount, 4)
        + bytes([LOAD_TX_TYPE])
        + _tid(terminal_id)
        + _date_time(date, time)
    )


def load_tac_data(
    new_balance: int,
    online_atc: int,
    amount: int,
    terminal_id: bytes,
    date: bytes,
    time: bytes,
) -> bytes:
    """new balance(4) onlineATC(2) amount(4) ``02`` termID(6) date(4) time(3).

    ``online_atc`` is the counter INIT FOR LOAD returned (the one the session key used).
    """
    return (
        _uint("balance", new_balance, 4)
        + _uint("online ATC", online_atc, 2)
        + _uint("amount", amount, 4)
        + bytes([LOAD_TX_TYPE])
        + _tid(terminal_id)
        + _date_time(date, time)
    )


# --------------------------------------------------------------------------- MAC values


def purchase_mac1(
    alg: Alg,
    sespk: bytes,
    *,
    amount: int,
    tx_type: int,
    terminal_id: bytes,
    date: bytes,
    time: bytes,
) -> bytes:
    """Purchase MAC1 (terminal/PSAM) under SESPK."""
    return cbc_mac(alg, sespk, purchase_mac1_data(amount, tx_type, terminal_id, date, time))


def purchase_mac2(alg: Alg, sespk: bytes, *, amount: int) -> bytes:
    """Purchase MAC2 (card) under SESPK."""
    return cbc_mac(alg, sespk, purchase_mac2_data(amount))


def purchase_tac(
    alg: Alg,
    dtk: bytes,
    *,
    amount: int,
    tx_type: int,
    terminal_id: bytes,
    ttsn: int,
    date: bytes,
    time: bytes,
) -> bytes:
    """Purchase TAC (card) under the TAC key derived from the diversified ``dtk``."""
    data = purchase_tac_data(amount, tx_type, terminal_id, ttsn, date, time)
    return cbc_mac(alg, tac_key(alg, dtk), data)


def load_mac1(
    alg: Alg, seslk: bytes, *, balance_before: int, amount: int, terminal_id: bytes
) -> bytes:
    """Load MAC1 (card) under SESLK."""
    return cbc_mac(alg, seslk, load_mac1_data(balance_before, amount, terminal_id))


def load_mac2(
    alg: Alg, seslk: bytes, *, amount: int, terminal_id: bytes, date: bytes, time: bytes
) -> bytes:
    """Load MAC2 (load authority) under SESLK."""
    return cbc_mac(alg, seslk, load_mac2_data(amount, terminal_id, date, time))


def load_tac(
    alg: Alg,
    dtk: bytes,
    *,
    new_balance: int,
    online_atc: int,
    amount: int,
    terminal_id: bytes,
    date: bytes,
    time: bytes,
) -> bytes:
    """Load TAC (card) under the TAC key derived from the diversified ``dtk``."""
    data = load_tac_data(new_balance, online_atc, amount, terminal_id, date, time)
    return cbc_mac(alg, tac_key(alg, dtk), data)


def maintenance_mac(alg: Alg, damk: bytes, challenge: bytes, data: bytes) -> bytes:
    """APPLICATION BLOCK/UNBLOCK MAC (card-spec 4.5) with the diversified 16-byte DAMK.

    ``data`` is the command header and Lc (e.g. ``841E000004``); ``challenge`` the 4 bytes of
    GET CHALLENGE. 3DES: ISO 9797-1 MAC algorithm 3, IV = challenge || ``00000000``.
    SM4: CBC-MAC of 4.3, IV = challenge || 12 zero bytes.
    """
    _check_len("DAMK", damk, MASTER_KEY_LEN)
    _check_len("challenge", challenge, RANDOM_LEN)
    iv = bytes(challenge) + bytes(alg.block_size - RANDOM_LEN)
    if alg is Alg.TDES:
        return _retail_mac(bytes(damk), bytes(data), iv)
    return cbc_mac(alg, damk, data, iv)


# --------------------------------------------------------------------------- BCD


def to_bcd(value: int | str, length: int) -> bytes:
    """Packed BCD of ``value`` (an int >= 0 or a digit string), left-padded with 0 to ``length``."""
    digits = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(digits, str) or not digits.isascii() or not digits.isdigit():
        raise CryptoError("BCD value must be a non-negative int or a string of digits")
    if len(digits) > 2 * length:
        raise CryptoError(f"{len(digits)} digits do not fit in {length} BCD bytes")
    return bytes.fromhex(digits.rjust(2 * length, "0"))


def from_bcd(data: bytes) -> str:
    """The digit string of packed BCD ``data``; :class:`CryptoError` on a non-decimal nibble."""
    text = bytes(data).hex()
    if text and not text.isdigit():
        raise CryptoError("not valid BCD")
    return text


def bcd_date(d: _dt.date) -> bytes:
    """4-byte BCD ``YYYYMMDD``."""
    return to_bcd(f"{d.year:04d}{d.month:02d}{d.day:02d}", DATE_LEN)


def bcd_time(t: _dt.time | _dt.datetime) -> bytes:
    """3-byte BCD ``HHMMSS``."""
    return to_bcd(f"{t.hour:02d}{t.minute:02d}{t.second:02d}", TIME_LEN)


def bcd_datetime(moment: _dt.datetime) -> tuple[bytes, bytes]:
    """(4-byte BCD date, 3-byte BCD time) of ``moment``."""
    return bcd_date(moment.date()), bcd_time(moment)


def parse_bcd_date(data: bytes) -> _dt.date:
    """The date of a 4-byte BCD ``YYYYMMDD``; :class:`CryptoError` when invalid."""
    _check_len("date", data, DATE_LEN)
    digits = from_bcd(data)
    try:
        return _dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CryptoError("not a valid BCD date") from None


def parse_bcd_time(data: bytes) -> _dt.time:
    """The time of a 3-byte BCD ``HHMMSS``; :class:`CryptoError` when invalid."""
    _check_len("time", data, TIME_LEN)
    digits = from_bcd(data)
    try:
        return _dt.time(int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        raise CryptoError("not a valid BCD time") from None


def parse_bcd_datetime(data: bytes) -> _dt.datetime:
    """The moment of a 7-byte BCD ``YYYYMMDDHHMMSS`` (EF1E) or date(4) + time(3)."""
    _check_len("date+time", data, DATE_LEN + TIME_LEN)
    return _dt.datetime.combine(parse_bcd_date(data[:4]), parse_bcd_time(data[4:]))
