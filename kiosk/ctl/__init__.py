"""``kioskctl``: the technicians' tool for a kiosk's devices."""

from __future__ import annotations

from collections.abc import Sequence

from config.cli import Subcommand, dispatch

COMMANDS = {
    "printer": Subcommand("kiosk.ctl.printer", "receipt printer: test page, status"),
    "scanner": Subcommand("kiosk.ctl.scanner", "document camera: detect, capture, calibrate"),
    "idcard": Subcommand("kiosk.ctl.idcard", "resident ID-card reader: read"),
    "doctor": Subcommand("kiosk.ctl.doctor", "check every configured device"),
    "heartbeat": Subcommand("kiosk.ctl.heartbeat", "tell the back office how this terminal is"),
    "upgrade": Subcommand("kiosk.ctl.upgrade", "migrate the local stores (backup first)"),
    "export-support": Subcommand("kiosk.ctl.support",
                                 "a tarball for support: no personal data, no keys"),
    "provision": Subcommand("kiosk.ctl.provision", "make this machine a terminal of a role"),
}


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch("kioskctl", "Technicians' tool for a self-service kiosk.", COMMANDS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
