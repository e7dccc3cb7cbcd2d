"""The back office's exception tree: one tree, translated at each boundary.

Every failure a caller of :mod:`backoffice` sees is one of these. Each class carries a stable
``code`` (:class:`ErrorCode`, the ``error`` field of an HTTP error body; its words, Chinese and
English, are :data:`backoffice.messages.MESSAGES`) and the HTTP status the API answers with.
The CLI maps the families to exit codes at its edge (:mod:`backoffice.cli_common`). Messages
never carry key material or tokens. A raiser may name a more precise code of the same family
(``NotFound(..., code=ErrorCode.CASE_NOT_FOUND)``) and may add Chinese particulars
(``message_zh``) that an HTTP answer gives instead of the code's words.

    BackofficeError
    ├── ConfigurationError   bad database URL, no token, unusable key file (HTTP 500)
    ├── StorageError         the database is unreachable or failed (HTTP 503)
    └── RequestError         the caller asked for something wrong (HTTP 4xx)
        ├── Unauthorized       missing or wrong bearer token (401)
        ├── InvalidInput       malformed request (422)
        ├── NotFound           (404)
        ├── BatchTooLarge      (413)
        ├── Conflict           e.g. a card registered twice with different data (409)
        ├── InvalidState       not possible in the present state (409)
        ├── PayloadTooLarge    an upload over its limit (413)
        ├── UnsupportedMedia   an upload that is neither JPEG nor PDF by its content (415)
        ├── TooManyRequests    lookups too fast (429, against guessing)
        ├── Forbidden          the token's scope does not allow this (403)
        └── Refused            a business refusal (403)
            ├── CardHotlisted    the card is on the hotlist
            ├── MacInvalid       the card's load MAC1 does not verify
            ├── LoadLimit        zero amount, or the load would pass the balance limit
            └── NotConfigured    the service lacks a key it needs for this (e.g. MLK)
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Any, ClassVar

from config.messages import CodedError

__all__ = [
    "BackofficeError",
    "BatchTooLarge",
    "CardHotlisted",
    "ConfigurationError",
    "Conflict",
    "ErrorCode",
    "Forbidden",
    "InvalidInput",
    "InvalidState",
    "LoadLimit",
    "MacInvalid",
    "NotConfigured",
    "NotFound",
    "PayloadTooLarge",
    "Refused",
    "RequestError",
    "StorageError",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMedia",
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
    ALREADY_REFUNDED = "already_refunded"
    ORIGINAL_NOT_FOUND = "original_not_found"
    NOT_CONFIGURED = "not_configured"
    # the hall service
    INVALID_STATE = "invalid_state"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN = "forbidden"
    INVALID_CATALOGUE = "invalid_catalogue"
    INVALID_FORM_SCHEMA = "invalid_form_schema"
    INCOMPLETE_MATTER = "incomplete_matter"
    VERSION_PUBLISHED = "version_published"
    CALENDAR_MISSING = "calendar_missing"
    FORM_INVALID = "form_invalid"
    BAD_NUMBER = "bad_number"
    MATTER_NOT_FOUND = "matter_not_found"
    NOT_ONLINE = "not_online"
    CASE_NOT_FOUND = "case_not_found"
    CLIENT_TOKEN_USED = "client_token_used"  # noqa: S105 - an error code, not a secret
    MATERIAL_NOT_FOUND = "material_not_found"
    MATERIALS_MISSING = "materials_missing"
    SUPPLEMENT_ONCE = "supplement_once"
    MISSING_REQUIRED = "missing_required"
    OPINION_REQUIRED = "opinion_required"
    JOINT_REVIEWS_PENDING = "joint_reviews_pending"
    JOINT_REFUSED = "joint_refused"
    NOT_AN_APPROVAL_MATTER = "not_an_approval_matter"
    REASON_REQUIRED = "reason_required"
    TEXT_REQUIRED = "text_required"
    REASONS_NOT_ALLOWED = "reasons_not_allowed"
    NOT_RATEABLE = "not_rateable"
    RATING_WINDOW_OVER = "rating_window_over"
    ALREADY_RATED = "already_rated"
    NOTE_REQUIRED = "note_required"
    ADMIN_ONLY = "admin_only"
    COMPLAINT_NOT_FOUND = "complaint_not_found"


class BackofficeError(CodedError, code=ErrorCode.INTERNAL_ERROR):
    """Base of every back-office error: ``class X(Base, code=..., http_status=...)``."""

    code: ErrorCode
    http_status: ClassVar[int] = 500

    def __init_subclass__(cls, http_status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if http_status is not None:
            cls.http_status = http_status
    message_zh: str | None = None
    """Chinese particulars given by the raiser (else the code's words are used)."""

    def __init__(self, message: str = "", message_zh: str | None = None, *,
                 code: ErrorCode | str | None = None) -> None:
        super().__init__(message)
        if message_zh is not None:
            self.message_zh = message_zh
        if code is not None:
            self.code = ErrorCode(code)


class ConfigurationError(BackofficeError, code=ErrorCode.CONFIGURATION_ERROR):
    """Missing or malformed configuration (database URL, token, key file)."""


class StorageError(BackofficeError, code=ErrorCode.STORAGE_UNAVAILABLE, http_status=503):
    """The database cannot be reached, or a statement failed."""


class RequestError(BackofficeError, code=ErrorCode.BAD_REQUEST, http_status=400):
    """The request cannot be served as asked."""


class Unauthorized(RequestError, code=ErrorCode.UNAUTHORIZED, http_status=401):
    """Missing or wrong bearer token."""


class InvalidInput(RequestError, code=ErrorCode.INVALID_INPUT, http_status=422):
    """A malformed request."""


class NotFound(RequestError, code=ErrorCode.NOT_FOUND, http_status=404):
    """No such thing."""


class BatchTooLarge(RequestError, code=ErrorCode.BATCH_TOO_LARGE, http_status=413):
    """More records or bytes than one upload may carry."""


class Conflict(RequestError, code=ErrorCode.CONFLICT, http_status=409):
    """It clashes with what is stored (a card registered with other data)."""


class Refused(RequestError, code=ErrorCode.REFUSED, http_status=403):
    """A business refusal: nothing was done."""


class CardHotlisted(Refused, code=ErrorCode.CARD_HOTLISTED):
    """The card is on the hotlist."""


class MacInvalid(Refused, code=ErrorCode.MAC1_INVALID):
    """The card's load MAC1 does not verify."""


class LoadLimit(Refused, code=ErrorCode.LOAD_LIMIT):
    """A zero amount, or the load would pass the balance limit."""


class AlreadyRefunded(Refused, code=ErrorCode.ALREADY_REFUNDED):
    """The original transaction was refunded already (at most once per original)."""


class OriginalNotFound(Refused, code=ErrorCode.ORIGINAL_NOT_FOUND):
    """A refund names a purchase clearing does not hold (upload it first), or another card's,
    or another amount."""


class NotConfigured(Refused, code=ErrorCode.NOT_CONFIGURED, http_status=503):
    """The service lacks a key it needs for this (MLK)."""


class InvalidState(RequestError, code=ErrorCode.INVALID_STATE, http_status=409):
    """The action is not possible in the object's present state (e.g. approve a draft)."""


class PayloadTooLarge(RequestError, code=ErrorCode.PAYLOAD_TOO_LARGE, http_status=413):
    """An upload over its limit."""


class UnsupportedMedia(RequestError, code=ErrorCode.UNSUPPORTED_MEDIA, http_status=415):
    """An upload that is neither JPEG nor PDF by its content."""


class TooManyRequests(RequestError, code=ErrorCode.RATE_LIMITED, http_status=429):
    """Too many failed lookups from one caller: try again in ``retry_after_s``."""

    def __init__(self, message: str = "", message_zh: str | None = None, *,
                 retry_after_s: int = 60) -> None:
        super().__init__(message, message_zh)
        self.retry_after_s = retry_after_s


class Forbidden(RequestError, code=ErrorCode.FORBIDDEN, http_status=403):
    """The token's scope does not allow this."""
