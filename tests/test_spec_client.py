"""An independent client written from card-spec.md alone.

It shares no code with the product or the simulators (no ``cardsvc``, no ``drivers``, no
``simulators`` import): its own DES/3DES/SM4 MAC code on top of the raw ciphers of
``cryptography``, its own APDUs, its own TLV walk. It checks

* every vector of card-spec section 8, and
* (through the real pcscd, pyscard only) a purchase and a load on the virtual card, with the
  card's MAC2 and TAC verified here, for the 3DES and the SM4 demo cards,

so that the terminal side and the card side cannot share a mistake unnoticed.
"""

from __future__ import annotations

import datetime as dt
from time import monotonic, sleep

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from smartcard import scard

# --- section 7: demo issuer (test keys only) ------------------------------------------------
MPK = bytes.fromhex("3F1A5C7E9B2D4F6081A3C5E7092B4D6F")
MLK = bytes.fromhex("5A6B7C8D9EAFB0C1D2E3F40516273849")
MTK = bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
MAMK = bytes.fromhex("C1C2C3C4C5C6C7C8D1D2D3D4D5D6D7D8")
PIN = bytes.fromhex("123456")
TERMINAL = bytes.fromhex("410200000001")
TDES, SM4 = 0x00, 0x04
SELECT_MF = bytes.fromhex("00A40000023F00")


# --- section 4: the algorithms, written again from the text ---------------------------------
def _run(algo, block: bytes, decrypt: bool = False) -> bytes:
    c = Cipher(algo, modes.ECB())
    ctx = c.decryptor() if decrypt else c.encryptor()
    return ctx.update(block) + ctx.finalize()


def des(key8: bytes, block: bytes, decrypt: bool = False) -> bytes:
    return _run(TripleDES(key8 + key8 + key8), block, decrypt)


def tdes(key16: bytes, block: bytes) -> bytes:
    # two-key 3DES: E_K1(D_K2(E_K1(x)))
    k1, k2 = key16[:8], key16[8:]
    return des(k1, des(k2, des(k1, block), decrypt=True))


def sm4(key16: bytes, block: bytes) -> bytes:
    return _run(algorithms.SM4(key16), block)


def inv(b: bytes) -> bytes:
    return bytes(255 - x for x in b)


def card_key(alg: int, master: bytes, factor: bytes) -> bytes:
    if alg == TDES:
        return tdes(master, factor) + tdes(master, inv(factor))
    return sm4(master, factor + inv(factor))


def session_key(alg: int, key: bytes, eight: bytes) -> bytes:
    if alg == TDES:
        return tdes(key, eight)
    return sm4(key, eight + bytes.fromhex("8000000000000000"))


