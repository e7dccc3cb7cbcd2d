"""``backoffice serve``: run the back office (clearing and the hall, or ``--only`` one of them)
until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from backoffice.clearing.app import build_service
from backoffice.clearing.demo import seed_demo
from backoffice.clearing.service import ClearingService
from backoffice.clearing.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    MIN_TOKEN_LEN,
    ServerSettings,
    resolve_db_url,
    resolve_keys,
    resolve_token,
)
from backoffice.cli_common import add_common, parser, run, settings_of
from backoffice.errors import ConfigurationError, InvalidInput
from backoffice.hall.demo import DEMO_CATALOGUE
from backoffice.hall.demo import seed_demo as seed_hall_demo
from backoffice.hall.service import HallService
from backoffice.hall.settings import HallServerSettings, hall_settings
from backoffice.server import create_server_app
from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, fail, port_number
from config.files import TokenFileError, read_token_file
from config.runtime import configure_logging
from config.webserve import GracefulServer

log = logging.getLogger("backoffice.serve")



def _run_workers(count: int, sock: socket.socket, make_app: Callable[[], FastAPI],
                 options: dict[str, Any]) -> int:
    """Fork ``count`` uvicorn servers on the shared listening socket; SIGTERM/SIGINT to this
    process stop them all. Each worker opens its own database connections after the fork."""
    pids: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # worker
            code = EXIT_OK
            try:
                GracefulServer(uvicorn.Config(make_app(), **options)).run(sockets=[sock])
            except BaseException:  # a worker must never return into the parent
                log.exception("worker failed", extra={"event": "worker_failed"})
                code = EXIT_FAILED
            finally:
                os._exit(code)
        pids.append(pid)

    def stop(signum: int, frame: FrameType | None) -> None:
        for child in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        codes = [os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) for child in pids]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK if all(c == 0 for c in codes) else EXIT_FAILED


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # socket says it is TCP (proto 0 would leave Nagle on: +40 ms per keep-alive answer)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _open(clearing: ServerSettings | None, hall: HallServerSettings | None,
          ) -> tuple[ClearingService | None, HallService | None]:
    """Open the databases (schema, migrations) in this process: a clear error (exit 3) when one
    cannot be reached, before any worker starts."""
    csvc = build_service(clearing) if clearing is not None else None
    try:
        hsvc = HallService(hall) if hall is not None else None
    except BaseException:
        if csvc is not None:
            csvc.repo.db.close()
        raise
    return csvc, hsvc


def _seed(csvc: ClearingService | None, hsvc: HallService | None) -> None:
    if csvc is not None:
        seed_demo(csvc)
    if hsvc is not None:
        if DEMO_CATALOGUE.is_file():
            result = seed_hall_demo(hsvc)
            log.info("demo catalogue loaded", extra={"event": "demo_catalogue",
                                                     "added": result.added})
        else:
            log.warning("no demo catalogue", extra={"event": "demo_catalogue_missing",
                                                    "path": str(DEMO_CATALOGUE)})


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "Run the back office: clearing and the hall in one process (OpenAPI at "
                     "/docs and /openapi.json), or one of them with --only.")
    add_common(p)
    p.add_argument("--only", choices=["clearing", "hall"], help="run one service alone")
    p.add_argument("--hall-db", metavar="URL", help="the hall's database ($HALL_DB, [hall] db)")
    p.add_argument("--host", help=f"address ([clearing] host, or [hall] host with --only hall; "
                                  f"default {DEFAULT_HOST})")
    p.add_argument("--port", type=port_number,
                   help=f"port ([clearing] port {DEFAULT_PORT}, or [hall] port 8490 with --only "
                        "hall)")
    p.add_argument("--token", help="clearing's bearer token; shows in ps: prefer "
                                   "$BACKOFFICE_TOKEN (else [clearing_client]'s token file); the "
                                   "hall uses issued tokens (backoffice tokens)")
    p.add_argument("--token-file", metavar="FILE",
                   help="clearing's bearer token, alone in a file only its owner may read "
                        "(mode 0600); never shows in ps")
    p.add_argument("--keys", metavar="FILE",
                   help="issuer key file with MTK and MLK, mode 0600 ($BACKOFFICE_KEY_FILE, "
                        "[clearing] key_file)")
    p.add_argument("--demo", action="store_true",
                   help="demo mode: demo keys unless --keys, demo cards registered, the demo "
                        "catalogue loaded (config/demo/hall/catalogue.json)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port (TAC checks are CPU-bound: up to "
                        "one per core; default 1)")

    def body(args: argparse.Namespace) -> int:
        if not 1 <= args.workers <= 64:
            raise InvalidInput("--workers must be 1..64")
        settings = settings_of(args)
        if args.token_file:
            try:
                token = read_token_file(args.token_file, min_length=MIN_TOKEN_LEN)
            except TokenFileError as exc:
                raise ConfigurationError(f"--token-file: {exc}") from None
            settings = settings.override({"clearing": {"token": token}})
        hall_only = args.only == "hall"
        host = args.host or (settings.hall.host if hall_only else settings.clearing.host)
        port = args.port if args.port is not None else (
            settings.hall.port if hall_only else settings.clearing.port)
        clearing = None if hall_only else ServerSettings(
            db_url=resolve_db_url(settings), token=resolve_token(settings),
            keys=resolve_keys(settings, args.keys, demo=args.demo),
            host=host, port=port, demo=False)
        hall = None if args.only == "clearing" else hall_settings(
            settings, db=args.hall_db or (args.db if hall_only else None), demo=False)
        configure_logging(getattr(logging, args.log_level.upper()))
        if args.token:
            log.warning("--token is visible to every user of this machine (ps, /proc); give "
                        "the token in $BACKOFFICE_TOKEN instead")
        try:
            sock = _listen(host, port)
        except OSError as exc:
            return fail(prog, f"cannot listen on {host}:{port}: {exc.strerror}",
                        EXIT_UNAVAILABLE)
        try:
            csvc, hsvc = _open(clearing, hall)
            try:
                if args.demo:
                    _seed(csvc, hsvc)
            except ConfigurationError:
                for closer in (csvc.repo.db.close if csvc else None,
                               hsvc.close if hsvc else None):
                    if closer is not None:
                        closer()
                raise
            if not _loopback(host):
                log.warning("listening beyond loopback", extra={"event": "exposed",
                                                                "host": host})
            which = ", ".join(x for x in (
                f"clearing {csvc.repo.db.url.redacted()}" if csvc else "",
                f"hall {hsvc.store.url.redacted()}" if hsvc else "") if x)
            print(f"backoffice: serving on http://{host}:{sock.getsockname()[1]} "
                  f"({which}, {args.workers} worker(s))", flush=True)
            options: dict[str, Any] = {
                "log_config": None, "access_log": args.access_log,
                "log_level": args.log_level, "timeout_graceful_shutdown": 5}
            if args.workers == 1:
                app = create_server_app(clearing=clearing, hall=hall, clearing_service=csvc,
                                        hall_service=hsvc)
                GracefulServer(uvicorn.Config(app, **options)).run(sockets=[sock])
                return EXIT_OK
            if csvc is not None:
                csvc.repo.db.close()
            if hsvc is not None:
                hsvc.close()
            return _run_workers(args.workers, sock,
                                lambda: create_server_app(clearing=clearing, hall=hall),
                                options)
        finally:
            sock.close()

    return run(prog, p, argv, body)
