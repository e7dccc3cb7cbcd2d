"""Structured logging: one JSON object per line on stderr.

Fields: ``ts`` (local ISO 8601), ``level``, ``logger``, ``msg`` and whatever the call passed in
``extra`` (``event``, ``card_no``, counts...). Nothing logs keys or tokens; the formatter also
drops an ``authorization`` field should one ever be passed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

__all__ = ["JsonFormatter", "configure_logging"]

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_NEVER = {"authorization", "token", "key", "keys", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name in _STANDARD or name in _NEVER or name.startswith("_"):
                continue
            doc[name] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            doc["exc_type"] = record.exc_info[0].__name__
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Send the ``backoffice`` and ``uvicorn`` loggers to ``stream`` as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("backoffice", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
