"""HTTP plumbing shared by the back office's services (clearing, hall).

Every error answers ``{"error": code, "message": English, "message_zh": Chinese}`` with a stable
code: our own errors, malformed requests (``invalid_input``), unknown routes (``not_found``),
wrong methods (``method_not_allowed``) and crashes (``internal_error``, nothing leaked).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice.errors import (
    BackofficeError,
    ErrorCode,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
)
from backoffice.messages import MESSAGES

__all__ = ["ErrorBody", "error_body", "error_response", "install_error_handlers",
           "read_bounded"]

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error's body."""

    error: str = Field(description="Stable machine code, e.g. `case_not_found`.",
                       examples=["case_not_found"])
    message: str = Field(description="English.", examples=["no case 12611300000142"])
    message_zh: str = Field(description="Chinese.", examples=["没有办件 12611300000142"])


_HTTP_CODES = {404: (ErrorCode.NOT_FOUND, "no such route"),
               405: (ErrorCode.BAD_REQUEST, "method not allowed here")}


def error_response(exc: BackofficeError) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_s)
    return JSONResponse(status_code=exc.http_status, headers=headers or None,
                        content=error_body(exc))


def error_body(exc: BackofficeError) -> dict[str, str]:
    """``{"error": code, "message": English particulars, "message_zh": Chinese}``."""
    return {"error": exc.code.value, "message": str(exc),
            "message_zh": exc.message_zh or MESSAGES.zh(exc)}


def _body(code: ErrorCode, message: str) -> dict[str, str]:
    return {"error": code.value, "message": message, "message_zh": MESSAGES.zh(code)}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BackofficeError)
    async def on_error(_: Request, exc: BackofficeError) -> JSONResponse:
        if exc.http_status >= 500:
            log.error("request failed", extra={"event": "error", "code": exc.code,
                                               "detail": str(exc)})
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse(status_code=422, content=_body(ErrorCode.INVALID_INPUT,
                                                           "; ".join(parts)))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI: a body that is not JSON, a malformed request
            return JSONResponse(status_code=422, content=_body(ErrorCode.INVALID_INPUT,
                                                               str(exc.detail)))
        code, en = _HTTP_CODES.get(exc.status_code, (ErrorCode.BAD_REQUEST, str(exc.detail)))
        return JSONResponse(status_code=exc.status_code, headers=exc.headers,
                            content=_body(code, en))

    @app.exception_handler(Exception)
    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", extra={"event": "crash", "exc_type": type(exc).__name__})
        return JSONResponse(status_code=500, content=_body(ErrorCode.INTERNAL_ERROR,
                                                           "internal error"))


async def read_bounded(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is over ``limit`` bytes: a declared
    Content-Length over the limit before anything is read, else while streaming."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes", f"请求内容超过 {limit} 字节")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes", f"请求内容超过 {limit} 字节")
        chunks.append(chunk)
    return b"".join(chunks)
