"""The terminal's secure module (card-spec 4.4): a PSAM in a reader or a software SAM.

Public face::

    spec = SamSpec.parse("pcsc:Virtual PCD 00 01")   # the [card] sam setting, parsed once
    spec.reader                              # 'Virtual PCD 00 01' (None for a software SAM)
    sam = open_sam("soft:var/keys/issuer_keys.toml", state_dir=Path("var/sam"))
    sam = open_sam(spec, state_dir=..., connect=lambda name: channel)
    ttsn, mac1 = sam.purchase_mac1(random, atc, amount, tx_type, date, time, key_ver, alg, factor)
    sam.verify_mac2(mac2)                    # raises SamMacError on mismatch
    mac = sam.maintenance_mac(factor, challenge, bytes.fromhex("841E000004"), alg)

The kinds of SAM are the registry :data:`SAMS` (``KIND -> "module:Class"``, see
:mod:`config.registry`): ``pcsc:READER`` (:class:`PcscSam`) and ``soft:KEY_FILE``
(:class:`SoftSam`). A new kind is one :class:`Sam` subclass with its ``open`` and one entry.

Errors: :mod:`cardsvc.sam.errors` (``SamError`` and its tree; ``to_service_error`` maps them to
the card service's tree). A bad key file raises :class:`cardsvc.keys.KeyFileError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cardsvc.sam.base import ApduChannel, ApduResponse, Connect, PurchaseRequest, Sam
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
from cardsvc.sam.soft import SoftSam, TtsnStore, soft_sam_state_path
from config.registry import Registry, UnknownKind

__all__ = [
    "SAMS",
    "ApduChannel",
    "ApduResponse",
    "Connect",
    "PcscSam",
    "PurchaseRequest",
    "Sam",
    "SamError",
    "SamInputError",
    "SamKeyError",
    "SamMacError",
    "SamProtocolError",
    "SamSpec",
    "SamStateError",
    "SamStatusError",
    "SamUnavailable",
    "SoftSam",
    "TtsnStore",
    "open_sam",
    "soft_sam_state_path",
    "to_service_error",
]

SAMS: Registry[Sam] = Registry("SAM", {
    "pcsc": "cardsvc.sam.pcsc:PcscSam",
    "soft": "cardsvc.sam.soft:SoftSam",
}, forms={"pcsc": "pcsc:READER", "soft": "soft:KEY_FILE"})
"""The kinds of SAM, by the first part of the ``[card] sam`` setting."""

READER_KIND = "pcsc"
"""The kind of SAM that sits in a card reader (its target is the reader's name)."""


@dataclass(frozen=True)
class SamSpec:
    """A SAM setting, ``KIND:TARGET``, checked: the kind is in :data:`SAMS`."""

    kind: str
    target: str

    @classmethod
    def parse(cls, text: str) -> SamSpec:
        """``"pcsc:Virtual PCD 00 01"`` -> ``SamSpec("pcsc", "Virtual PCD 00 01")``;
        :class:`SamInputError` says what is wrong."""
        try:
            kind, target = SAMS.split(text)
        except UnknownKind as exc:
            raise SamInputError(str(exc)) from None
        if not target:
            raise SamInputError(f"a SAM is 'soft:KEY_FILE' or 'pcsc:READER', not {text!r}")
        return cls(kind, target)

    @property
    def reader(self) -> str | None:
        """The reader the SAM sits in (a PSAM), or None (a software SAM)."""
        return self.target if self.kind == READER_KIND else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


def open_sam(
    spec: str | SamSpec,
    *,
    state_dir: str | os.PathLike[str],
    connect: Connect | None = None,
) -> Sam:
    """Open the SAM named by ``spec``: ``soft:KEY_FILE`` or ``pcsc:READER NAME``.

    ``state_dir`` holds a software SAM's TTSN file. ``connect(reader)`` returns a channel to
    the PSAM (e.g. ``lambda r: CardChannel.connect(backend, r)``); if the channel has a
    ``disconnect`` method, :meth:`Sam.close` calls it.
    """
    parsed = spec if isinstance(spec, SamSpec) else SamSpec.parse(spec)
    return SAMS.load(parsed.kind).open(parsed.target, state_dir=state_dir, connect=connect)
