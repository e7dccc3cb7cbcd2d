"""The hall's back office over HTTP (``/v1/hall``, token scope ``kiosk``) as a
:class:`kiosk.ports.HallPort`, with the offline catalogue and the durable outbox.

* The catalogue is always answered from the offline copy (searchable with the back office
  down); :meth:`HttpHall.refresh` fetches the published catalogue again when its revision
  (``X-Catalogue-Revision``) moved and replaces the copy atomically. Files (blank forms,
  samples) are fetched once and kept beside it.
* An application goes into the outbox first (durable), then is delivered at once if the back
  office answers: file the case with the kiosk's own client token (idempotent: a retry answers
  the same case), upload each scanned page (a material is cleared before its pages are sent
  again), submit. If the back office is down the receipt says *pending* (its QR token is the
  client token, which works as soon as the case is filed) and the sender thread delivers it
  later, exactly once.
* Everything else (progress, ratings, complaints) is a plain call; a rating of an application
  still in the outbox waits there behind it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from config.files import atomic_write
from kiosk.adapters.hall_offline import OfflineCatalogue
from kiosk.catalogue import Catalogue, Matter
from kiosk.outbox import Item, Outbox, Refused
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
    TimelineEvent,
)

log = logging.getLogger(__name__)

API = "/v1/hall"
REFRESH_S = 300.0


def _fault(response: httpx.Response) -> PortError:
    try:
        code = str(response.json().get("code") or response.json().get("error") or "")
    except ValueError:
        code = ""
    status = response.status_code
    if status == 404:
        return PortError(Fault.NOT_FOUND, code or "not found")
    if status == 429:
        return PortError(Fault.TOO_MANY, code or "too many")
    if code == "already_rated":
        return PortError(Fault.ALREADY_RATED, code)
    if status in (409, 413, 415, 422):
        return PortError(Fault.REFUSED, code or str(status), details={"code": code})
    return PortError(Fault.OFFLINE, f"{status} {code}")


def identity_json(identity: Identity) -> dict[str, Any]:
    out: dict[str, Any] = {"source": identity.source, "id_number": identity.id_number,
                           "name": identity.name}
    for key in ("card_no", "sex", "birth_date", "address", "nation"):
        value = getattr(identity, key)
        if value:
            out[key] = value
    return out


def _progress(doc: dict[str, Any], catalogue: Catalogue | None = None) -> Progress:
    code = str(doc.get("department", ""))
    dept = catalogue.department(code) if catalogue else None
    return Progress(
        number=doc["number"], matter=doc.get("matter_name") or {},
        department=dict(dept.name) if dept else {"zh": code, "en": code},
        status=doc["status"],
        timeline=tuple(TimelineEvent(dt.datetime.fromisoformat(e["at"]), e["status"],
                                     {"zh": e["note"], "en": e["note"]} if e.get("note") else {})
                       for e in doc.get("timeline", ())),
        promised_date=dt.date.fromisoformat(doc["promised_date"])
        if doc.get("promised_date") else None,
        overdue=bool(doc.get("overdue")), can_rate=bool(doc.get("can_rate")),
        missing=tuple(doc.get("missing") or ()))


class HttpHall:
    def __init__(self, url: str, token: str, catalogue_file: Path, outbox: Outbox, *,
                 terminal: str = "kiosk", timeout: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.offline = OfflineCatalogue(catalogue_file)
        self.outbox = outbox
        self.terminal = terminal
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"},
                                  transport=transport)
        self._refreshed = 0.0
        self._revision = ""
        self._lock = threading.Lock()
        self._reasons: list[Reason] = []

    def close(self) -> None:
        self._http.close()

    # -- HTTP -----------------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            response = self._http.request(method, API + path, **kw)
        except httpx.HTTPError as exc:
            raise PortError(Fault.OFFLINE, type(exc).__name__) from exc
        if response.status_code >= 400:
            raise _fault(response)
        return response

    # -- the catalogue ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Fetch the published catalogue if it changed (at most every few minutes); True when
        the offline copy was replaced. Never raises: a back office that is down keeps the copy."""
        now = dt.datetime.now().timestamp()
        with self._lock:
            if not force and now - self._refreshed < REFRESH_S:
                return False
            self._refreshed = now
            try:
                response = self._call("GET", "/catalogue")
            except PortError:
                return False
            revision = response.headers.get("X-Catalogue-Revision", "")
            if revision and revision == self._revision and self.offline.path.exists():
                return False
            try:
                Catalogue.from_json(response.json())
            except Exception:
                log.exception("kiosk.hall.catalogue_unreadable",
                              extra={"event": "kiosk.hall.catalogue_unreadable"})
                return False
            atomic_write(self.offline.path, response.content)
            self._revision = revision
            log.info("kiosk.hall.catalogue_refreshed",
                     extra={"event": "kiosk.hall.catalogue_refreshed", "revision": revision})
            return True

    def catalogue(self) -> Catalogue:
        if not self.offline.path.exists():
            self.refresh(force=True)
        return self.offline.catalogue()

    def matter(self, code: str) -> Matter:
        return self.offline.matter(code)

    def search(self, query: str, *, department: str = "", category: str = "",
               limit: int = 200) -> Sequence[Matter]:
        if not self.offline.path.exists():
            self.refresh(force=True)
        return self.offline.search(query, department=department, category=category,
                                   limit=limit)

    def file(self, ref: str) -> bytes:
        try:
            return self.offline.file(ref)
        except PortError:
            pass
        data = self._call("GET", f"/files/{ref}").content
        target = self.offline.path.parent / "files" / ref
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
        return data

    # -- applications -------------------------------------------------------------------------
    def held_materials(self, identity: Identity, matter_code: str) -> Sequence[Held]:
        rows = self._call("POST", "/held", json={"identity": identity_json(identity),
                                                 "matter_code": matter_code}).json()
        matter = self.offline.matter(matter_code)
        names = {m.id: m.name for m in matter.materials}
        return [Held(ref=f"reuse:{r['material_id']}", reuse_kind=r["reuse_kind"],
                     name=names.get(r["material_id"], {}), date=r["verified_at"][:10],
                     pages=int(r["pages"])) for r in rows]

    def submit(self, application: Application) -> Receipt:
        token = application.client_ref
        files: dict[str, Path] = {}
        materials = []
        for m in application.materials:
            names = []
            for n, page in enumerate(m.pages, 1):
                name = f"{m.material_id}-{n}.jpg"
                files[name] = page
                names.append(name)
            materials.append({"id": m.material_id, "pages": names,
                              "reuse": m.reuse_ref is not None})
        payload = {"matter_code": application.matter_code,
                   "identity": identity_json(application.identity),
                   "form": dict(application.fields), "materials": materials,
                   "channel": application.terminal or self.terminal}
        item = self.outbox.put("application", token, payload, files)
        self.outbox.deliver_waiting(self._deliver, only=item.id)
        done = self.outbox.find("application", token)
        now = dt.datetime.now().replace(microsecond=0)
        if done is not None and done.state == "sent" and done.result:
            promised = done.result.get("promised_date")
            return Receipt(done.result["number"], token,
                           dt.date.fromisoformat(promised) if promised else None, now)
        if done is not None and done.state == "refused":
            raise PortError(Fault.REFUSED, "the back office refused the application")
        return Receipt(f"K{item.id:06d}", token, None, now, pending=True)

    def deliver_waiting(self) -> int:
        """The sender thread's pass: deliver what waits (in order)."""
        return self.outbox.deliver_waiting(self._deliver)

    def _deliver(self, item: Item) -> dict[str, Any]:
        try:
            if item.kind == "rating":
                return self._deliver_rating(item)
            return self._deliver_application(item)
        except PortError as exc:
            if exc.code in (Fault.REFUSED, Fault.NOT_FOUND):
                raise Refused(str(exc.details.get("code") or exc.code.value)) from exc
            if exc.code is Fault.ALREADY_RATED:
                return {"rated": "before"}
            raise

    def _deliver_application(self, item: Item) -> dict[str, Any]:
        p, token = item.payload, item.client_token
        created = self._call("POST", "/cases", json={
            "matter_code": p["matter_code"], "identity": p["identity"], "form": p["form"],
            "channel": p["channel"], "client_token": token}).json()
        if created["status"] == "draft":
            for m in p["materials"]:
                if m["reuse"] or not m["pages"]:
                    continue
                self._call("DELETE", f"/cases/{token}/materials/{m['id']}")
                for name in m["pages"]:
                    self._call("POST", f"/cases/{token}/materials/{m['id']}",
                               content=(item.folder / name).read_bytes(),
                               headers={"Content-Type": "image/jpeg"})
            try:
                progress = self._call("POST", f"/cases/{token}/submit").json()
            except PortError as exc:
                if exc.code is not Fault.REFUSED:
                    raise
                progress = self._call("GET", f"/cases/{token}").json()
                if progress["status"] == "draft":
                    raise
        else:
            progress = self._call("GET", f"/cases/{token}").json()
        return {"number": created["number"], "promised_date": progress.get("promised_date")}

    # -- progress -------------------------------------------------------------------------------
    def _pending(self, token: str) -> Progress | None:
        item = self.outbox.find("application", token)
        if item is None or item.state != "waiting":
            return None
        try:
            matter = self.offline.matter(item.payload["matter_code"])
            name: dict[str, str] = dict(matter.name)
        except PortError:
            name = {}
        return Progress(number=f"K{item.id:06d}", matter=name, department={}, status="pending",
                        timeline=(TimelineEvent(item.created_at, "pending"),),
                        promised_date=None, overdue=False)

    def progress(self, case: CaseRef) -> Progress:
        if case.token:
            waiting = self._pending(case.token)
            if waiting is not None:
                return waiting
            return _progress(self._call("GET", f"/cases/{case.token}").json(),
                             self._copy())
        return _progress(self._call("GET", f"/progress/{case.number}",
                                    params={"id_tail": case.id_tail}).json(), self._copy())

    def progress_by_identity(self, identity: Identity) -> Sequence[Progress]:
        docs = self._call("POST", "/progress/holder", json=identity_json(identity)).json()
        catalogue = self._copy()
        return [_progress(d, catalogue) for d in docs]

    def _copy(self) -> Catalogue | None:
        try:
            return self.offline.catalogue()
        except PortError:
            return None

    # -- ratings and complaints ---------------------------------------------------------------
    def rating_reasons(self) -> Sequence[Reason]:
        if not self._reasons:
            rows = self._call("GET", "/rating-reasons").json()
            self._reasons = [Reason(r["code"], {"zh": r["zh"], "en": r["en"]}) for r in rows]
        return list(self._reasons)

    def rate(self, rating: Rating) -> None:
        body = {"level": rating.level, "reasons": list(rating.reasons),
                "text": rating.comment or None}
        case = rating.case
        if case.token and self._pending(case.token) is not None:
            self.outbox.put("rating", case.token, body)  # behind its application
            return
        if case.token:
            self._call("POST", f"/cases/{case.token}/rating", json=body)
        else:
            self._call("POST", f"/progress/{case.number}/rating",
                       params={"id_tail": case.id_tail}, json=body)

    def _deliver_rating(self, item: Item) -> dict[str, Any]:
        out = self._call("POST", f"/cases/{item.client_token}/rating", json=item.payload).json()
        return {"number": out.get("case_number", "")}

    def complain(self, complaint: Complaint) -> str:
        body: dict[str, Any] = {"name": complaint.name, "phone": complaint.phone,
                                "subject": complaint.subject, "text": complaint.text}
        if complaint.department:
            body["department"] = complaint.department
        if complaint.case_number:
            body["case_number"] = complaint.case_number
        return str(self._call("POST", "/complaints", json=body).json()["number"])


def new_client_token() -> str:
    """An application's client token: 128 random bits, URL-safe (its QR token too)."""
    return secrets.token_urlsafe(16)


class Sender:
    """The outbox's sender thread: every ``interval_s`` it delivers what waits and refreshes
    the catalogue; while the back office stays down it waits longer (up to ``max_s``)."""

    def __init__(self, hall: HttpHall, interval_s: float = 5.0, max_s: float = 60.0) -> None:
        self.hall, self.interval_s, self.max_s = hall, interval_s, max_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Try now (e.g. the back office answered another call)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        pause = self.interval_s
        while not self._stop.is_set():
            try:
                self.hall.deliver_waiting()
                self.hall.refresh()
                waiting = bool(self.hall.outbox.waiting())
            except Exception:
                log.exception("kiosk.outbox.sender_failed",
                              extra={"event": "kiosk.outbox.sender_failed"})
                waiting = True
            pause = min(self.max_s, pause * 2) if waiting else self.interval_s
            self._wake.wait(pause)
            self._wake.clear()
