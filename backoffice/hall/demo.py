"""The demo catalogue: ``config/demo/hall/catalogue.json`` and the files beside it
(``config/demo/hall/files/<sha256>``, the blank forms and samples its guides name)."""

from __future__ import annotations

from pathlib import Path

from backoffice.errors import ConfigurationError
from backoffice.hall.catalogue import ImportResult, hall_error
from backoffice.hall.service import HallService
from backoffice.hallcat.errors import HallDataError
from backoffice.hallcat.exchange import Document, parse_document

__all__ = ["DEMO_CATALOGUE", "load_catalogue_file", "seed_demo"]

DEMO_CATALOGUE = Path(__file__).resolve().parents[2] / "config" / "demo" / "hall" / \
    "catalogue.json"


def load_catalogue_file(path: Path) -> tuple[Document, dict[str, bytes]]:
    """A document and the files beside it (``files/<sha256>``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}",
                                 f"无法读取 {path}") from None
    try:
        doc = parse_document(raw)
    except HallDataError as exc:
        raise hall_error(exc) from None
    files: dict[str, bytes] = {}
    wanted = {ref.sha256 for m in doc.matters for mat in m.materials
              for ref in (mat.template, mat.sample) if ref is not None and ref.data_b64 is None}
    for sha in wanted:
        beside = path.parent / "files" / sha
        if beside.is_file():
            files[sha] = beside.read_bytes()
    return doc, files


def seed_demo(svc: HallService, path: Path = DEMO_CATALOGUE) -> ImportResult:
    """Import the demo catalogue (again: nothing changes)."""
    if not path.is_file():
        raise ConfigurationError(f"no demo catalogue at {path}", f"没有演示事项目录 {path}")
    doc, files = load_catalogue_file(path)
    return svc.catalogue.import_document(doc, files, actor="seed-demo")
