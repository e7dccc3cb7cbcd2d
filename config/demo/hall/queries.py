from __future__ import annotations

from .model import Json


def search_queries(matters: list[Json]) -> Json:
    return {}
