"""The demo matter catalogue of the hall back office (docs/hall-exchange.md).

``catalogue.json`` (with its PDF files under ``files/``) and ``search_queries.json`` are written
by ``python -m config.demo.hall.build_catalogue`` from the department modules here
(``dept_*.py``); a test checks the committed files are exactly what it writes. Nothing here runs
at import time.
"""

from __future__ import annotations

from pathlib import Path

HALL_DEMO_DIR = Path(__file__).resolve().parent
CATALOGUE_FILE = HALL_DEMO_DIR / "catalogue.json"
SEARCH_QUERIES_FILE = HALL_DEMO_DIR / "search_queries.json"
FILES_DIR = HALL_DEMO_DIR / "files"
