"""``backoffice seed-demo``: register the demo cards (card-spec section 7) and list the lost one."""

from __future__ import annotations

import argparse

from backoffice.clearing.demo import seed_demo
from backoffice.cli_common import add_common, open_service, parser, run
from config.cli import EXIT_OK


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "Register the five demo cards of card-spec section 7 (test data only) "
                     "and put the lost one on the hotlist. Running it again changes nothing.")
    add_common(p)

    def body(args: argparse.Namespace) -> int:
        with open_service(args) as service:
            result = seed_demo(service)
        print(f"registered: {', '.join(result.registered) or 'none (already)'}")
        if result.already:
            print(f"already registered: {', '.join(result.already)}")
        print(f"hotlisted: {', '.join(result.hotlisted) or 'none new'}; "
              f"hotlist version {result.hotlist_version}")
        return EXIT_OK

    return run(prog, p, argv, body)
