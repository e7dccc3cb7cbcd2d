"""Find a matter: search as people type (characters, full pinyin, initials), or browse by
department or category; results in pages of ``Theme.pageSize`` with large paging buttons."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.catalogue import Catalogue, Matter
from kiosk.ports import HallPort
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.rows import Rows

BROWSE = ("", "departments", "categories")


class FindVm(ScreenVm):
    changed = Signal()
    opened = Signal(str)
    """A matter was chosen (its code): the app shows its guide."""

    def __init__(self, ctx: Context, hall: HallPort, page_size: Callable[[], int],
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._hall = hall
        self._page_size = page_size
        self._catalogue: Catalogue | None = None
        self._query = ""
        self._department = ""
        self._category = ""
        self._browse = ""
        self._all: Sequence[Matter] = ()
        self._page = 0
        self._seq = 0
        self._busy = False
        self._fault = ""
        self._results = Rows(["code", "name", "department", "mode", "days", "online"], self)
        self._choices = Rows(["code", "name", "count"], self)

    # -- properties -----------------------------------------------------------------------------
    @Property(QObject, constant=True)
    def results(self) -> Rows:
        return self._results

    @Property(QObject, constant=True)
    def choices(self) -> Rows:
        return self._choices

    @Property(str, notify=changed)
    def query(self) -> str:
        return self._query

    @Property(str, notify=changed)
    def browse(self) -> str:
        return self._browse

    @Property(str, notify=changed)
    def filterName(self) -> str:  # noqa: N802
        """The chosen department or category, in words ('' = all matters)."""
        cat = self._catalogue
        if cat is None:
            return ""
        if self._department:
            dept = cat.department(self._department)
            return self.pick(dept.name) if dept else ""
        if self._category:
            return next((self.pick(c.name) for c in cat.categories if c.code == self._category),
                        "")
        return ""

    @Property(int, notify=changed)
    def page(self) -> int:
        return self._page

    @Property(int, notify=changed)
    def pageCount(self) -> int:  # noqa: N802
        return self._page_count()

    def _page_count(self) -> int:
        count = len(self._all) if not self._browse else self._choice_total()
        return max(1, math.ceil(count / self._page_size()))

    @Property(int, notify=changed)
    def total(self) -> int:
        return len(self._all)

    @Property(str, notify=changed)
    def summary(self) -> str:
        """'找到 12 项' / 'No matter found: try fewer letters'."""
        if self._busy and not self._all:
            return self.t("find_searching")
        if self._fault:
            return self._fault
        if not self._all:
            return self.t("find_none")
        return self.t("find_found", n=len(self._all), page=self._page + 1,
                      pages=self._page_count())

    @Property(bool, notify=changed)
    def busy(self) -> bool:
        return self._busy

    # -- actions --------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the catalogue (departments, categories) and list everything."""
        def loaded(cat: Catalogue) -> None:
            self._catalogue = cat
            self._search()

        self.ctx.tasks.run(self._hall.catalogue, loaded, self._failed)

    @Slot(str)
    def setQuery(self, text: str) -> None:  # noqa: N802
        self._query = text.strip()[:40]
        self._browse = ""
        self._search()

    @Slot(str)
    def type(self, key: str) -> None:
        self.setQuery(self._query + key)

    @Slot()
    def backspace(self) -> None:
        self.setQuery(self._query[:-1])

    @Slot()
    def clear(self) -> None:
        self._query, self._department, self._category, self._browse = "", "", "", ""
        self._search()

    @Slot(str)
    def showChoices(self, kind: str) -> None:  # noqa: N802
        self._browse = kind if kind in BROWSE else ""
        self._page = 0
        self._fill()

    @Slot(str)
    def choose(self, code: str) -> None:
        if self._browse == "departments":
            self._department, self._category = code, ""
        elif self._browse == "categories":
            self._category, self._department = code, ""
        self._browse = ""
        self._search()

    @Slot()
    def nextPage(self) -> None:  # noqa: N802
        if self._page + 1 < self._page_count():
            self._page += 1
            self._fill()

    @Slot()
    def prevPage(self) -> None:  # noqa: N802
        if self._page > 0:
            self._page -= 1
            self._fill()

    @Slot(str)
    def open(self, code: str) -> None:
        self.opened.emit(code)

    # -- work -----------------------------------------------------------------------------------
    def _search(self) -> None:
        self._seq += 1
        seq, query = self._seq, self._query
        dept, cat = self._department, self._category
        self._busy = True
        self.changed.emit()

        def found(matters: Sequence[Matter]) -> None:
            if seq != self._seq:
                return  # a later keystroke has its own search on the way
            self._all, self._page, self._busy, self._fault = matters, 0, False, ""
            self._fill()

        self.ctx.tasks.run(lambda: self._hall.search(query, department=dept, category=cat),
                           found, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._fault = self.fault_words(exc)
        self.changed.emit()

    def _choice_rows(self) -> list[dict[str, object]]:
        cat = self._catalogue
        if cat is None:
            return []
        if self._browse == "departments":
            return [{"code": d.code, "name": self.pick(d.name),
                     "count": sum(1 for m in cat.matters if m.department == d.code)}
                    for d in cat.departments]
        return [{"code": c.code, "name": self.pick(c.name),
                 "count": sum(1 for m in cat.matters if c.code in m.category)}
                for c in cat.categories]

    def _choice_total(self) -> int:
        return len(self._choice_rows())

    def _fill(self) -> None:
        size = self._page_size()
        self._page = min(self._page, self._page_count() - 1)
        start = self._page * size
        if self._browse:
            # choices are short: two columns, so twice the rows fit
            self._choices.replace(self._choice_rows()[start:start + size])
        else:
            self._results.replace([self._row(m) for m in self._all[start:start + size]])
        self.changed.emit()

    def _row(self, m: Matter) -> dict[str, object]:
        cat = self._catalogue
        dept = cat.department(m.department) if cat else None
        days = (self.t("guide_days_immediate") if m.promised_limit_days == 0
                else self.t("guide_days", n=m.promised_limit_days))
        return {"code": m.code, "name": self.pick(m.name),
                "department": self.pick(dept.name) if dept else m.department,
                "mode": self.t(f"mode_{m.handling_mode}"), "days": days, "online": m.online}

    def relabel(self) -> None:
        self._fill()

    def wipe(self) -> None:
        self._query, self._department, self._category, self._browse = "", "", "", ""
        self._page = 0
        if self._catalogue is not None:
            self._search()
        super().wipe()
