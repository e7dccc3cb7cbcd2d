"""``backoffice hall``: the hall service's command line (a person at the hall's own machine).

    backoffice hall migrate                          bring the schema up to date
    backoffice hall import FILE [--csv]              a catalogue document (all or nothing)
    backoffice hall export [--json | --csv] [--with-files]
    backoffice hall publish CODE                     refused naming the incomplete field
    backoffice hall search QUERY [--department D] [--category C] [--json]
    backoffice hall seed-demo                        the demo catalogue (config/demo/hall/)
    backoffice hall case list|show|accept|supplement|review|forward|return|approve|refuse|collect
    backoffice hall ratings stats|close-window|work-orders|work-order
    backoffice hall complaints list|show|step

Exit codes as every program of the project: 0 ok, 1 refused, 2 usage, 3 unavailable (database),
4 configuration.
"""

from __future__ import annotations

from config.cli import Subcommand, dispatch

COMMANDS = {
    "migrate": Subcommand("backoffice.hall.cli_catalogue", "bring the hall schema up to date"),
    "import": Subcommand("backoffice.hall.cli_catalogue", "import a catalogue (JSON or CSV)"),
    "export": Subcommand("backoffice.hall.cli_catalogue", "export the catalogue"),
    "publish": Subcommand("backoffice.hall.cli_catalogue", "publish a matter's latest version"),
    "search": Subcommand("backoffice.hall.cli_catalogue", "search matters"),
    "seed-demo": Subcommand("backoffice.hall.cli_catalogue", "load the demo catalogue"),
    "case": Subcommand("backoffice.hall.cli_cases", "window clerks: list and move cases"),
    "ratings": Subcommand("backoffice.hall.cli_service", "好差评 statistics and work orders"),
    "complaints": Subcommand("backoffice.hall.cli_service", "complaints and their steps"),
}


def main(argv: list[str], prog: str) -> int:
    return dispatch(prog, "The hall service: catalogue, cases, ratings, complaints.",
                    COMMANDS, argv)
