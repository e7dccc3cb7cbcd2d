"""``simulators idcard``: the virtual resident ID-card reader.

simulators idcard serve --pty var/idcard.pty          # then [idcard] url = "var/idcard.pty"
simulators idcard serve --port 7010                   # url = "socket://127.0.0.1:7010"
simulators idcard serve --device /dev/pts/5           # one end of a socat pair
simulators idcard citizens                            # the made-up people on offer
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, fail, port_number, print_json
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from simulators.idcard.citizens import demo_people
from simulators.idcard.device import Fault, VirtualIdReader
from simulators.idcard.server import PtyServer, TcpServer, TtyServer

log = logging.getLogger(__name__)


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Virtual resident ID-card reader (SAM-V protocol)."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    serve = sub.add_parser("serve", help="serve the reader until SIGTERM")
    where = serve.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--pty",
        type=Path,
        metavar="PATH",
        help="make a pty and link PATH to it (the driver opens PATH)",
    )
    where.add_argument("--port", type=port_number, metavar="N", help="listen on TCP port N")
    where.add_argument(
        "--device",
        type=Path,
        metavar="TTY",
        help="serve on an existing tty (e.g. one end of a socat pair)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address for --port")
    serve.add_argument(
        "--citizen",
        default="0",
        help="index of the citizen whose card lies on the reader, or 'none'",
    )
    serve.add_argument(
        "--fault",
        choices=[f.value for f in Fault],
        help="misbehave on every answer (for trying error handling)",
    )
    serve.add_argument("--log-level", default="INFO")
    sub.add_parser("citizens", help="list the made-up citizens")
    return parser


def main(argv: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(argv)
    people = demo_people()
    if args.action == "citizens":
        print_json(
            [
                {"index": i, "name": p.name, "id_number": p.number, "valid_to": p.valid_to}
                for i, p in enumerate(people)
            ]
        )
        return EXIT_OK
    configure_logging(args.log_level)
    card = None
    if args.citizen != "none":
        try:
            card = people[int(args.citizen)]
        except (ValueError, IndexError):
            return fail(prog, f"--citizen must be 0..{len(people) - 1} or 'none'", 2)
    device = VirtualIdReader(card)
    if args.fault:
        device.inject(Fault(args.fault), count=-1)
    server: PtyServer | TcpServer | TtyServer
    if args.pty:
        server = PtyServer(device, args.pty)
    elif args.device:
        server = TtyServer(device, args.device)
    else:
        server = TcpServer(device, args.port, args.host)
    block_stop_signals()
    try:
        server.start()
    except OSError as exc:
        return fail(prog, f"cannot serve the virtual reader: {exc}", EXIT_UNAVAILABLE)
    try:
        signo = wait_for_stop(lambda: server.alive)
    finally:
        server.stop()
    log.info("virtual ID-card reader stopped", extra={"signal": signo})
    return EXIT_OK if signo is not None else EXIT_FAILED