def cbc_mac(alg: int, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    n = 8 if alg == TDES else 16
    cipher = des if alg == TDES else sm4
    msg = data + b"\x80"
    while len(msg) % n:
        msg += b"\x00"
    h = iv if iv is not None else bytes(n)
    for i in range(0, len(msg), n):
        h = cipher(key, bytes(a ^ b for a, b in zip(h, msg[i : i + n], strict=True)))
    return h[:4]


def retail_mac(key16: bytes, data: bytes, iv: bytes) -> bytes:
    # ISO 9797-1 MAC algorithm 3: DES(KL) along the chain, then D(KR), E(KL) on the last output
    h = cbc_mac_full_des(key16[:8], data, iv)
    return des(key16[:8], des(key16[8:], h, decrypt=True))[:4]


def cbc_mac_full_des(key8: bytes, data: bytes, iv: bytes) -> bytes:
    msg = data + b"\x80" + bytes(-(len(data) + 1) % 8)
    h = iv
    for i in range(0, len(msg), 8):
        h = des(key8, bytes(a ^ b for a, b in zip(h, msg[i : i + 8], strict=True)))
    return h


def tac_key(alg: int, dtk: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(dtk[:8], dtk[8:], strict=True)) if alg == TDES else dtk


def u(n: int, size: int) -> bytes:
    return n.to_bytes(size, "big")


class Terminal:
    """The terminal + PSAM + load authority + clearing side of the spec, for one card."""

    def __init__(self, alg: int, factor: bytes) -> None:
        self.alg = alg
        self.dpk = card_key(alg, MPK, factor)
        self.dlk = card_key(alg, MLK, factor)
        self.dtk = card_key(alg, MTK, factor)

    def purchase(
        self, rnd: bytes, atc: int, ttsn: int, amount: int, typ: int, date: bytes, time: bytes
    ) -> tuple[bytes, bytes, bytes]:
        """(MAC1, expected MAC2, expected TAC)."""
        ses = session_key(self.alg, self.dpk, rnd + u(atc, 2) + u(ttsn, 4)[2:])
        mac1 = cbc_mac(self.alg, ses, u(amount, 4) + bytes([typ]) + TERMINAL + date + time)
        mac2 = cbc_mac(self.alg, ses, u(amount, 4))
        tac_data = u(amount, 4) + bytes([typ]) + TERMINAL + u(ttsn, 4) + date + time
        return mac1, mac2, cbc_mac(self.alg, tac_key(self.alg, self.dtk), tac_data)

    def load(
        self, rnd: bytes, atc: int, before: int, amount: int, date: bytes, time: bytes
    ) -> tuple[bytes, bytes, bytes]:
        """(expected card MAC1, MAC2, expected TAC)."""
        ses = session_key(self.alg, self.dlk, rnd + u(atc, 2) + b"\x80\x00")
        mac1 = cbc_mac(self.alg, ses, u(before, 4) + u(amount, 4) + b"\x02" + TERMINAL)
        mac2 = cbc_mac(self.alg, ses, u(amount, 4) + b"\x02" + TERMINAL + date + time)
        tac_data = u(before + amount, 4) + u(atc, 2) + u(amount, 4) + b"\x02" + TERMINAL
        tac = cbc_mac(self.alg, tac_key(self.alg, self.dtk), tac_data + date + time)
        return mac1, mac2, tac


# --- section 8 -------------------------------------------------------------------------------
CARD1 = bytes.fromhex("4102000000000001")
DAY = bytes.fromhex("20261126")


def test_vector_diversified_keys() -> None:
    t = Terminal(TDES, CARD1)
    assert t.dpk.hex().upper() == "FB03BA2FCD080521AB52BCF28BBA5C8D"
    assert t.dlk.hex().upper() == "8538213A3FBEEF0F2B6C32C7B5301EE7"
    assert t.dtk.hex().upper() == "43A8F7436344FEF87DAAE88149227FCB"
    assert Terminal(SM4, CARD1).dpk.hex().upper() == "8A52ABE288C33BDB256DC43874A7CD6D"


@pytest.mark.parametrize(
    ("alg", "rnd", "atc", "ttsn", "amount", "typ", "time", "expected"),
    [
        (TDES, "1A2B3C4D", 5, 0x10, 1250, 0x06, "120000", "4156ECF8 50EF395D 56416C95"),
        (TDES, "01020304", 6, 0x11, 200, 0x09, "073015", "217648B5 BF750436 5E748E6E"),
        (SM4, "1A2B3C4D", 5, 0x10, 1250, 0x06, "120000", "1CA2F80C E490BC86 C9CAD79C"),
    ],
)
def test_vector_purchase(alg, rnd, atc, ttsn, amount, typ, time, expected) -> None:
    got = Terminal(alg, CARD1).purchase(
        bytes.fromhex(rnd), atc, ttsn, amount, typ, DAY, bytes.fromhex(time)
    )
    assert " ".join(x.hex().upper() for x in got) == expected


@pytest.mark.parametrize(
    ("alg", "expected"), [(TDES, "530882EB 5E8990C3 0EE5B348"), (SM4, "AF4967E5 2083D29A 5DEB1724")]
)
def test_vector_load(alg, expected) -> None:
    got = Terminal(alg, CARD1).load(
        bytes.fromhex("A1B2C3D4"), 1, 0, 10000, DAY, bytes.fromhex("090000")
    )
    assert " ".join(x.hex().upper() for x in got) == expected


def test_vector_published_3des_mac() -> None:
    key = session_key(
        TDES, bytes.fromhex("11223344556677888877665544332211"), bytes.fromhex("1122334400000001")
    )
    assert key.hex().upper() == "003238ABC57659DD"
    data = bytes.fromhex("00001000 06 001122334455 20120229135100")
    assert cbc_mac(TDES, key, data).hex().upper() == "F15CAB75"
    assert cbc_mac(TDES, key, bytes.fromhex("00001000")).hex().upper() == "56988A13"


def test_retail_mac_reduces_to_cbc_mac_with_equal_halves() -> None:
    k = bytes.fromhex("0123456789ABCDEF")
    iv = bytes.fromhex("1122334400000000")
    assert retail_mac(k + k, bytes.fromhex("841E000004"), iv) == cbc_mac(
        TDES, k, bytes.fromhex("841E000004"), iv
    )


# --- the virtual card through pcscd, pyscard only ------------------------------------------
class Card:
    """A raw PC/SC connection with the spec's transmission rules (61xx, 6Cxx)."""

    def __init__(self, reader: str, settle: float = 5.0) -> None:
        self.reader = reader
        rc, self.ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        assert rc == scard.SCARD_S_SUCCESS
        # A card swapped into a vpcd reader can take a moment to answer its first exchange.
        deadline = monotonic() + settle
        while True:
            self._connect()
            rc, resp = scard.SCardTransmit(self.handle, self.proto, list(SELECT_MF))
            if rc == scard.SCARD_S_SUCCESS and len(resp) >= 2:
                return
            scard.SCardDisconnect(self.handle, scard.SCARD_RESET_CARD)
            assert monotonic() < deadline, f"no answer from {reader!r}: {rc:#x}"
            sleep(0.1)

    def _connect(self) -> None:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        rc, self.handle, self.proto = scard.SCardConnect(
            self.ctx, self.reader, scard.SCARD_SHARE_SHARED, protocols
        )
        assert rc == scard.SCARD_S_SUCCESS, f"SCardConnect: {rc:#x}"

    def close(self) -> None:
        scard.SCardDisconnect(self.handle, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(self.ctx)

    def raw(self, apdu: bytes) -> tuple[bytes, int]:
        rc, resp = scard.SCardTransmit(self.handle, self.proto, list(apdu))
        assert rc == scard.SCARD_S_SUCCESS and len(resp) >= 2
        return bytes(resp[:-2]), resp[-2] << 8 | resp[-1]

    def send(self, hex_apdu: str, *parts: bytes) -> tuple[bytes, int]:
        apdu = bytes.fromhex(hex_apdu) + b"".join(parts)
        data, sw = self.raw(apdu)
        if sw >> 8 == 0x6C:
            data, sw = self.raw(apdu[:-1] + bytes([sw & 0xFF]))
        while sw >> 8 == 0x61:
            more, sw = self.raw(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            data += more
        return data, sw

    def ok(self, hex_apdu: str, *parts: bytes) -> bytes:
        data, sw = self.send(hex_apdu, *parts)
        assert sw == 0x9000, f"{hex_apdu[:4]}: {sw:04X}"
        return data


def find_tag(data: bytes, want: int) -> bytes | None:
    """Depth-first BER-TLV search (short and two-byte tags, short and 81/82 lengths)."""
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            tag = tag << 8 | data[i]
            i += 1
        length = data[i]
        i += 1
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[i : i + n], "big")
            i += n
        value = data[i : i + length]
        i += length
        if tag == want:
            return value
        if (tag >> 8 if tag > 0xFF else tag) & 0x20:  # constructed
            inner = find_tag(value, want)
            if inner is not None:
                return inner
    return None


@pytest.mark.pcscd
@pytest.mark.parametrize(("number", "alg"), [("4102000000000001", TDES), ("4102000000000005", SM4)])
def test_purchase_and_load_on_the_virtual_card(attach_card, number: str, alg: int) -> None:
    vcard = attach_card(number)
    card = Card(vcard.reader)
    try:
        fci = card.ok("00A4040009A00000000386980701")
        ef15 = find_tag(fci, 0x9F0C)
        assert ef15 is not None and len(ef15) == 30
        assert ef15[12:20].hex() == number
        term = Terminal(alg, ef15[12:20])
        now = dt.datetime.now().replace(microsecond=0)
        date, time = bytes.fromhex(now.strftime("%Y%m%d")), bytes.fromhex(now.strftime("%H%M%S"))

        # purchase 12.50 yuan
        init = card.ok("805001020B01", u(1250, 4), TERMINAL, b"\x0f")
        assert len(init) == 15 and init[10] == alg
        balance, atc, rnd = (
            int.from_bytes(init[:4], "big"),
            int.from_bytes(init[4:6], "big"),
            init[11:],
        )
        ttsn = 0x2001
        mac1, mac2, tac = term.purchase(rnd, atc, ttsn, 1250, 0x06, date, time)
        answer = card.ok("805401000F", u(ttsn, 4), date, time, mac1, b"\x08")
        assert answer == tac + mac2
        assert int.from_bytes(card.ok("805C000204"), "big") == balance - 1250
        assert card.ok("805A000602", u(atc + 1, 2), b"\x08") == mac2 + tac
        record = card.ok("00B201C400")
        assert record == u(atc, 2) + bytes(3) + u(1250, 4) + b"\x06" + TERMINAL + date + time

        # a forged MAC1 is refused and nothing is taken
        init = card.ok("805001020B01", u(100, 4), TERMINAL, b"\x0f")
        _, sw = card.send("805401000F", u(ttsn + 1, 4), date, time, b"\x00" * 4, b"\x08")
        assert sw == 0x9302
        assert int.from_bytes(card.ok("805C000204"), "big") == balance - 1250

        # load 100.00 yuan
        card.ok("0020000003", PIN)
        init = card.ok("805000020B01", u(10000, 4), TERMINAL, b"\x10")
        assert len(init) == 16 and init[7] == alg
        before, online = int.from_bytes(init[:4], "big"), int.from_bytes(init[4:6], "big")
        mac1, mac2, tac = term.load(init[8:12], online, before, 10000, date, time)
        assert init[12:] == mac1
        assert card.ok("805200000B", date, time, mac2, b"\x04") == tac
        assert int.from_bytes(card.ok("805C000204"), "big") == before + 10000
    finally:
        card.close()
