"""``backoffice``: the clearing service's command line.

    backoffice serve [--host 127.0.0.1] [--port 8480] [--db URL] [--token T] [--keys FILE] [--demo]
    backoffice reconcile --date D [--db URL] [--json] [--check]
    backoffice transactions [--card N] [--date D] [--flagged] [--db URL] [--json]
    backoffice hotlist add CARD [--reason R] | list [--since V] [--json]
    backoffice cards add CARD --balance YUAN [--alg 3des|sm4] ... | list [--json]
    backoffice seed-demo [--db URL]
    backoffice hall ...                 the hall service (``backoffice hall --help``)
    backoffice terminals [--json] [--stale-after MINUTES]
    backoffice tokens issue --scope kiosk|clerk|terminal|admin [--department D] [--out FILE]

Exit codes as every program of the project (config/cli.py): 0 ok, 1 failed, 2 usage,
3 unavailable (database), 4 configuration.
"""

from __future__ import annotations

from collections.abc import Sequence

from config.cli import Subcommand, dispatch

COMMANDS = {
    "serve": Subcommand("backoffice.cli_serve", "run the clearing HTTP service"),
    "reconcile": Subcommand("backoffice.clearing.cli_reconcile",
                            "a day's reconciliation per terminal and per card"),
    "transactions": Subcommand("backoffice.clearing.cli_transactions",
                               "list cleared (or flagged) transactions"),
    "hotlist": Subcommand("backoffice.clearing.cli_hotlist",
                          "report a card lost, list the hotlist"),
    "cards": Subcommand("backoffice.clearing.cli_cards", "register issued cards, list them"),
    "seed-demo": Subcommand("backoffice.clearing.cli_seed_demo",
                            "register the five demo cards and list the lost one"),
    "hall": Subcommand("backoffice.hall.cli",
                       "the hall service: catalogue, search, cases, ratings, complaints"),
    "terminals": Subcommand("backoffice.clearing.cli_terminals",
                            "the fleet: registered terminals, last contact, health, flags"),
    "tokens": Subcommand("backoffice.cli_tokens",
                         "issue, list and revoke bearer tokens (kiosk, clerk, terminal, admin)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch("backoffice", "Clearing service of the city card (一卡通).", COMMANDS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
