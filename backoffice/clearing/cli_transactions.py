"""``backoffice transactions``: list cleared transactions, or the flagged (suspect) records."""

from __future__ import annotations

import argparse
import re

from backoffice.cli_common import add_common, open_service, parse_day, parser, run
from backoffice.errors import InvalidInput
from cardsvc.money import format_fen
from config.cli import EXIT_OK, print_json


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "List cleared transactions (or, with --flagged, the rejected suspects).")
    add_common(p)
    p.add_argument("--card", metavar="N", help="only this card (16 digits)")
    p.add_argument("--date", help="only this transaction date (YYYY-MM-DD or today)")
    p.add_argument("--flagged", action="store_true", help="list flagged records instead")
    p.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    p.add_argument("--json", action="store_true", help="print JSON")

    def body(args: argparse.Namespace) -> int:
        if args.card is not None and not re.fullmatch(r"[0-9]{16}", args.card):
            raise InvalidInput("a card number is 16 digits")
        if args.limit < 1:
            raise InvalidInput("--limit must be at least 1")
        day = parse_day(args.date) if args.date else None
        with open_service(args) as service:
            if args.flagged:
                flagged = [f for f in service.flagged(day=day, limit=args.limit)
                           if args.card is None or f.card_no == args.card]
                if args.json:
                    print_json([f.model_dump(mode="json") for f in flagged])
                for f in [] if args.json else flagged:
                    print(f"#{f.id} {f.tx_date} [{f.reason_code}] {f.card_no or '-'} "
                          f"{f.terminal_id or '-'} {f.reason}")
                return EXIT_OK
            rows = service.transactions(card_no=args.card, day=day, limit=args.limit)
        if args.json:
            print_json([r.model_dump(mode="json") for r in rows])
            return EXIT_OK
        for r in rows:
            sign = "+" if r.type == "load" else "-"
            print(f"#{r.id} {r.date_time} {r.card_no} {r.type:8} {sign}{format_fen(r.amount_fen)}"
                  f" -> {format_fen(r.balance_after_fen)}  atc {r.card_atc} "
                  f"terminal {r.terminal_id} ttsn {r.ttsn}")
        if not rows:
            print("(no transactions)")
        return EXIT_OK

    return run(prog, p, argv, body)
