"""The matter catalogue: import, export, drafts, publishing with versions, files, search.

Versions: each (code, version) is stored once and a published version is never changed; a new
publish of the same code is version + 1 and the one before becomes ``superseded`` (cases keep
the version they were filed under). Publishing refuses an incomplete matter naming the field
(:mod:`backoffice.hallcat.completeness`). Imports are one transaction: all or nothing.

The search index (:class:`backoffice.hallcat.search.SearchIndex`) is built from the search keys
stored when each matter was published, and rebuilt when the catalogue's revision (bumped by every
change) differs from the one it was built at, so every server process sees a publish.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backoffice.errors import Conflict, InvalidInput, NotFound
from backoffice.hall import tables as t
from backoffice.hall.audit import audit
from backoffice.hall.clock import Clock
from backoffice.hall.store import HallStore
from backoffice.hallcat.completeness import require_complete
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Category, Department, Document, Matter, dump_document
from backoffice.hallcat.pinyin import normalise, tokens
from backoffice.hallcat.search import Hit, SearchEntry, SearchIndex, entry_keys

__all__ = ["Catalogue", "ImportResult", "hall_error"]


def hall_error(exc: HallDataError) -> InvalidInput:
    """A catalogue-layer error as the back office's (same stable code, both languages)."""
    return InvalidInput(str(exc), exc.message_zh, code=exc.code)


@dataclass(frozen=True)
class ImportResult:
    departments: int
    categories: int
    added: int
    unchanged: int
    published: int


@dataclass(frozen=True)
class _Index:
    revision: int
    index: SearchIndex


