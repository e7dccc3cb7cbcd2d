"""A software SAM: the PSAM's answers computed from an issuer key file (development and tests).

It keeps only MPK and MAMK (never MLK or MTK), and the terminal ID of the file's ``[sam]``
table. Its TTSN lives in a small JSON state file (``{"format": 1, "last_ttsn": N}``), advanced
under an exclusive lock and written atomically (temp file, fsync, rename, fsync of the
directory: :func:`config.files.atomic_write`) *before* MAC1 is returned, so a TTSN is never
handed out twice, even by two processes sharing the file or after a crash. A corrupt state file
is an error, never a reset.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.keys import IssuerKeys, load_issuer_keys
from cardsvc.sam.base import Connect, PurchaseRequest, Sam
from cardsvc.sam.errors import SamKeyError, SamMacError, SamStateError
from config.files import atomic_write

__all__ = ["SoftSam", "TtsnStore", "soft_sam_state_path"]

_STATE_FORMAT = 1
MAX_TTSN = 0xFFFFFFFF


def soft_sam_state_path(state_dir: str | os.PathLike[str], terminal_id: bytes) -> Path:
    """Where a software SAM with ``terminal_id`` keeps its TTSN under ``state_dir``."""
    return Path(state_dir) / f"softsam-{terminal_id.hex()}.json"


class TtsnStore:
    """The persisted terminal transaction serial number (only grows)."""

    def __init__(self, path: str | os.PathLike[str], *, initial_last: int = 0) -> None:
        """``initial_last`` is the last TTSN assumed used when the file does not exist yet."""
        if not 0 <= initial_last < MAX_TTSN:
            raise SamStateError("initial TTSN out of range")
        self.path = Path(path)
        self._initial_last = initial_last

    def __repr__(self) -> str:
        return f"TtsnStore({str(self.path)!r})"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SamStateError(f"cannot lock SAM state {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> int:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._initial_last
        except (OSError, UnicodeDecodeError) as exc:
            raise SamStateError(f"cannot read SAM state {self.path}: {exc}") from None
        try:
            doc = json.loads(text)
            last = doc["last_ttsn"]
            ok = doc.get("format") == _STATE_FORMAT and type(last) is int
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok or not 0 <= last <= MAX_TTSN:
            raise SamStateError(f"SAM state {self.path} is corrupt; refusing to guess the TTSN")
        return int(last)

    def _write(self, last: int) -> None:
        data = json.dumps({"format": _STATE_FORMAT, "last_ttsn": last})
        try:
            atomic_write(self.path, data, mode=0o600)
        except OSError as exc:
            raise SamStateError(f"cannot write SAM state {self.path}: {exc.strerror}") from None

    def last(self) -> int:
        """The last TTSN handed out (``initial_last`` if none yet)."""
        with self._locked():
            return self._read()

    def take_next(self) -> int:
        """Advance and persist the TTSN, then return it."""
        with self._locked():
            last = self._read()
            if last >= MAX_TTSN:
                raise SamStateError("the TTSN is exhausted (FFFFFFFF)")
            self._write(last + 1)
            return last + 1


@dataclass(frozen=True, slots=True)
class _Session:
    alg: Alg
    amount: int
    sespk: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class _SamKeys:
    mpk: bytes = field(repr=False)
    mamk: bytes = field(repr=False)


class SoftSam(Sam):
    """The PSAM of card-spec 4.4 in software, from an issuer key file."""

    kind = "soft"

    def __init__(
        self,
        keys: IssuerKeys,
        state_path: str | os.PathLike[str],
        *,
        initial_ttsn: int = 0,
    ) -> None:
        """``keys`` needs ``mpk``, ``mamk`` and ``[sam] terminal_id``; ``state_path`` is the
        TTSN file (created on first use, the first TTSN then being ``initial_ttsn + 1``).

        Raises :class:`~cardsvc.keys.KeyFileError` when the file lacks one of them.
        """
        self._keys = _SamKeys(keys.mpk, keys.mamk)
        self._tid = keys.require_terminal_id()
        self._key_version = keys.key_version
        self._store = TtsnStore(state_path, initial_last=initial_ttsn)
        self._session: _Session | None = None

    @classmethod
    def from_key_file(
        cls, key_file: str | os.PathLike[str], state_path: str | os.PathLike[str]
    ) -> SoftSam:
        """Load ``key_file`` (mode 0600, see :mod:`cardsvc.keys`) and build the SAM."""
        return cls(load_issuer_keys(key_file), state_path)

    @classmethod
    def open(cls, target: str, *, state_dir: str | os.PathLike[str],
             connect: Connect | None) -> SoftSam:
        """The software SAM of the key file ``target``; its TTSN under ``state_dir``."""
        keys = load_issuer_keys(target)
        return cls(keys, soft_sam_state_path(state_dir, keys.require_terminal_id()))

    def __repr__(self) -> str:
        return (
            f"SoftSam(terminal_id={self._tid.hex()!r}, key_version={self._key_version}, "
            f"state={str(self._store.path)!r}, keys=<hidden>)"
        )

    @property
    def last_ttsn(self) -> int:
        """The last TTSN this SAM's state file handed out."""
        return self._store.last()

    def _terminal_id(self) -> bytes:
        return self._tid

    def _purchase_mac1(self, request: PurchaseRequest) -> tuple[int, bytes]:
        if request.key_ver != self._key_version:
            raise SamKeyError(
                f"no purchase key of version {request.key_ver} "
                f"(this SAM holds version {self._key_version})"
            )
        self._session = None
        dpk = crypto.diversify(request.alg, self._keys.mpk, request.card_factor)
        ttsn = self._store.take_next()
        sespk = crypto.purchase_session_key(request.alg, dpk, request.random, request.atc, ttsn)
        mac1 = crypto.purchase_mac1(
            request.alg,
            sespk,
            amount=request.amount,
            tx_type=request.tx_type,
            terminal_id=self._tid,
            date=request.date,
            time=request.time,
        )
        self._session = _Session(request.alg, request.amount, sespk)
        return ttsn, mac1

    def _verify_mac2(self, mac2: bytes) -> None:
        session = self._session
        if session is None:
            raise SamMacError("no purchase session to verify MAC2 against")
        expected = crypto.purchase_mac2(session.alg, session.sespk, amount=session.amount)
        if not crypto.macs_equal(expected, mac2):
            raise SamMacError("MAC2 does not match the last purchase session")

    def _maintenance_mac(
        self, card_factor: bytes, challenge: bytes, data: bytes, alg: Alg
    ) -> bytes:
        damk = crypto.diversify(alg, self._keys.mamk, card_factor)
        return crypto.maintenance_mac(alg, damk, challenge, data)
