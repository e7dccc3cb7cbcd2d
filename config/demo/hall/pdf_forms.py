from __future__ import annotations

from typing import Any

from .model import Json, Text


def render_form(title: Text, matter: Json, filled: dict[str, Any] | None) -> bytes:
    return repr((title, matter["code"], filled)).encode()
