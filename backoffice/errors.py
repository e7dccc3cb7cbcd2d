"""The back office's exception tree: one tree, translated at each boundary.

Every failure a caller of :mod:`backoffice` sees is one of these. Each class carries a stable
``code`` (:class:`ErrorCode`, the ``error`` field of an HTTP error body; its words, Chinese and
English, are :data:`backoffice.messages.MESSAGES`) and the HTTP status the API answers with.
The CLI maps the families to exit codes at its edge (:mod:`backoffice.cli_common`). Messages
never carry key material or tokens.

    BackofficeError
    ├── ConfigurationError   bad database URL, no token, unusable key file (HTTP 500)
    ├── StorageError         the database is unreachable or failed (HTTP 503)
    └── RequestError         the caller asked for something wrong (HTTP 4xx)
        ├── Unauthorized       missing or wrong bearer token (401)
        ├── InvalidInput       malformed request (422)
        ├── NotFound           (404)
        ├── BatchTooLarge      (413)
        ├── Conflict           e.g. a card registered twice with different data (409)
        └── Refused            a business refusal (403)
            ├── CardHotlisted    the card is on the hotlist
            ├── MacInvalid       the card's load MAC1 does not verify
            ├── LoadLimit        zero amount, or the load would pass the balance limit
            └── NotConfigured    the service lacks a key it needs for this (e.g. MLK)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum, unique
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = [
    "BackofficeError",
    "BatchTooLarge",
    "CardHotlisted",
    "ConfigurationError",
    "Conflict",
    "ErrorCode",
    "InvalidInput",
    "LoadLimit",
    "MacInvalid",
    "NotConfigured",
    "NotFound",
    "Refused",
    "RequestError",
    "StorageError",
    "Unauthorized",
]


@unique
class ErrorCode(StrEnum):
    """The back office's stable error codes (published in the OpenAPI document)."""

    INTERNAL_ERROR = "internal_error"
    CONFIGURATION_ERROR = "configuration_error"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    BATCH_TOO_LARGE = "batch_too_large"
    CONFLICT = "conflict"
    REFUSED = "refused"
    CARD_HOTLISTED = "card_hotlisted"
    MAC1_INVALID = "mac1_invalid"
    LOAD_LIMIT = "load_limit"
    NOT_CONFIGURED = "not_configured"


class BackofficeError(Exception):
    """Base of every back-office error."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_ERROR
    http_status: ClassVar[int] = 500
    params: ClassVar[Mapping[str, Any]] = MappingProxyType({})


class ConfigurationError(BackofficeError):
    """Missing or malformed configuration (database URL, token, key file)."""

    code = ErrorCode.CONFIGURATION_ERROR


class StorageError(BackofficeError):
    """The database cannot be reached, or a statement failed."""

    code = ErrorCode.STORAGE_UNAVAILABLE
    http_status = 503


class RequestError(BackofficeError):
    """The request cannot be served as asked."""

    code = ErrorCode.BAD_REQUEST
    http_status = 400


class Unauthorized(RequestError):
    code = ErrorCode.UNAUTHORIZED
    http_status = 401


class InvalidInput(RequestError):
    code = ErrorCode.INVALID_INPUT
    http_status = 422


class NotFound(RequestError):
    code = ErrorCode.NOT_FOUND
    http_status = 404


class BatchTooLarge(RequestError):
    code = ErrorCode.BATCH_TOO_LARGE
    http_status = 413


class Conflict(RequestError):
    code = ErrorCode.CONFLICT
    http_status = 409


class Refused(RequestError):
    """A business refusal: nothing was done."""

    code = ErrorCode.REFUSED
    http_status = 403


class CardHotlisted(Refused):
    code = ErrorCode.CARD_HOTLISTED


class MacInvalid(Refused):
    code = ErrorCode.MAC1_INVALID


class LoadLimit(Refused):
    code = ErrorCode.LOAD_LIMIT


class NotConfigured(Refused):
    code = ErrorCode.NOT_CONFIGURED
    http_status = 503
