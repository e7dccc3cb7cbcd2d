"""``backoffice hall migrate|import|export|publish|search|seed-demo``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from backoffice.cli_common import parser
from backoffice.errors import ConfigurationError
from backoffice.hall.cli_common import add_common, open_hall, run
from backoffice.hall.csvio import export_csv, import_csv
from backoffice.hall.demo import load_catalogue_file, seed_demo
from config.cli import EXIT_OK, print_json


def main(argv: list[str], prog: str) -> int:
    command = prog.rsplit(" ", 1)[-1]
    return {"migrate": _migrate, "import": _import, "export": _export, "publish": _publish,
            "search": _search, "seed-demo": _seed}[command](argv, prog)


def _migrate(argv: list[str], prog: str) -> int:
    p = parser(prog, "Create or bring the hall schema up to date (Alembic).")
    add_common(p)

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            print(f"hall schema up to date ({svc.store.url.redacted()})")
        return EXIT_OK

    return run(prog, p, argv, body)


def _import(argv: list[str], prog: str) -> int:
    p = parser(prog, "Import a catalogue: JSON (docs/hall-exchange.md, files beside it in "
                     "files/<sha256>) or --csv (flat fields; new versions as drafts). All or "
                     "nothing: a malformed file is refused naming the record and the field.")
    add_common(p)
    p.add_argument("file", type=Path)
    p.add_argument("--csv", action="store_true", help="the file is CSV")

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            if args.csv:
                try:
                    text = args.file.read_text(encoding="utf-8-sig")
                except OSError as exc:
                    raise ConfigurationError(f"cannot read {args.file}: {exc.strerror}",
                                             f"无法读取 {args.file}") from None
                count = import_csv(svc.catalogue, text)
                print(f"imported {count} matter row(s) as drafts")
                return EXIT_OK
            doc, files = load_catalogue_file(args.file)
            result = svc.catalogue.import_document(doc, files)
        print(f"departments {result.departments}, categories {result.categories}, matters "
              f"added {result.added}, unchanged {result.unchanged}, published {result.published}")
        return EXIT_OK

    return run(prog, p, argv, body)


def _export(argv: list[str], prog: str) -> int:
    p = parser(prog, "Print the catalogue: JSON (the exchange format, default) or CSV.")
    add_common(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON exchange document (default)")
    fmt.add_argument("--csv", action="store_true", help="flat CSV, one row per matter")
    p.add_argument("--with-files", action="store_true",
                   help="carry template and sample files inline (data_b64)")

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            if args.csv:
                sys.stdout.write(export_csv(svc.catalogue))
                return EXIT_OK
            doc = svc.catalogue.export(
                with_files=args.with_files,
                exported_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"))
        print_json(doc)
        return EXIT_OK

    return run(prog, p, argv, body)


def _publish(argv: list[str], prog: str) -> int:
    p = parser(prog, "Publish a matter's latest version (a new version supersedes the one "
                     "before; refused naming the field when incomplete).")
    add_common(p)
    p.add_argument("code")

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            m = svc.catalogue.publish(args.code)
        print(f"published {m.code} version {m.version}: {m.name.zh}")
        return EXIT_OK

    return run(prog, p, argv, body)


def _search(argv: list[str], prog: str) -> int:
    p = parser(prog, "Search published matters as a kiosk does (characters, pinyin, initials).")
    add_common(p)
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--department", metavar="D")
    p.add_argument("--category", metavar="C")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            hits = svc.catalogue.search(args.query, department=args.department,
                                        category=args.category, limit=max(1, args.limit))
        rows = [{"code": m.code, "name": m.name.zh, "name_en": m.name.en,
                 "department": m.department, "score": round(h.score, 2), "matched": h.matched}
                for h, m in hits]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(f"{r['code']}  {r['department']:<6} {r['name']}")
        return EXIT_OK

    return run(prog, p, argv, body)


def _seed(argv: list[str], prog: str) -> int:
    p = parser(prog, "Load the demo catalogue (config/demo/hall/catalogue.json and its files); "
                     "again changes nothing.")
    add_common(p)

    def body(args: argparse.Namespace) -> int:
        with open_hall(args) as svc:
            result = seed_demo(svc)
        print(json.dumps(vars(result)))
        return EXIT_OK

    return run(prog, p, argv, body)
