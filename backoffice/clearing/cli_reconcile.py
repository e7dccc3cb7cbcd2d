"""``backoffice reconcile --date D``: a day's totals per terminal and per card, mismatches."""

from __future__ import annotations

import argparse

from backoffice.clearing.models import Reconciliation
from backoffice.cli_common import add_common, open_service, parse_day, parser, run
from cardsvc.money import format_fen
from config.cli import EXIT_FAILED, EXIT_OK, print_json


def _fen(value: int | None) -> str:
    return "-" if value is None else format_fen(value)


def render(rec: Reconciliation) -> str:
    t = rec.totals
    lines = [f"Reconciliation of {rec.date.isoformat()}",
             f"  loads  {t.loads_count:6d}  {format_fen(t.loads_fen):>12} yuan",
             f"  debits {t.debits_count:6d}  {format_fen(t.debits_fen):>12} yuan", "",
             "Terminals:"]
    lines += [f"  {x.terminal_id}  loads {x.loads_count:5d} {format_fen(x.loads_fen):>10}"
              f"  debits {x.debits_count:5d} {format_fen(x.debits_fen):>10}"
              for x in rec.terminals] or ["  (none)"]
    lines += ["", "Cards:  card              loads      debits   expected  last reported"]
    lines += [f"  {c.card_no}  {format_fen(c.loads_fen):>10} {format_fen(c.debits_fen):>10}"
              f" {_fen(c.expected_balance_fen):>10} {_fen(c.last_reported_balance_fen):>10}"
              + ("" if c.registered else "  (unregistered)")
              for c in rec.cards] or ["  (none)"]
    lines += ["", f"Mismatches: {len(rec.mismatches)}"]
    lines += [f"  [{m.kind}] {m.card_no or '-'} {m.detail}" for m in rec.mismatches]
    return "\n".join(lines)


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "A day's reconciliation (transaction dates, local time).")
    add_common(p)
    p.add_argument("--date", required=True, help="YYYY-MM-DD or today")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--check", action="store_true",
                   help="kept for scripts: a mismatch always exits 1 (issue 12)")

    def body(args: argparse.Namespace) -> int:
        day = parse_day(args.date)
        with open_service(args) as service:
            rec = service.reconcile(day)
        if args.json:
            print_json(rec.model_dump(mode="json"))
        else:
            print(render(rec))
        return EXIT_OK if rec.ok else EXIT_FAILED  # a mismatch is a failed check, said by the exit

    return run(prog, p, argv, body)
