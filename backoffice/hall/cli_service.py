"""``backoffice hall ratings ...`` and ``backoffice hall complaints ...``."""

from __future__ import annotations

import argparse
import getpass

from backoffice.cli_common import parser
from backoffice.hall.cli_common import add_common, open_hall, run
from config.cli import EXIT_OK, EXIT_USAGE, print_json

_RATINGS = "usage: backoffice hall ratings {stats|close-window|work-orders|work-order} ..."
_COMPLAINTS = "usage: backoffice hall complaints {list|show|step} ..."


def main(argv: list[str], prog: str) -> int:
    ratings = prog.endswith("ratings")
    usage = _RATINGS if ratings else _COMPLAINTS
    verbs = ("stats", "close-window", "work-orders", "work-order") if ratings \
        else ("list", "show", "step")
    if not argv or argv[0] not in verbs:
        print(usage)
        return EXIT_OK if argv[:1] in (["-h"], ["--help"]) else EXIT_USAGE
    verb, rest = argv[0], argv[1:]
    p = parser(f"{prog} {verb}", f"{prog.rsplit(' ', 1)[-1]} {verb}")
    add_common(p)
    p.add_argument("--json", action="store_true")
    if verb == "stats":
        p.add_argument("--by", choices=["department", "window", "matter"],
                       default="department")
    if verb == "work-orders":
        p.add_argument("--department")
        p.add_argument("--open", action="store_true")
    if verb == "work-order":
        p.add_argument("id", type=int)
        p.add_argument("step", choices=["callback", "resolve", "appeal", "uphold", "reject"])
        p.add_argument("--department", help="act as this department's clerk (else admin)")
        p.add_argument("--note", required=True)
    if verb == "list":
        p.add_argument("--status")
    if verb in ("show", "step"):
        p.add_argument("number")
    if verb == "step":
        p.add_argument("step", choices=["accept", "investigate", "handle", "answer", "archive"])
        p.add_argument("--note", required=True)

    def body(args: argparse.Namespace) -> int:
        who = getpass.getuser()
        with open_hall(args) as svc:
            if verb == "stats":
                print_json(svc.ratings.statistics(args.by))
            elif verb == "close-window":
                print(f"defaulted {svc.ratings.close_windows()} unrated case(s)")
            elif verb == "work-orders":
                print_json([w.model_dump(mode="json") for w in svc.ratings.work_orders(
                    args.department, open_only=args.open)])
            elif verb == "work-order":
                print_json(svc.ratings.work_order_step(args.id, args.step, who, args.department,
                                                       args.note).model_dump(mode="json"))
            elif verb == "list":
                print_json([c.model_dump(mode="json") for c in svc.complaints.list(args.status)])
            elif verb == "show":
                print_json(svc.complaints.view(args.number).model_dump(mode="json"))
            else:
                print_json(svc.complaints.step(args.number, args.step, who, args.note)
                           .model_dump(mode="json"))
        return EXIT_OK

    return run(f"{prog} {verb}", p, rest, body)
