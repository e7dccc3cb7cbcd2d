"""``backoffice hall case list|show|accept|supplement|review|forward|return|approve|refuse|
collect``: the window clerk's work from the command line (audited as the API's)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from backoffice.cli_common import parser
from backoffice.errors import InvalidInput
from backoffice.hall.casework import Clerk
from backoffice.hall.cli_common import add_common, open_hall, run
from backoffice.hall.models import CaseDetail, ClerkAction
from config.cli import EXIT_OK, EXIT_USAGE, print_json

ACTIONS = ("accept", "supplement", "review", "forward", "return", "approve", "refuse",
           "collect")
USAGE = "usage: backoffice hall case {list|show|" + "|".join(ACTIONS) + "} ..."


def main(argv: list[str], prog: str) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return EXIT_OK if argv else EXIT_USAGE
    verb, rest = argv[0], argv[1:]
    if verb not in ("list", "show", *ACTIONS):
        print(f"{prog}: error: unknown subcommand {verb!r}\n{USAGE}")
        return EXIT_USAGE
    p = parser(f"{prog} {verb}", f"case {verb}")
    add_common(p)
    p.add_argument("--department", metavar="D",
                   help="act as a clerk of department D (default: administrator, all)")
    p.add_argument("--clerk", default=None, help="the clerk's name for the timeline and audit "
                                                 "(default: the login name)")
    p.add_argument("--json", action="store_true")
    if verb == "list":
        p.add_argument("--status")
        p.add_argument("--overdue", action="store_true")
    else:
        p.add_argument("number")
    if verb in ACTIONS:
        p.add_argument("--note", help="what the clerk says (a refusal's reason)")
    if verb == "supplement":
        p.add_argument("--missing", action="append", default=[], metavar="ITEM",
                       help="one missing item (repeat: every item at once, 一次性告知)")
    if verb == "review":
        p.add_argument("--opinion", choices=["approve", "refuse"],
                       help="a joint department's opinion")
    if verb == "accept":
        p.add_argument("--decision", choices=["approve", "refuse"],
                       help="即办件: decided at acceptance (default approve)")
    if verb == "forward":
        p.add_argument("--to", help="the outside authority (default: the guide's)")

    def body(args: argparse.Namespace) -> int:
        clerk = Clerk(args.department, args.clerk or getpass.getuser(),
                      "clerk" if args.department else "admin")
        with open_hall(args) as svc:
            if verb == "list":
                rows = svc.work.list(clerk, status=args.status, overdue=args.overdue)
                if args.json:
                    print_json([r.model_dump(mode="json") for r in rows])
                for r in rows if not args.json else []:
                    flags = ("急 " if r.urgent else "") + ("逾期 " if r.overdue else "")
                    print(f"{r.number}  {r.status:<20} {r.department:<6} due "
                          f"{r.due_date or '-'}  {flags}{r.matter_name_zh}")
                return EXIT_OK
            number = args.number.replace(" ", "").replace("-", "")
            if verb == "show":
                detail = svc.work.show(number, clerk)
            else:
                try:
                    action = ClerkAction(note=args.note, missing=getattr(args, "missing", []),
                                         opinion=getattr(args, "opinion", None),
                                         decision=getattr(args, "decision", None),
                                         to=getattr(args, "to", None))
                except ValueError as exc:
                    raise InvalidInput(str(exc).splitlines()[0], "参数有误") from None
                detail = svc.work.act(number, verb, clerk, action)
        _print(detail, args.json)
        return EXIT_OK

    return run(f"{prog} {verb}", p, rest, body)


def _print(d: CaseDetail, as_json: bool) -> None:
    if as_json:
        print_json(d.model_dump(mode="json"))
        return
    lines: list[Any] = [
        f"case {d.number}  {d.status} ({d.status_zh})  {d.matter_name['zh']}",
        f"  applicant {d.applicant_name} {d.id_number} ({d.identity_source})",
        f"  department {d.department}  mode {d.handling_mode}  promised "
        f"{d.promised_date or '-'}{'  OVERDUE 逾期' if d.overdue else ''}",
    ]
    if d.missing:
        lines.append("  missing: " + "; ".join(d.missing))
    if d.reviews:
        lines.append("  joint reviews: " + ", ".join(f"{k}={v or 'pending'}"
                                                      for k, v in d.reviews.items()))
    lines.append("  materials: " + ", ".join(f"{m.id}({m.pages}p,{m.source})"
                                             for m in d.materials))
    for e in d.timeline:
        lines.append(f"  {e.at:%Y-%m-%d %H:%M}  {e.kind:<22} {e.department or '':<6} "
                     f"{e.note or ''}")
    print("\n".join(str(x) for x in lines))
