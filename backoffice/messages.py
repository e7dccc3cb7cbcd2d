"""The back office's words: every :class:`~backoffice.errors.ErrorCode` in Chinese and English.

Used by the CLI (``backoffice CMD: error: 中文 / English particulars``), by the HTTP API (an
error body's ``message_zh``) and by the OpenAPI document (the ``error`` field's enumeration,
each code with its words under ``x-messages``).
"""

from __future__ import annotations

from backoffice.errors import ErrorCode as E
from config.messages import Catalogue, Words

__all__ = ["MESSAGES"]

MESSAGES = Catalogue("backoffice", {
    E.INTERNAL_ERROR: Words("内部错误", "internal error"),
    E.CONFIGURATION_ERROR: Words("配置错误", "configuration error"),
    E.STORAGE_UNAVAILABLE: Words("数据库不可用", "the database is unavailable"),
    E.BAD_REQUEST: Words("请求无效", "bad request"),
    E.UNAUTHORIZED: Words("令牌无效", "a valid bearer token is required"),
    E.INVALID_INPUT: Words("输入无效", "invalid input"),
    E.NOT_FOUND: Words("未找到", "not found"),
    E.BATCH_TOO_LARGE: Words("批次过大", "the batch is too large"),
    E.CONFLICT: Words("与已有数据冲突", "conflicts with what is stored"),
    E.REFUSED: Words("请求被拒绝", "refused"),
    E.CARD_HOTLISTED: Words("此卡已挂失", "the card is on the hotlist"),
    E.MAC1_INVALID: Words("卡片认证失败 (MAC1)", "the card's load MAC1 does not verify"),
    E.LOAD_LIMIT: Words("充值超出限额", "the load would pass the balance limit"),
    E.NOT_CONFIGURED: Words("服务缺少所需密钥", "the service lacks a key it needs"),
})
