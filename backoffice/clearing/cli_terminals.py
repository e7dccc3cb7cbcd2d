"""``backoffice terminals [--json] [--stale-after MINUTES]``: the fleet, each terminal's role,
software version, last contact, hotlist version, unsent journal entries and device health, and
what looks wrong (backoffice/clearing/terminals.py). Exit 1 when any terminal is flagged."""

from __future__ import annotations

import argparse
import datetime as dt

from backoffice.clearing.terminals import TerminalRegistry, flags_of
from backoffice.cli_common import add_common, open_service, parser, run
from backoffice.errors import InvalidInput
from config.cli import EXIT_FAILED, EXIT_OK, print_json


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "List the registered terminals and flag the ones that look stuck.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--stale-after", type=float, default=60.0, metavar="MINUTES",
                   help="flag a terminal silent or not uploading for this long (default 60)")
    add_common(p)

    def body(args: argparse.Namespace) -> int:
        if not args.stale_after > 0:
            raise InvalidInput("--stale-after must be more than 0 minutes")
        limit = dt.timedelta(minutes=args.stale_after)
        with open_service(args) as service:
            registry = TerminalRegistry(service.repo.db)
            registry.ensure_schema()
            rows = registry.all()
        now = dt.datetime.now()
        listed = [{**r.as_dict(), "flags": flags_of(r, now, limit)} for r in rows]
        if args.json:
            print_json(listed)
        else:
            print(f"{len(listed)} terminal(s); flagged after {args.stale_after:g} min")
            for t in listed:
                health = {None: "-", True: "ok", False: "FAIL"}[t["healthy"]]
                print(f"  {t['terminal_id']}  {t['role']:<10} {t['name']:<14} "
                      f"v{t['software_version'] or '-':<8} seen {t['last_contact'] or 'never'}  "
                      f"hotlist {t['hotlist_version'] if t['hotlist_version'] is not None else '-'}"
                      f"  unsent {t['unsent'] if t['unsent'] is not None else '-'}  "
                      f"devices {health}  {' '.join(t['flags']) or 'fine'}")
        return EXIT_FAILED if any(t["flags"] for t in listed) else EXIT_OK

    return run(prog, p, argv, body)
