"""``cardsvc``: the citizen-card service's command line."""

from __future__ import annotations

from collections.abc import Sequence

from config.cli import Subcommand, dispatch

COMMANDS = {
    "readers": Subcommand("cardsvc.cli_readers", "list readers, card presence and ATR"),
    "apdu": Subcommand("cardsvc.cli_apdu", "send raw APDUs to the card"),
}


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch("cardsvc", "Citizen card (一卡通) service.", COMMANDS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
