"""The hall's catalogue from the kiosk's offline copy (a catalogue file in the exchange
format, its files in ``files/<sha256>`` beside it): browsing and search work with the back
office down, searched by the hall's own engine (:mod:`backoffice.hallcat.search`, pure Python:
the same ranking on the kiosk as on the back office). Everything that needs the back office
(applications, progress, ratings, complaints) answers :attr:`Fault.OFFLINE` here; the HTTP
adapter (:mod:`kiosk.adapters.hall_http`) does the rest and keeps this copy fresh."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backoffice.hallcat.pinyin import normalise, tokens
from backoffice.hallcat.search import SearchEntry, SearchIndex, entry_keys
from kiosk.catalogue import Catalogue, CatalogueFormatError, Matter
from kiosk.ports import (
    Application,
    CaseRef,
    Complaint,
    Fault,
    Held,
    Identity,
    PortError,
    Progress,
    Rating,
    Reason,
    Receipt,
)


def stored_keys(raw: Any) -> dict[str, list[list[tuple[str, str]]]] | None:
    """The hall's stored tokens of one matter (``{kind: [[[pinyin, hanzi], ...], ...]}``), or
    None when they are not in that shape (then the kiosk computes them)."""
    try:
        return {str(kind): [[(str(py), str(hz)) for py, hz in line] for line in lines]
                for kind, lines in raw.items()}
    except (AttributeError, TypeError, ValueError):
        return None


def search_index(catalogue: Catalogue) -> SearchIndex:
    """The hall's search engine over ``catalogue``: with the tokens the hall stored when it
    published (the copy from ``/catalogue`` carries them), else computed here with pypinyin
    (about 0.2 ms per matter)."""
    entries = []
    for m in catalogue.matters:
        keys = stored_keys(catalogue.search_keys.get(m.code))
        if keys is None:
            keys = entry_keys(m.name.get("zh", ""), m.name.get("en", ""), m.aliases, tokens)
        entries.append(SearchEntry(m.code, m.name.get("zh", ""), m.department,
                                   tuple(m.category), keys))
    groups = {**{d.code: tokens(d.name.get("zh", "")) for d in catalogue.departments},
              **{c.code: tokens(c.name.get("zh", "")) for c in catalogue.categories}}
    return SearchIndex(entries, normalise=normalise, groups=groups)


class OfflineCatalogue:
    """The catalogue file, read once (lazily, on a worker thread) and indexed; read again
    when the file changes (the HTTP adapter replaces it when the hall publishes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._index: SearchIndex | None = None
        self._stamp: tuple[int, int] | None = None
        self._by_code: dict[str, Matter] = {}

    def _load(self) -> tuple[Catalogue, SearchIndex]:
        with self._lock:
            try:
                st = self.path.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if self._catalogue is None or self._index is None or stamp != self._stamp:
                try:
                    catalogue = Catalogue.from_file(self.path)
                except CatalogueFormatError as exc:
                    if self._catalogue is not None and self._index is not None:
                        return self._catalogue, self._index  # keep the copy we have
                    raise PortError(Fault.OFFLINE, str(exc)) from exc
                self._catalogue, self._index = catalogue, search_index(catalogue)
                self._by_code = {m.code: m for m in catalogue.matters}
                self._stamp = stamp
            return self._catalogue, self._index

    def catalogue(self) -> Catalogue:
        return self._load()[0]

    def matter(self, code: str) -> Matter:
        try:
            return self.catalogue().matter(code)
        except KeyError:
            raise PortError(Fault.NOT_FOUND, f"no matter {code}") from None

    def search(self, query: str, *, department: str = "", category: str = "",
               limit: int = 200) -> Sequence[Matter]:
        _, index = self._load()
        hits = index.search(query, department=department or None, category=category or None,
                            limit=limit)
        if not query.strip() and not (department or category):
            # browsing everything: the catalogue's own order
            return list(self._catalogue.matters[:limit]) if self._catalogue else []
        return [self._by_code[h.code] for h in hits if h.code in self._by_code]

    def file(self, ref: str) -> bytes:
        if not ref.isalnum():
            raise PortError(Fault.NOT_FOUND, "bad file reference")
        beside = self.path.parent / "files" / ref
        if beside.is_file():
            return beside.read_bytes()
        doc = json.loads(self.path.read_text("utf-8"))
        for m in doc.get("matters", ()):
            for x in m.get("materials", ()):
                for f in (x.get("template"), x.get("sample")):
                    if f and f.get("sha256") == ref and f.get("data_b64"):
                        return base64.b64decode(f["data_b64"])
        raise PortError(Fault.NOT_FOUND, f"no file {ref}")


class OfflineHall(OfflineCatalogue):
    """A :class:`kiosk.ports.HallPort` with only the catalogue (no back office configured)."""

    def held_materials(self, identity: Identity, matter_code: str) -> Sequence[Held]:
        return ()

    def submit(self, application: Application) -> Receipt:
        raise PortError(Fault.OFFLINE, "no hall back office configured")

    def progress(self, case: CaseRef) -> Progress:
        raise PortError(Fault.OFFLINE, "no hall back office configured")

    def progress_by_identity(self, identity: Identity) -> Sequence[Progress]:
        raise PortError(Fault.OFFLINE, "no hall back office configured")

    def rating_reasons(self) -> Sequence[Reason]:
        return ()

    def rate(self, rating: Rating) -> None:
        raise PortError(Fault.OFFLINE, "no hall back office configured")

    def complain(self, complaint: Complaint) -> str:
        raise PortError(Fault.OFFLINE, "no hall back office configured")
