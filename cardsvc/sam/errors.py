"""The SAM layer's exception tree.

Every failure of a :class:`~cardsvc.sam.base.Sam` is one of these. Reader-layer errors
(:mod:`drivers.pcsc.errors`) are translated here with ``raise ... from exc``; the card service
translates these in turn with :func:`to_service_error`. Each class has the stable ``code`` of
:class:`cardsvc.codes.ErrorCode` its failure shows as. Messages never carry key material.

    SamError
    ├── SamUnavailable     the SAM cannot be reached (pcscd, reader, PSAM removed, I/O fault)
    ├── SamMacError        MAC2 does not match the last purchase session (PSAM ``9302``)
    ├── SamStatusError     the PSAM answered a status word the profile does not expect
    ├── SamProtocolError   the PSAM's answer is malformed (wrong length)
    ├── SamKeyError        the SAM holds no key for the requested version/algorithm
    ├── SamStateError      the software SAM's state (TTSN) is unreadable, unwritable or exhausted
    └── SamInputError      a caller passed a malformed argument
"""

from __future__ import annotations

from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    CardProtocolError,
    CardServiceError,
    MacError,
    SamUnavailableError,
    ServiceConfigError,
)
from config.messages import CodedError

__all__ = [
    "SamError",
    "SamInputError",
    "SamKeyError",
    "SamMacError",
    "SamProtocolError",
    "SamStateError",
    "SamStatusError",
    "SamUnavailable",
    "to_service_error",
]


class SamError(CodedError, code=ErrorCode.SAM_FAULT):
    """Base of every SAM-layer failure."""

    code: ErrorCode


class SamUnavailable(SamError, code=ErrorCode.SAM_UNAVAILABLE):
    """The SAM cannot be reached: no service, no reader, PSAM removed, timeout."""


class SamMacError(SamError, code=ErrorCode.MAC2_INVALID):
    """The card's MAC2 does not match the SAM's last purchase session."""


class SamStatusError(SamError):
    """The PSAM answered an unexpected status word."""

    def __init__(self, command: str, sw: int) -> None:
        super().__init__(f"PSAM {command}: unexpected status word {sw:04X}")
        self.command = command
        self.sw = sw


class SamProtocolError(SamError):
    """The PSAM's answer does not have the profile's shape."""


class SamKeyError(SamError, code=ErrorCode.SAM_CONFIG):
    """The SAM holds no key for what was asked (key version, algorithm)."""


class SamStateError(SamError, code=ErrorCode.SAM_CONFIG):
    """The software SAM's persisted state cannot be read, written or advanced."""


class SamInputError(SamError):
    """A malformed argument (wrong length, out of range); never echoes the value."""


def to_service_error(exc: SamError) -> CardServiceError:
    """The card-service error for a SAM error (use as ``raise to_service_error(e) from e``)."""
    if isinstance(exc, SamMacError):
        return MacError(f"MAC2 did not verify: {exc}", code=exc.code)
    if isinstance(exc, SamUnavailable):
        return SamUnavailableError(f"SAM unavailable: {exc}", code=exc.code)
    if isinstance(exc, SamKeyError | SamStateError):
        return ServiceConfigError(f"SAM: {exc}", code=exc.code)
    return CardProtocolError(f"SAM: {exc}", code=exc.code)
