"""``cardsvc serve``: run the card service (local API, recovery on insert, uploader) until
SIGTERM/SIGINT. Logs are JSON lines on stderr."""

from __future__ import annotations

import argparse
import logging

from cardsvc.api import ApiServer
from cardsvc.cli_common import EDGE
from cardsvc.codes import ErrorCode
from cardsvc.messages import MESSAGES
from cardsvc.service import CardService
from config.cli import EXIT_OK, EXIT_UNAVAILABLE, report
from config.runtime import block_stop_signals, configure_logging, wait_for_stop
from config.settings import load_settings

log = logging.getLogger("cardsvc.serve")


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("--port", type=int, help="API port on loopback (default: [service] port)")
    p.add_argument("--reader", help="user-card reader name")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = p.parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO)
    return EDGE.run(prog, lambda: _serve(args, prog))


def _serve(args: argparse.Namespace, prog: str) -> int:
    settings = load_settings(args.config, overrides={
        "service": {"port": args.port}, "card": {"reader": args.reader, "sam": args.sam}})
    block_stop_signals()
    service = CardService(settings)
    try:
        api = ApiServer(service)
    except OSError as exc:
        words = MESSAGES.words(ErrorCode.LISTEN_FAILED,
                               address=f"{settings.service.host}:{settings.service.port}")
        return report(prog, f"{words.zh} {words.en}: {exc.strerror}", EXIT_UNAVAILABLE)
    service.start()
    thread = api.serve_in_thread()
    log.info("card service ready", extra={"host": settings.service.host,
                                          "port": api.server_address[1],
                                          "token_file": str(settings.var_path(
                                              settings.service.token_file))})
    try:
        signo = wait_for_stop(thread.is_alive)
        log.info("stopping", extra={"signal": signo})
    finally:
        api.shutdown()
        api.server_close()
        service.stop()
    return EXIT_OK
