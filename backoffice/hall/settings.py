"""The hall server's settings, from the project settings (``[hall]``; ``$HALL_DB`` is laid over
``[hall] db`` there, :mod:`config.settings`) and the command line's database (first wins:
option, ``[hall] db``, ``<var_dir>/backoffice/hall.sqlite3``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backoffice.errors import ConfigurationError
from backoffice.hall.materials import Limits
from backoffice.hall.ratings import RatingPolicy
from config.settings import Settings

__all__ = ["HallServerSettings", "default_calendar_dir", "hall_settings"]


def default_calendar_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "config" / "hall" / "calendar"


@dataclass(frozen=True)
class HallServerSettings:
    db_url: str
    tokens_file: Path
    key_file: Path
    calendar_dir: Path = field(default_factory=default_calendar_dir)
    host: str = "127.0.0.1"
    port: int = 8490
    lookup_limit: int = 10
    lookup_window_s: int = 600
    policy: RatingPolicy = field(default_factory=RatingPolicy)
    limits: Limits = field(default_factory=Limits)
    demo: bool = False
    pool_size: int = 8


def hall_settings(settings: Settings, *, db: str | None = None,
                  demo: bool = False) -> HallServerSettings:
    h = settings.hall
    url = db or h.db or f"sqlite:///{settings.var.hall_db}"
    try:
        policy = RatingPolicy(h.rating_window_days, h.work_order_days, h.no_rating,
                              h.default_level)
    except ValueError as exc:
        raise ConfigurationError(f"[hall] {exc}", "[hall] 评价设置有误") from None
    if min(h.max_page_bytes, h.max_case_bytes, h.max_pages, h.lookup_limit,
           h.lookup_window_s, h.work_order_days) < 1 or h.rating_window_days < 0:
        raise ConfigurationError("[hall] limits and days are positive numbers",
                                 "[hall] 限额和天数须为正数")
    return HallServerSettings(
        db_url=url, tokens_file=settings.var_path(h.tokens_file),
        key_file=settings.var_path(h.key_file),
        calendar_dir=Path(h.calendar_dir) if h.calendar_dir else default_calendar_dir(),
        host=h.host, port=h.port, lookup_limit=h.lookup_limit,
        lookup_window_s=h.lookup_window_s, policy=policy,
        limits=Limits(h.max_page_bytes, h.max_case_bytes, h.max_pages), demo=demo)
