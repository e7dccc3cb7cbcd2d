"""``backoffice hotlist add CARD | list``: report a card lost, show the hotlist."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from backoffice.clearing.models import HotlistReport
from backoffice.cli_common import add_common, open_service, parser, run
from backoffice.errors import InvalidInput
from config.cli import EXIT_OK, print_json


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "Report a card lost (hotlist add) or show the hotlist (hotlist list).")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="put a card on the hotlist")
    add.add_argument("card", help="card number (16 digits)")
    add.add_argument("--reason", default="lost", help="lost, stolen, ... (default lost)")
    listing = sub.add_parser("list", help="show the hotlist")
    listing.add_argument("--since", type=int, help="only the entries added after this version")
    listing.add_argument("--json", action="store_true", help="print JSON")
    for q in (add, listing):
        add_common(q)

    def body(args: argparse.Namespace) -> int:
        with open_service(args) as service:
            if args.action == "add":
                try:
                    report = HotlistReport(card_no=args.card, reason=args.reason)
                except ValidationError:
                    raise InvalidInput("a card number is 16 digits (reason: 200 characters "
                                       "at most)") from None
                change = service.report_lost(report)
                state = "added" if change.added else "already listed"
                print(f"{args.card}: {state} (hotlist version {change.version})")
                return EXIT_OK
            hot = service.hotlist(args.since)
        if args.json:
            print_json(hot.model_dump(mode="json"))
            return EXIT_OK
        print(f"hotlist version {hot.version}" + ("" if hot.full else f", since {hot.since}"))
        for e in hot.cards:
            print(f"  {e.card_no}  v{e.version}  {e.listed_at}  {e.reason}")
        return EXIT_OK

    return run(prog, p, argv, body)
