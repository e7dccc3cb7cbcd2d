"""``cardsvc serve``: run the card service (warm runtime, local API with events, recovery on
insert, uploader, receipts) until SIGTERM/SIGINT. Logs are JSON lines on stderr.

The API listens on ``[service] host:port`` (loopback only) or, with ``--socket PATH``, on a unix
socket (mode 0660). The token is ``[service] token_file`` (created 0600 on first start);
``--token-group kiosk`` makes it 0640 owned by that group, so that the kiosk's and the cash
register's users (members of the group) can read it and nobody else can.
"""

from __future__ import annotations

import argparse
import grp
import logging
import os
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import uvicorn

from cardsvc.api import create_app
from cardsvc.cli_common import EDGE
from cardsvc.codes import ErrorCode
from cardsvc.errors import ServiceConfigError
from cardsvc.messages import MESSAGES
from cardsvc.receipts import CardReceipt, card_receipt, receipt_key
from cardsvc.runtime import Runtime, RuntimeOptions, with_card
from cardsvc.service import LOOPBACK, load_or_create_token
from cardsvc.terminal import TxResult
from config.cli import EXIT_OK, EXIT_UNAVAILABLE, port_number, report
from config.runtime import configure_logging
from config.settings import Settings, load_settings
from config.webserve import GracefulServer
from drivers.pcsc.feedback import open_feedback

if TYPE_CHECKING:
    from drivers.printer.worker import PrintWorker

log = logging.getLogger("cardsvc.serve")
Printing = Callable[[TxResult, str], None]
MERCHANTS: Mapping[str, str] = MappingProxyType({"canteen": "市民之家食堂",
                                                  "retail": "市民之家超市"})


def main(argv: list[str], prog: str) -> int:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    p.add_argument("--config", help="configuration file (TOML)")
    p.add_argument("--port", type=port_number,
                   help="API port on loopback (default: [service] port)")
    p.add_argument("--socket", metavar="PATH", help="listen on this unix socket instead")
    p.add_argument("--token-group", metavar="GROUP",
                   help="make the token file 0640 owned by GROUP (the kiosk's users)")
    p.add_argument("--reader", help="user-card reader name")
    p.add_argument("--sam", help="pcsc:READER or soft:KEYFILE")
    p.add_argument("--feedback", default="none", help="reader buzzer/LED: none, acs, "
                                                      "control:CODE")
    p.add_argument("--no-receipts", action="store_true", help="never print sale receipts")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = p.parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO)
    return EDGE.run(prog, lambda: _serve(args, prog))


def _token(settings: Settings, group: str | None) -> str:
    path = settings.var_path(settings.service.token_file)
    token = load_or_create_token(path)
    if group:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise ServiceConfigError(f"no group {group!r} for the token file",
                                     code=ErrorCode.TOKEN_FILE_OPEN) from None
        os.chown(path, -1, gid)
        os.chmod(path, 0o640)
    return token


def _listen(settings: Settings, port: int | None, path: str | None) -> socket.socket:
    if path:
        Path(path).unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        os.chmod(path, 0o660)
    else:
        host = settings.service.host
        if host not in LOOPBACK:
            raise ServiceConfigError(f"the card service binds to loopback only, not {host!r}",
                                     code=ErrorCode.API_NOT_LOOPBACK)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted connections (no +40 ms answers)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, settings.service.port if port is None else port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _receipts(settings: Settings) -> tuple[PrintWorker | None, Printing | None]:
    """A print worker for sale receipts (None when the printer cannot be set up)."""
    from drivers.printer.printer import open_printer  # noqa: PLC0415 - only when serving
    from drivers.printer.queue import PrintQueue  # noqa: PLC0415
    from drivers.printer.worker import PrintWorker  # noqa: PLC0415

    try:
        worker = PrintWorker(open_printer(settings.printer.url, profile=settings.printer.profile,
                                          timeout=settings.printer.timeout_s),
                             PrintQueue.in_dir(settings.paths.var_dir))
        worker.start()
    except Exception as exc:  # noqa: BLE001 - sales go on without receipts
        log.warning("no receipt printer", extra={"error": str(exc)})
        return None, None

    def print_receipt(result: TxResult, kind: str) -> None:
        receipt = CardReceipt.from_tx_json(result.as_dict(), merchant=MERCHANTS.get(kind, ""))
        worker.submit(card_receipt(receipt), key=receipt_key(receipt))

    return worker, print_receipt


def _serve(args: argparse.Namespace, prog: str) -> int:
    settings = with_card(load_settings(args.config), reader=args.reader, sam=args.sam)
    token = _token(settings, args.token_group)
    try:
        sock = _listen(settings, args.port, args.socket)
    except OSError as exc:
        where = args.socket or f"{settings.service.host}:{args.port or settings.service.port}"
        words = MESSAGES.words(ErrorCode.LISTEN_FAILED, address=where)
        return report(prog, f"{words.zh} {words.en}: {exc.strerror}", EXIT_UNAVAILABLE)
    runtime = Runtime(settings, RuntimeOptions(feedback=open_feedback(args.feedback)))
    worker, printer = (None, None) if args.no_receipts else _receipts(settings)
    try:
        runtime.start()
        app = create_app(runtime, token, print_receipt=printer)
        where = args.socket or "{}:{}".format(*sock.getsockname()[:2])
        log.info("card service ready", extra={"listen": where, "token_file": str(
            settings.var_path(settings.service.token_file))})
        config = uvicorn.Config(app, log_config=None, access_log=False,
                                timeout_graceful_shutdown=3, backlog=1024)
        GracefulServer(config).run(sockets=[sock])
    finally:
        runtime.stop()
        if worker is not None:
            worker.stop(5)
        sock.close()
        if args.socket:
            Path(args.socket).unlink(missing_ok=True)
    return EXIT_OK