class Catalogue:
    def __init__(self, store: HallStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._index: _Index | None = None

    # ------------------------------------------------------------------ writing

    def import_document(self, doc: Document, files: Mapping[str, bytes] | None = None, *,
                        actor: str = "cli") -> ImportResult:
        """Store a whole document in one transaction; refused whole at the first problem."""
        blobs = dict(files or {})
        for i, m in enumerate(doc.matters):
            for j, mat in enumerate(m.materials):
                for kind in ("template", "sample"):
                    ref = getattr(mat, kind)
                    if ref is not None and ref.data_b64 is not None:
                        try:
                            blobs[ref.sha256] = base64.b64decode(ref.data_b64, validate=True)
                        except ValueError:
                            raise InvalidInput(
                                f"matters[{i}] {m.code} materials[{j}].{kind}.data_b64: not "
                                "base64", "模板或样表文件不是有效的 base64",
                                code="invalid_catalogue") from None
            if m.status == "published":
                try:
                    require_complete(m)
                except HallDataError as exc:
                    raise InvalidInput(f"matters[{i}] {exc}", f"matters[{i}] {exc.message_zh}",
                                       code=exc.code) from None
        now = self.clock()
        added = unchanged = published = 0
        with self.store.write() as conn:
            self._store_files(conn, blobs, doc)
            for d in doc.departments:
                _upsert(conn, t.departments, {"code": d.code}, {
                    "name_zh": d.name.zh, "name_en": d.name.en, "doc": d.model_dump(mode="json")})
            for c in doc.categories:
                _upsert(conn, t.categories, {"code": c.code}, {
                    "name_zh": c.name.zh, "name_en": c.name.en, "doc": c.model_dump(mode="json")})
            for i, m in enumerate(sorted(doc.matters, key=lambda m: (m.code, m.version))):
                state = self._put_version(conn, m, now, record=f"matters[{i}] {m.code}")
                added += state == "added"
                unchanged += state == "unchanged"
                if m.status == "published" and state != "unchanged":
                    self._publish_version(conn, m, now)
                    published += 1
            self._bump(conn)
            audit(conn, now, "admin", actor, None, "catalogue_import", "catalogue",
                  {"matters": len(doc.matters), "added": added})
        return ImportResult(len(doc.departments), len(doc.categories), added, unchanged,
                            published)

    def _store_files(self, conn: sa.Connection, blobs: Mapping[str, bytes],
                     doc: Document) -> None:
        known = set(conn.scalars(sa.select(t.files.c.sha256)))
        now = self.clock()
        for i, m in enumerate(doc.matters):
            for j, mat in enumerate(m.materials):
                for kind in ("template", "sample"):
                    ref = getattr(mat, kind)
                    if ref is None or ref.sha256 in known:
                        continue
                    where = f"matters[{i}] {m.code} materials[{j}].{kind}"
                    data = blobs.get(ref.sha256)
                    if data is None:
                        raise InvalidInput(f"{where}: file {ref.sha256[:12]}... is not in the "
                                           "import (files/<sha256> or data_b64)",
                                           f"{where}：缺少文件", code="invalid_catalogue")
                    if hashlib.sha256(data).hexdigest() != ref.sha256 or len(data) != ref.bytes:
                        raise InvalidInput(f"{where}: the file does not match its sha256/bytes",
                                           f"{where}：文件与校验值不符", code="invalid_catalogue")
                    conn.execute(sa.insert(t.files).values(
                        sha256=ref.sha256, media_type=ref.media_type, bytes=len(data), data=data,
                        created_at=now))
                    known.add(ref.sha256)

    def _put_version(self, conn: sa.Connection, m: Matter, now: Any, record: str) -> str:
        doc = m.model_dump(mode="json", exclude_none=True)
        row = conn.execute(sa.select(t.matter_versions.c.id, t.matter_versions.c.status,
                                     t.matter_versions.c.doc)
                           .where(t.matter_versions.c.code == m.code,
                                  t.matter_versions.c.version == m.version)).first()
        values = {"status": "draft", "name_zh": m.name.zh, "name_en": m.name.en,
                  "department": m.department, "handling_mode": m.handling_mode, "doc": doc,
                  "effective_date": m.effective_date}
        if row is not None:
            same = {k: v for k, v in row.doc.items() if k != "status"} == \
                {k: v for k, v in doc.items() if k != "status"}
            if same and (row.status != "draft" or m.status == "draft"):
                return "unchanged"
            if row.status != "draft":
                raise Conflict(f"{record}: version {m.version} is already published with other "
                               "content; a change is a new version",
                               f"{record}：版本 {m.version} 已发布，修改须使用新版本号",
                               code="version_published")
            conn.execute(sa.update(t.matter_versions).where(t.matter_versions.c.id == row.id)
                         .values(**values))
            return "changed"
        conn.execute(sa.insert(t.matter_versions).values(code=m.code, version=m.version,
                                                         created_at=now, **values))
        latest = conn.scalar(sa.select(t.matters.c.latest_version)
                             .where(t.matters.c.code == m.code))
        if latest is None:
            conn.execute(sa.insert(t.matters).values(code=m.code, latest_version=m.version))
        elif m.version > latest:
            conn.execute(sa.update(t.matters).where(t.matters.c.code == m.code)
                         .values(latest_version=m.version))
        return "added"

    def _publish_version(self, conn: sa.Connection, m: Matter, now: Any) -> None:
        mv = t.matter_versions
        vid = conn.scalar(sa.select(mv.c.id).where(mv.c.code == m.code,
                                                   mv.c.version == m.version))
        current = conn.execute(sa.select(mv.c.id, mv.c.version).join(
            t.matters, t.matters.c.published_id == mv.c.id).where(t.matters.c.code == m.code)
        ).first()
        keys = entry_keys(m.name.zh, m.name.en, m.aliases, tokens)
        if current is not None and current.version > m.version:
            conn.execute(sa.update(mv).where(mv.c.id == vid).values(
                status="superseded", published_at=now, search_keys=keys))
            return
        if current is not None:
            conn.execute(sa.update(mv).where(mv.c.id == current.id).values(status="superseded"))
        conn.execute(sa.update(mv).where(mv.c.id == vid).values(
            status="published", published_at=now, search_keys=keys))
        conn.execute(sa.update(t.matters).where(t.matters.c.code == m.code)
                     .values(published_id=vid))

    def save_drafts(self, matters: list[Matter], *, actor: str = "cli") -> list[int]:
        """Store each matter as a draft, a new version after its latest (its own version is
        ignored), all in one transaction. Returns the versions given."""
        versions = []
        with self.store.write() as conn:
            now = self.clock()
            for m in matters:
                latest = conn.scalar(sa.select(t.matters.c.latest_version)
                                     .where(t.matters.c.code == m.code)) or 0
                status = conn.scalar(sa.select(t.matter_versions.c.status).where(
                    t.matter_versions.c.code == m.code,
                    t.matter_versions.c.version == latest))
                version = latest if status == "draft" else latest + 1
                draft = m.model_copy(update={"version": version, "status": "draft"})
                self._put_version(conn, draft, now, record=f"matter {m.code}")
                audit(conn, now, "admin", actor, m.department, "matter_draft", m.code,
                      {"version": version})
                versions.append(version)
            self._bump(conn)
        return versions

    def latest_doc(self, code: str) -> dict[str, Any] | None:
        """The latest version's document of ``code`` (draft or published), if any."""
        mv = t.matter_versions
        with self.store.read() as conn:
            doc = conn.scalar(sa.select(mv.c.doc).join(t.matters, sa.and_(
                t.matters.c.code == mv.c.code, t.matters.c.latest_version == mv.c.version))
                .where(mv.c.code == code))
        return dict(doc) if doc is not None else None

    def publish(self, code: str, *, actor: str = "cli") -> Matter:
        """Publish the matter's latest version (refused naming the field if incomplete)."""
        mv = t.matter_versions
        with self.store.write() as conn:
            row = conn.execute(sa.select(mv.c.doc, mv.c.status).join(
                t.matters, sa.and_(t.matters.c.code == mv.c.code,
                                   t.matters.c.latest_version == mv.c.version))
                .where(mv.c.code == code)).first()
            if row is None:
                raise NotFound(f"no matter {code}", f"没有事项 {code}")
            m = Matter.model_validate({**row.doc, "status": "published"})
            if row.status == "published":
                return m
            if row.status == "superseded":
                raise Conflict(f"matter {code}: the latest version is superseded",
                               "该版本已被替代")
            try:
                require_complete(m)
            except HallDataError as exc:
                raise hall_error(exc) from None
            conn.execute(sa.update(mv).where(mv.c.code == code, mv.c.version == m.version)
                         .values(doc=m.model_dump(mode="json", exclude_none=True)))
            self._publish_version(conn, m, self.clock())
            self._bump(conn)
            audit(conn, self.clock(), "admin", actor, m.department, "matter_publish", code,
                  {"version": m.version})
        return m

    def _bump(self, conn: sa.Connection) -> None:
        done = conn.execute(sa.update(t.catalogue_state).where(t.catalogue_state.c.id == 1)
                            .values(revision=t.catalogue_state.c.revision + 1))
        if done.rowcount == 0:
            conn.execute(sa.insert(t.catalogue_state).values(id=1, revision=1))

    # ------------------------------------------------------------------ reading

    def revision(self, conn: sa.Connection | None = None) -> int:
        if conn is None:
            with self.store.read() as c:
                return self.revision(c)
        return int(conn.scalar(sa.select(t.catalogue_state.c.revision)) or 0)

    def departments(self) -> list[Department]:
        with self.store.read() as conn:
            return [Department.model_validate(d) for d in conn.scalars(
                sa.select(t.departments.c.doc).order_by(t.departments.c.code))]

    def categories(self) -> list[Category]:
        with self.store.read() as conn:
            return [Category.model_validate(d) for d in conn.scalars(
                sa.select(t.categories.c.doc).order_by(t.categories.c.code))]

    def published(self, code: str) -> tuple[int, Matter]:
        """The published version of ``code``: (version row id, matter)."""
        mv = t.matter_versions
        with self.store.read() as conn:
            row = conn.execute(sa.select(mv.c.id, mv.c.doc).join(
                t.matters, t.matters.c.published_id == mv.c.id)
                .where(t.matters.c.code == code)).first()
        if row is None:
            raise NotFound(f"no published matter {code}", f"没有已发布的事项 {code}",
                           code="matter_not_found")
        return int(row.id), Matter.model_validate(row.doc)

    def version(self, version_id: int) -> Matter:
        with self.store.read() as conn:
            doc = conn.scalar(sa.select(t.matter_versions.c.doc)
                              .where(t.matter_versions.c.id == version_id))
        return Matter.model_validate(doc)

    def matters_for_export(self) -> list[Matter]:
        """Each matter's published version and any newer draft, by code then version."""
        mv = t.matter_versions
        with self.store.read() as conn:
            rows = conn.execute(sa.select(mv.c.doc, mv.c.code, mv.c.version, mv.c.status)
                                .join(t.matters, t.matters.c.code == mv.c.code)
                                .where(sa.or_(mv.c.id == t.matters.c.published_id,
                                              sa.and_(mv.c.status == "draft",
                                                      mv.c.version == t.matters.c.latest_version)))
                                .order_by(mv.c.code, mv.c.version)).all()
        return [Matter.model_validate({**r.doc, "status": "published" if r.status != "draft"
                                       else "draft"}) for r in rows]

    def export(self, *, with_files: bool = False, exported_at: str | None = None,
               ) -> dict[str, Any]:
        matters = self.matters_for_export()
        if with_files:
            matters = [self._with_files(m) for m in matters]
        return dump_document(self.departments(), self.categories(), matters, exported_at)

    def search_keys(self) -> dict[str, Any]:
        """Each published matter's search tokens as stored at publish time (code -> keys): a
        kiosk's offline copy carries them so that it never computes pinyin at start."""
        mv = t.matter_versions
        with self.store.read() as conn:
            rows = conn.execute(sa.select(mv.c.code, mv.c.search_keys)
                                .join(t.matters, t.matters.c.published_id == mv.c.id)).all()
        return {r.code: r.search_keys for r in rows if r.search_keys}

    def _with_files(self, m: Matter) -> Matter:
        mats = []
        for mat in m.materials:
            update: dict[str, Any] = {}
            for kind in ("template", "sample"):
                ref = getattr(mat, kind)
                if ref is not None:
                    data = self.file(ref.sha256)[1]
                    update[kind] = ref.model_copy(update={
                        "data_b64": base64.b64encode(data).decode()})
            mats.append(mat.model_copy(update=update))
        return m.model_copy(update={"materials": mats})

    def file(self, sha256: str) -> tuple[str, bytes]:
        """(media type, bytes) of a stored file."""
        with self.store.read() as conn:
            row = conn.execute(sa.select(t.files.c.media_type, t.files.c.data)
                               .where(t.files.c.sha256 == sha256)).first()
        if row is None:
            raise NotFound("no such file", "没有该文件")
        return str(row.media_type), bytes(row.data)

    # ------------------------------------------------------------------ search

    def index(self) -> SearchIndex:
        """The search index, rebuilt when the catalogue changed since it was built."""
        with self.store.read() as conn:
            revision = self.revision(conn)
            current = self._index
            if current is not None and current.revision == revision:
                return current.index
            mv = t.matter_versions
            rows = conn.execute(sa.select(mv.c.code, mv.c.name_zh, mv.c.department, mv.c.doc,
                                          mv.c.search_keys)
                                .join(t.matters, t.matters.c.published_id == mv.c.id)).all()
            groups = {**{r.code: tokens(r.name_zh) for r in conn.execute(
                sa.select(t.departments.c.code, t.departments.c.name_zh))},
                **{r.code: tokens(r.name_zh) for r in conn.execute(
                    sa.select(t.categories.c.code, t.categories.c.name_zh))}}
        entries = [SearchEntry(r.code, r.name_zh, r.department, tuple(r.doc.get("category", [])),
                               _keys(r.search_keys)) for r in rows]
        index = SearchIndex(entries, normalise=normalise, groups=groups)
        with self._lock:
            self._index = _Index(revision, index)
        return index

    def search(self, query: str, *, department: str | None = None,
               category: str | None = None, limit: int = 20) -> list[tuple[Hit, Matter]]:
        index = self.index()
        hits = index.search(query, department=department, category=category, limit=limit)
        found = self._published_docs(h.code for h in hits)
        return [(h, found[h.code]) for h in hits if h.code in found]

    def _published_docs(self, codes: Iterable[str]) -> dict[str, Matter]:
        wanted = list(codes)
        if not wanted:
            return {}
        mv = t.matter_versions
        with self.store.read() as conn:
            rows = conn.execute(sa.select(mv.c.code, mv.c.doc).join(
                t.matters, t.matters.c.published_id == mv.c.id)
                .where(t.matters.c.code.in_(wanted))).all()
        return {r.code: Matter.model_validate(r.doc) for r in rows}


def _keys(raw: Mapping[str, Any] | None) -> dict[str, list[list[tuple[str, str]]]]:
    return {kind: [[(str(py), str(hz)) for py, hz in line] for line in lines]
            for kind, lines in (raw or {}).items()}


def _upsert(conn: sa.Connection, table: sa.Table, key: dict[str, Any],
            values: dict[str, Any]) -> None:
    cond = sa.and_(*(table.c[k] == v for k, v in key.items()))
    if conn.execute(sa.update(table).where(cond).values(**values)).rowcount == 0:
        conn.execute(sa.insert(table).values(**key, **values))
