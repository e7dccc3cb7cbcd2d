"""The second-generation resident ID-card reader (SAM-V protocol over a serial line).

Public face::

    from drivers.idcard import open_reader, Citizen, IdCardError
    with open_reader("socket://127.0.0.1:7000") as reader:
        citizen = reader.read_card()

Modules: ``errors`` (the exception tree), ``frame`` (SAM-V framing, pure), ``codes`` (sex,
nation, GB 11643 check digit, masking), ``citizen`` (the text block), ``reader`` (the device).
"""

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
from drivers.idcard.frame import Answer, FrameParser, encode_command
from drivers.idcard.reader import READERS, IdCardReader, open_port, open_reader

__all__ = [
    "LONG_TERM",
    "NATIONS",
    "READERS",
    "SEXES",
    "Answer",
    "CardDataError",
    "Citizen",
    "FrameError",
    "FrameParser",
    "IdCardError",
    "IdCardReader",
    "NoCard",
    "ReaderStatusError",
    "ReaderTimeout",
    "ReaderUnavailable",
    "check_character",
    "decode_text",
    "encode_command",
    "id_number_valid",
    "mask_id_number",
    "nation_name",
    "open_port",
    "open_reader",
    "sex_name",
]
