"""``backoffice serve``: run the clearing HTTP service until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import signal
import socket
from collections.abc import Iterator

import uvicorn

from backoffice.app import create_app
from backoffice.cli_common import add_common, parser, run, settings_of
from backoffice.logfmt import configure_logging
from backoffice.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ServerSettings,
    resolve_db_url,
    resolve_keys,
    resolve_token,
)
from config.cli import EXIT_OK, EXIT_UNAVAILABLE, fail

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
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--token", help="bearer token ($BACKOFFICE_TOKEN, [backoffice] token)")
    p.add_argument("--keys", metavar="FILE",
                   help="issuer key file with MTK and MLK, mode 0600 ($BACKOFFICE_KEY_FILE, "
                        "[card] key_file)")
    p.add_argument("--demo", action="store_true",
                   help="demo mode: demo keys unless --keys, demo cards registered at start")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    p.add_argument("--access-log", action="store_true", help="log every request")

    def body(args: argparse.Namespace) -> int:
        settings = settings_of(args)
        server_settings = ServerSettings(
            db_url=resolve_db_url(settings, args.db),
            token=resolve_token(settings, args.token),
            keys=resolve_keys(settings, args.keys, demo=args.demo),
            host=args.host, port=args.port, demo=args.demo)
        configure_logging(getattr(logging, args.log_level.upper()))
        try:
            sock = _listen(args.host, args.port)
        except OSError as exc:
            return fail(prog, f"cannot listen on {args.host}:{args.port}: {exc.strerror}",
                        EXIT_UNAVAILABLE)
        try:
            app = create_app(server_settings)
            if not _loopback(args.host):
                log.warning("listening beyond loopback", extra={"event": "exposed",
                                                                "host": args.host})
            bound_port = sock.getsockname()[1]
            print(f"backoffice: serving on http://{args.host}:{bound_port} "
                  f"({app.state.service.repo.db.url.redacted()})", flush=True)
            config = uvicorn.Config(app, log_config=None, access_log=args.access_log,
                                    log_level=args.log_level, timeout_graceful_shutdown=5)
            _Server(config).run(sockets=[sock])
        finally:
            sock.close()
        return EXIT_OK

    return run(prog, p, argv, body)
