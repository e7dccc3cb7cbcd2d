"""The hall's catalogue from the kiosk's offline copy (a catalogue file in the exchange
format, its files in ``files/<sha256>`` beside it): browsing and search work with the back
office down. Everything that needs the back office (applications, progress, ratings,
complaints) answers :attr:`Fault.OFFLINE` here; the HTTP adapter does the rest."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Sequence
from pathlib import Path

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
from kiosk.search import MatterIndex


class OfflineCatalogue:
    """The catalogue file, read once (lazily, on a worker thread) and indexed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._index: MatterIndex | None = None

    def _load(self) -> tuple[Catalogue, MatterIndex]:
        with self._lock:
            if self._catalogue is None or self._index is None:
                try:
                    self._catalogue = Catalogue.from_file(self.path)
                except CatalogueFormatError as exc:
                    raise PortError(Fault.OFFLINE, str(exc)) from exc
                self._index = MatterIndex(self._catalogue)
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
        return self._load()[1].search(query, department=department, category=category,
                                      limit=limit)

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
