"""The second-generation resident ID-card reader (SAM-V protocol over a serial line).

Public face::

    from drivers.idcard import open_reader, Citizen, IdCardError
    with open_reader("socket://127.0.0.1:7000") as reader:
        citizen = reader.read_card()

Modules: ``errors`` (the exception tree), ``frame`` (SAM-V framing, pure: for the reader and
its simulator, not re-exported here), ``codes`` (sex, nation, GB 11643 check digit, masking:
their one home), ``citizen`` (the text block), ``reader`` (the device, the kinds of reader).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from drivers.idcard.citizen import LONG_TERM, Citizen, decode_text
from drivers.idcard.codes import (
    NATIONS,
    SEXES,
    check_character,
    id_number_valid,
    mask_id_number,
    nation_name,
    sex_name,
)
from drivers.idcard.errors import (
    CardDataError,
    FrameError,
    IdCardError,
    NoCard,
    ReaderStatusError,
    ReaderTimeout,
    ReaderUnavailable,
)

if TYPE_CHECKING:
    from drivers.idcard.reader import READERS, IdCardReader, open_port, open_reader

_LAZY = frozenset({"READERS", "IdCardReader", "open_port", "open_reader"})
"""The reader needs pyserial: imported on first use, so the codes (GB 11643, masking) and the
citizen record are usable without it (the card service masks ID numbers)."""


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("drivers.idcard.reader"), name)

__all__ = [
    "LONG_TERM",
    "NATIONS",
    "READERS",
    "SEXES",
    "CardDataError",
    "Citizen",
    "FrameError",
    "IdCardError",
    "IdCardReader",
    "NoCard",
    "ReaderStatusError",
    "ReaderTimeout",
    "ReaderUnavailable",
    "check_character",
    "decode_text",
    "id_number_valid",
    "mask_id_number",
    "nation_name",
    "open_port",
    "open_reader",
    "sex_name",
]
