"""The hall service: every part wired over one database (transport-free; the HTTP API, the CLI
and the benchmarks call it)."""

from __future__ import annotations

from typing import Any

from backoffice.auth import TokenStore
from backoffice.errors import ConfigurationError
from backoffice.hall.cases import CaseService
from backoffice.hall.casework import CaseWork
from backoffice.hall.catalogue import Catalogue
from backoffice.hall.clock import Clock, system_clock
from backoffice.hall.complaints import Complaints
from backoffice.hall.ratelimit import LookupLimiter
from backoffice.hall.ratings import Ratings
from backoffice.hall.sealing import HallKeys
from backoffice.hall.settings import HallServerSettings
from backoffice.hall.store import HallStore
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.workdays import WorkCalendar

__all__ = ["HallService"]


class HallService:
    def __init__(self, settings: HallServerSettings, *, clock: Clock = system_clock) -> None:
        """Open the database and bring its schema up to date (Alembic)."""
        self.settings = settings
        try:
            calendar = WorkCalendar.load(settings.calendar_dir)
        except HallDataError as exc:
            raise ConfigurationError(str(exc), exc.message_zh) from None
        keys = HallKeys.from_file(settings.key_file)
        self.store = HallStore(settings.db_url, pool_size=settings.pool_size)
        try:
            self.store.migrate()
        except BaseException:
            self.store.close()
            raise
        self.clock = clock
        self.catalogue = Catalogue(self.store, clock)
        self.cases = CaseService(self.store, self.catalogue, keys, calendar, clock,
                                 settings.limits)
        self.work = CaseWork(self.cases)
        self.ratings = Ratings(self.cases, settings.policy)
        self.complaints = Complaints(self.store, keys, clock)
        self.tokens = TokenStore(settings.tokens_file)
        self.limiter = LookupLimiter(settings.lookup_limit, settings.lookup_window_s)

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "database": self.store.kind,
                "catalogue_revision": self.catalogue.revision(),
                "calendar_years": list(self.cases.calendar.years)}

    def close(self) -> None:
        self.store.close()
