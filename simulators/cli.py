"""``simulators``: virtual devices that speak the real protocols (see docs/design.md)."""

from __future__ import annotations

from collections.abc import Sequence

from config.cli import Subcommand, dispatch

COMMANDS = {
    "card": Subcommand("simulators.card.cli", "virtual citizen card behind pcscd (vpcd)"),
    "psam": Subcommand("simulators.card.psam_cli", "virtual PSAM behind pcscd (vpcd)"),
    "pcscd": Subcommand("simulators.pcscd_cli", "run a private pcscd with the vpcd driver"),
    "printer": Subcommand("simulators.printer.cli", "virtual ESC/POS receipt printer"),
    "camera": Subcommand("simulators.camera.cli", "virtual document camera"),
    "idcard": Subcommand("simulators.idcard.cli", "virtual resident ID-card reader"),
}


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch("simulators", "Virtual devices for development, tests and demos.",
                    COMMANDS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
