"""The terminal's secure module (card-spec 4.4): a PSAM in a reader or a software SAM.

Public face::

    sam = open_sam("soft:var/keys/issuer_keys.toml", state_dir=Path("var/sam"))
    sam = open_sam("pcsc:Virtual PCD 00 01", state_dir=..., connect=lambda name: channel)
    ttsn, mac1 = sam.purchase_mac1(random, atc, amount, tx_type, date, time, key_ver, alg, factor)
    sam.verify_mac2(mac2)                    # raises SamMacError on mismatch
    mac = sam.maintenance_mac(factor, challenge, bytes.fromhex("841E000004"), alg)

Errors: :mod:`cardsvc.sam.errors` (``SamError`` and its tree; ``to_service_error`` maps them to
the card service's tree). A bad key file raises :class:`cardsvc.keys.KeyFileError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cardsvc.keys import load_issuer_keys
from cardsvc.sam.base import ApduChannel, ApduResponse, PurchaseRequest, Sam
from cardsvc.sam.errors import (
    SamError,
    SamInputError,
    SamKeyError,
    SamMacError,
    SamProtocolError,
    SamStateError,
    SamStatusError,
    SamUnavailable,
    to_service_error,
)
from cardsvc.sam.pcsc import PcscSam
from cardsvc.sam.soft import SoftSam, TtsnStore
from drivers.pcsc.errors import PcscError

__all__ = [
    "ApduChannel",
    "ApduResponse",
    "PcscSam",
    "PurchaseRequest",
    "Sam",
    "SamError",
    "SamInputError",
    "SamKeyError",
    "SamMacError",
    "SamProtocolError",
    "SamStateError",
    "SamStatusError",
    "SamUnavailable",
    "SoftSam",
    "TtsnStore",
    "open_sam",
    "soft_sam_state_path",
    "to_service_error",
]


def soft_sam_state_path(state_dir: str | os.PathLike[str], terminal_id: bytes) -> Path:
    """Where a software SAM with ``terminal_id`` keeps its TTSN under ``state_dir``."""
    return Path(state_dir) / f"softsam-{terminal_id.hex()}.json"


def open_sam(
    spec: str,
    *,
    state_dir: str | os.PathLike[str],
    connect: Callable[[str], ApduChannel] | None = None,
) -> Sam:
    """Open the SAM named by ``spec``: ``soft:KEY_FILE`` or ``pcsc:READER NAME``.

    ``state_dir`` holds a software SAM's TTSN file. ``connect(reader)`` returns a channel to
    the PSAM (e.g. ``lambda r: CardChannel.connect(backend, r)``); if the channel has a
    ``disconnect`` method, :meth:`Sam.close` calls it.
    """
    kind, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise SamInputError(f"a SAM is 'soft:KEY_FILE' or 'pcsc:READER', not {spec!r}")
    if kind == "soft":
        keys = load_issuer_keys(rest)
        return SoftSam(keys, soft_sam_state_path(state_dir, keys.require_terminal_id()))
    if kind == "pcsc":
        if connect is None:
            raise SamInputError("a PSAM in a reader needs a connect function")
        try:
            channel = connect(rest)
        except PcscError as exc:
            raise SamUnavailable(f"cannot connect to the PSAM in {rest!r}: {exc}") from exc
        disconnect = getattr(channel, "disconnect", None)
        return PcscSam(channel, on_close=disconnect if callable(disconnect) else None)
    raise SamInputError(f"unknown SAM kind {kind!r} (expected 'soft' or 'pcsc')")
