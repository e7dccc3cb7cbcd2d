"""The back office's exception tree: one tree, translated at each boundary.

Every failure a caller of :mod:`backoffice` sees is one of these. Each class carries a short
machine ``code`` (the ``error`` field of an HTTP error body), the HTTP status the API answers
with, and the exit code of the CLI. Messages never carry key material or tokens.

    BackofficeError
    ├── ConfigurationError   bad database URL, no token, unusable key file (exit 4, HTTP 500)
    ├── StorageError         the database is unreachable or failed (exit 3, HTTP 503)
    └── RequestError         the caller asked for something wrong (exit 1 or 2, HTTP 4xx)
        ├── Unauthorized       missing or wrong bearer token (401)
        ├── InvalidInput       malformed request (422, CLI exit 2)
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

from config.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE

__all__ = [
    "BackofficeError",
    "BatchTooLarge",
    "CardHotlisted",
    "ConfigurationError",
    "Conflict",
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


class BackofficeError(Exception):
    """Base of every back-office error."""

    code = "internal_error"
    http_status = 500
    exit_code = EXIT_FAILED


class ConfigurationError(BackofficeError):
    """Missing or malformed configuration (database URL, token, key file)."""

    code = "configuration_error"
    exit_code = EXIT_CONFIG


class StorageError(BackofficeError):
    """The database cannot be reached, or a statement failed."""

    code = "storage_unavailable"
    http_status = 503
    exit_code = EXIT_UNAVAILABLE


class RequestError(BackofficeError):
    """The request cannot be served as asked."""

    code = "bad_request"
    http_status = 400


class Unauthorized(RequestError):
    code = "unauthorized"
    http_status = 401


class InvalidInput(RequestError):
    code = "invalid_input"
    http_status = 422
    exit_code = EXIT_USAGE


class NotFound(RequestError):
    code = "not_found"
    http_status = 404


class BatchTooLarge(RequestError):
    code = "batch_too_large"
    http_status = 413


class Conflict(RequestError):
    code = "conflict"
    http_status = 409


class Refused(RequestError):
    """A business refusal: nothing was done."""

    code = "refused"
    http_status = 403


class CardHotlisted(Refused):
    code = "card_hotlisted"


class MacInvalid(Refused):
    code = "mac1_invalid"


class LoadLimit(Refused):
    code = "load_limit"


class NotConfigured(Refused):
    code = "not_configured"
    http_status = 503
