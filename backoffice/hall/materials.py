"""Uploaded materials: the type is read from the content (JPEG or PDF), never from a name or a
header; SHA-256 for each page; size limits; pages stored once by hash (a reused ID copy and the
same page uploaded twice share one stored file)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from backoffice.errors import PayloadTooLarge, UnsupportedMedia
from backoffice.hall import tables as t
from backoffice.hall.store import insert_ignore

__all__ = ["Limits", "Page", "check_page", "sniff", "store_file"]

_TAIL = 2048


@dataclass(frozen=True)
class Limits:
    page_bytes: int = 5_000_000
    case_bytes: int = 50_000_000
    pages: int = 20


@dataclass(frozen=True)
class Page:
    sha256: str
    media_type: str
    bytes: int


def sniff(data: bytes, declared: str | None = None) -> str:
    """``image/jpeg`` or ``application/pdf`` from the bytes themselves; 415 otherwise, or when the
    declared type says something else."""
    if data[:3] == b"\xff\xd8\xff" and b"\xff\xd9" in data[-_TAIL:]:
        kind = "image/jpeg"
    elif data[:5] == b"%PDF-" and b"%%EOF" in data[-_TAIL:]:
        kind = "application/pdf"
    else:
        raise UnsupportedMedia("the content is neither a JPEG image nor a PDF document",
                               "内容既不是 JPEG 图片也不是 PDF 文件")
    if declared and declared.split(";")[0].strip().lower() not in (kind, "",
                                                                  "application/octet-stream"):
        raise UnsupportedMedia(f"declared {declared} but the content is {kind}",
                               "声明的类型与文件内容不符")
    return kind


def check_page(data: bytes, limits: Limits) -> None:
    if len(data) > limits.page_bytes:
        raise PayloadTooLarge(f"a page is at most {limits.page_bytes} bytes",
                              f"单页文件不能超过 {limits.page_bytes} 字节")
    if not data:
        raise UnsupportedMedia("the page is empty", "上传内容为空")


def store_file(conn: sa.Connection, data: bytes, media_type: str, now: dt.datetime) -> Page:
    """Store ``data`` once under its SHA-256 (in the caller's transaction)."""
    digest = hashlib.sha256(data).hexdigest()
    exists = conn.scalar(sa.select(sa.func.count()).select_from(t.files)
                         .where(t.files.c.sha256 == digest))
    if not exists:
        insert_ignore(conn, t.files, {"sha256": digest, "media_type": media_type,
                                      "bytes": len(data), "data": data, "created_at": now})
    return Page(digest, media_type, len(data))
