"""The back office's exception tree: one tree, translated at each boundary.

Every failure a caller of :mod:`backoffice` sees is one of these. Each class carries a short
machine ``code`` (the ``error`` field of an HTTP error body), the HTTP status the API answers
with, and the exit code of the CLI; each error has an English message and a Chinese one
(``message_zh``; the class's ``zh`` when the raiser gives none). A raiser may give a more
precise stable ``code`` (e.g. ``incomplete_matter``). Messages never carry key material or
tokens. HTTP error body: ``{"error": code, "message": English, "message_zh": Chinese}``.

    BackofficeError
    ├── ConfigurationError   bad database URL, no token, unusable key file (exit 4, HTTP 500)
    ├── StorageError         the database is unreachable or failed (exit 3, HTTP 503)
    └── RequestError         the caller asked for something wrong (exit 1 or 2, HTTP 4xx)
        ├── Unauthorized       missing or wrong bearer token (401)
        ├── InvalidInput       malformed request (422, CLI exit 2)
        ├── NotFound           (404)
        ├── BatchTooLarge      (413)
        ├── Conflict           e.g. a card registered twice with different data (409)
        ├── InvalidState       not possible in the case's present state (409)
        ├── PayloadTooLarge    an upload over its limit (413)
        ├── UnsupportedMedia   an upload that is neither JPEG nor PDF by its content (415)
        ├── TooManyRequests    lookups too fast (429, rate limited against guessing)
        ├── Forbidden          the token's scope does not allow this (403)
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


class BackofficeError(Exception):
    """Base of every back-office error."""

    code = "internal_error"
    http_status = 500
    exit_code = EXIT_FAILED
    zh = "内部错误"

    def __init__(self, message: str = "", message_zh: str | None = None, *,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message_zh = message_zh or self.zh
        if code is not None:
            self.code = code

    def body(self) -> dict[str, str]:
        """The HTTP error body."""
        return {"error": self.code, "message": str(self), "message_zh": self.message_zh}


class ConfigurationError(BackofficeError):
    """Missing or malformed configuration (database URL, token, key file)."""

    code = "configuration_error"
    zh = "配置错误"
    exit_code = EXIT_CONFIG


class StorageError(BackofficeError):
    """The database cannot be reached, or a statement failed."""

    code = "storage_unavailable"
    zh = "数据库暂不可用"
    http_status = 503
    exit_code = EXIT_UNAVAILABLE


class RequestError(BackofficeError):
    """The request cannot be served as asked."""

    code = "bad_request"
    zh = "请求有误"
    http_status = 400


class Unauthorized(RequestError):
    code = "unauthorized"
    zh = "需要有效的访问令牌"
    http_status = 401


class InvalidInput(RequestError):
    code = "invalid_input"
    zh = "输入有误"
    http_status = 422
    exit_code = EXIT_USAGE


class NotFound(RequestError):
    code = "not_found"
    zh = "未找到"
    http_status = 404


class BatchTooLarge(RequestError):
    code = "batch_too_large"
    zh = "批量过大"
    http_status = 413


class Conflict(RequestError):
    code = "conflict"
    zh = "与已有记录冲突"
    http_status = 409


class Refused(RequestError):
    """A business refusal: nothing was done."""

    code = "refused"
    zh = "请求被拒绝"
    http_status = 403


class CardHotlisted(Refused):
    code = "card_hotlisted"
    zh = "该卡已挂失"


class MacInvalid(Refused):
    code = "mac1_invalid"
    zh = "充值校验失败"


class LoadLimit(Refused):
    code = "load_limit"
    zh = "超出充值限额"


class NotConfigured(Refused):
    code = "not_configured"
    zh = "服务未配置该功能"
    http_status = 503


class InvalidState(RequestError):
    """The action is not possible in the object's present state (e.g. approve a draft)."""

    code = "invalid_state"
    zh = "当前状态下不能进行此操作"
    http_status = 409


class PayloadTooLarge(RequestError):
    code = "payload_too_large"
    zh = "上传内容超过大小限制"
    http_status = 413


class UnsupportedMedia(RequestError):
    code = "unsupported_media"
    zh = "只接受 JPEG 图片或 PDF 文件"
    http_status = 415


class TooManyRequests(RequestError):
    """Too many lookups from one caller: try again later (``retry_after_s``)."""

    code = "rate_limited"
    zh = "查询过于频繁，请稍后再试"
    http_status = 429

    def __init__(self, message: str = "", message_zh: str | None = None, *,
                 retry_after_s: int = 60) -> None:
        super().__init__(message, message_zh)
        self.retry_after_s = retry_after_s


class Forbidden(RequestError):
    code = "forbidden"
    zh = "无权进行此操作"
    http_status = 403
