"""Write the demo hall catalogue: ``catalogue.json``, its PDF files and ``search_queries.json``.

    python -m config.demo.hall.build_catalogue          # rewrite the files beside this module
    python -m config.demo.hall.build_catalogue --check  # exit 1 if any file differs

The output is deterministic: the same data and the same font give byte-identical files, and a
test checks that the committed files are what this script writes. The PDFs (blank application
forms and filled samples) are stored as ``files/<sha256>``, as the exchange format carries them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import (
    dept_amr,
    dept_ca,
    dept_hpf,
    dept_hrss,
    dept_hud,
    dept_mib,
    dept_misc,
    dept_nrp,
    dept_psb,
    dept_services,
    dept_tax,
    queries,
)
from .model import Json
from .pdf_forms import render_form
from .site import CATEGORIES, DEPARTMENTS, category_json, department_json

HALL_DIR = Path(__file__).resolve().parent
CATALOGUE_FILE = HALL_DIR / "catalogue.json"
QUERIES_FILE = HALL_DIR / "search_queries.json"
FILES_DIR = HALL_DIR / "files"
EXPORTED_AT = "2026-01-01T08:00:00+08:00"

_MODULES: tuple[Callable[[], list[Json]], ...] = (
    dept_amr.matters, dept_tax.matters, dept_psb.matters, dept_hrss.matters, dept_mib.matters,
    dept_hpf.matters, dept_ca.matters, dept_nrp.matters, dept_hud.matters, dept_misc.matters,
    dept_services.matters,
)


def _file_ref(name: str, data: bytes) -> Json:
    return {"name": name, "media_type": "application/pdf",
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def build() -> tuple[Json, dict[str, bytes], Json]:
    """The catalogue document, its files by sha256, and the search sanity list."""
    matters: list[Json] = []
    files: dict[str, bytes] = {}
    for make in _MODULES:
        for matter in make():
            sample = matter.pop("_sample", None)
            if sample is not None:
                _attach_pdfs(matter, sample, files)
            matters.append(matter)
    doc = {
        "format": "citizen-hall-catalogue",
        "version": 1,
        "exported_at": EXPORTED_AT,
        "departments": [department_json(code) for code in DEPARTMENTS],
        "categories": [category_json(code) for code in CATEGORIES],
        "matters": matters,
    }
    return doc, files, queries.search_queries(matters)


def _attach_pdfs(matter: Json, sample: dict[str, Any], files: dict[str, bytes]) -> None:
    application = next(mat for mat in matter["materials"] if mat["id"] == "application")
    title = application["name"]
    for key, filled, suffix in (("template", None, ""), ("sample", sample, "（样本）")):
        data = render_form(title, matter, filled)
        ref = _file_ref(f"{title['zh']}{suffix}.pdf", data)
        files[ref["sha256"]] = data
        application[key] = ref


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _differences(doc: Json, files: dict[str, bytes], qdoc: Json) -> list[str]:
    out: list[str] = []
    for path, text in ((CATALOGUE_FILE, dumps(doc)), (QUERIES_FILE, dumps(qdoc))):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(str(path))
    present = {p.name for p in FILES_DIR.glob("*")} if FILES_DIR.exists() else set()
    for sha, data in files.items():
        if sha not in present or (FILES_DIR / sha).read_bytes() != data:
            out.append(str(FILES_DIR / sha))
    out.extend(str(FILES_DIR / name) for name in sorted(present - set(files)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write the demo hall catalogue")
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    doc, files, qdoc = build()
    if args.check:
        diff = _differences(doc, files, qdoc)
        for path in diff:
            print(f"不一致 differs: {path}")
        return 1 if diff else 0
    FILES_DIR.mkdir(exist_ok=True)
    for stale in FILES_DIR.glob("*"):
        if stale.name not in files:
            stale.unlink()
    for sha, data in files.items():
        (FILES_DIR / sha).write_bytes(data)
    CATALOGUE_FILE.write_text(dumps(doc), encoding="utf-8")
    QUERIES_FILE.write_text(dumps(qdoc), encoding="utf-8")
    print(f"{len(doc['matters'])} matters, {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
