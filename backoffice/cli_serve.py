"""``backoffice serve``: run the clearing HTTP service until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import ipaddress
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from backoffice.app import build_service, create_app
from backoffice.cli_common import add_common, parser, run, settings_of
from backoffice.demo import seed_demo
from backoffice.errors import InvalidInput
from backoffice.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ServerSettings,
    resolve_db_url,
    resolve_keys,
    resolve_token,
)
from config.cli import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, fail
from config.runtime import configure_logging

log = logging.getLogger("backoffice.serve")


class _Server(uvicorn.Server):
    """uvicorn, except that SIGTERM/SIGINT end in a clean exit (status 0) after the graceful
    shutdown instead of re-raising the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


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
                _Server(uvicorn.Config(make_app(), **options)).run(sockets=[sock])
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
    sock = socket.socket(family, socket.SOCK_STREAM)
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


def main(argv: list[str], prog: str) -> int:
    p = parser(prog, "Run the clearing HTTP service (OpenAPI at /docs and /openapi.json).")
    add_common(p)
    p.add_argument("--host", help=f"address ([clearing] host, default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port ([clearing] port, default {DEFAULT_PORT})")
    p.add_argument("--token", help="bearer token ($BACKOFFICE_TOKEN, else [clearing_client]'s)")
    p.add_argument("--keys", metavar="FILE",
                   help="issuer key file with MTK and MLK, mode 0600 ($BACKOFFICE_KEY_FILE, "
                        "[clearing] key_file)")
    p.add_argument("--demo", action="store_true",
                   help="demo mode: demo keys unless --keys, demo cards registered at start")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port (TAC checks are CPU-bound: up to "
                        "one per core; default 1)")

    def body(args: argparse.Namespace) -> int:
        if not 1 <= args.workers <= 64:
            raise InvalidInput("--workers must be 1..64")
        settings = settings_of(args)
        args.host, args.port = settings.clearing.host, settings.clearing.port
        server_settings = ServerSettings(
            db_url=resolve_db_url(settings), token=resolve_token(settings),
            keys=resolve_keys(settings, args.keys, demo=args.demo),
            host=args.host, port=args.port, demo=args.demo)
        configure_logging(getattr(logging, args.log_level.upper()))
        try:
            sock = _listen(args.host, args.port)
        except OSError as exc:
            return fail(prog, f"cannot listen on {args.host}:{args.port}: {exc.strerror}",
                        EXIT_UNAVAILABLE)
        try:
            # open the database here: the schema, the demo cards, and a clear error (exit 3)
            # when it cannot be reached, before any worker starts
            service = build_service(server_settings)
            if not _loopback(args.host):
                log.warning("listening beyond loopback", extra={"event": "exposed",
                                                                "host": args.host})
            print(f"backoffice: serving on http://{args.host}:{sock.getsockname()[1]} "
                  f"({service.repo.db.url.redacted()}, {args.workers} worker(s))", flush=True)
            options: dict[str, Any] = {
                "log_config": None, "access_log": args.access_log,
                "log_level": args.log_level, "timeout_graceful_shutdown": 5}
            if args.workers == 1:
                app = create_app(server_settings, service=service)
                _Server(uvicorn.Config(app, **options)).run(sockets=[sock])
                return EXIT_OK
            if server_settings.demo:
                seed_demo(service)
            service.repo.db.close()
            worker_settings = dataclasses.replace(server_settings, demo=False)
            return _run_workers(args.workers, sock,
                                lambda: create_app(worker_settings), options)
        finally:
            sock.close()

    return run(prog, p, argv, body)
