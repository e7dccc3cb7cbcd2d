"""``backoffice cards add CARD --balance YUAN | list``: register issued cards."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from backoffice.clearing.models import CardRegistration
from backoffice.cli_common import add_common, open_service, parser, run
from backoffice.errors import InvalidInput
from cardsvc.money import AmountError, fen_from_decimal, format_fen
from cardsvc.profile import ALGS, CARD_TYPE_NAMES
from config.cli import EXIT_OK, print_json


def _fen(text: str) -> int:
    try:
        value = Decimal(text)
        if not value.is_finite() or value < 0:
            raise InvalidOperation
        return fen_from_decimal(value)
    except (InvalidOperation, AmountError):
        raise InvalidInput(f"not an amount in yuan (e.g. 100.00): {text!r}") from None


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "Register an issued card with its balance at issue, or list the cards.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="register an issued card")
    add.add_argument("card", help="card number (16 digits)")
    add.add_argument("--balance", required=True, help="balance at issue in yuan, e.g. 100.00")
    add.add_argument("--alg", choices=list(ALGS), default="3des")
    add.add_argument("--type", dest="card_type", default="adult", choices=CARD_TYPE_NAMES)
    add.add_argument("--offline-atc", type=int, default=0, help="counter at issue (default 0)")
    add.add_argument("--online-atc", type=int, default=0, help="counter at issue (default 0)")
    listing = sub.add_parser("list", help="list registered cards")
    listing.add_argument("--json", action="store_true", help="print JSON")
    for q in (add, listing):
        add_common(q)

    def body(args: argparse.Namespace) -> int:
        with open_service(args) as service:
            if args.action == "add":
                try:
                    reg = CardRegistration.model_validate({
                        "card_no": args.card, "alg": args.alg, "card_type": args.card_type,
                        "issued_balance_fen": _fen(args.balance),
                        "offline_atc": args.offline_atc, "online_atc": args.online_atc})
                except ValidationError as exc:
                    where = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
                    raise InvalidInput(f"invalid card registration ({where})") from None
                result = service.register_card(reg)
                state = "registered" if result.created else "already registered"
                print(f"{args.card}: {state}")
                return EXIT_OK
            cards = service.cards()
        if args.json:
            print_json([c.model_dump(mode="json") for c in cards])
            return EXIT_OK
        for c in cards:
            print(f"{c.card_no}  {c.alg:4}  {c.card_type:8} issued "
                  f"{format_fen(c.issued_balance_fen):>8}  atc {c.offline_atc}/{c.online_atc}")
        if not cards:
            print("(no cards registered)")
        return EXIT_OK

    return run(prog, p, argv, body)
