"""Process plumbing for every long-running program (card service, back office, simulators):
structured logs, a clean SIGTERM stop, and stopping a child process the same way everywhere
(:func:`stop_process`).

``configure_logging()`` writes one JSON object per line to stderr (``ts``, ``level``, ``logger``,
``msg`` and the record's ``extra`` fields). ``block_stop_signals()`` + ``wait_for_stop()`` let
the main thread sleep until SIGTERM/SIGINT while worker threads serve; no Python signal handler
runs in the middle of a lock, so the stop is always orderly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any, TextIO

STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
_STANDARD_ATTRS |= {"message", "asctime", "taskName"}
_NEVER_LOGGED = frozenset({"authorization", "token", "key", "keys", "pin", "color_message"})
"""Record fields dropped whatever a caller passes in ``extra``: secrets never reach a log."""


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record; ``extra={...}`` fields become keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") \
                    and key.lower() not in _NEVER_LOGGED:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """Send every log record of this process to ``stream`` (stderr) as JSON lines.

    Libraries that install handlers of their own (uvicorn) are brought back to the root.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True


def block_stop_signals() -> None:
    """Block SIGTERM/SIGINT in this thread and every thread started after it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def wait_for_stop(alive: Callable[[], bool] = lambda: True, poll: float = 0.5) -> int | None:
    """Wait for SIGTERM/SIGINT (blocked first with :func:`block_stop_signals`).

    Returns the signal number, or ``None`` when ``alive()`` turns false (a worker died).
    """
    while alive():
        info = signal.sigtimedwait(STOP_SIGNALS, poll)
        if info is not None:
            return info.si_signo
    return None


def free_tcp_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now (for a child server started next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_http_ok(url: str, timeout: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll ``url`` (e.g. a ``/healthz``) until it answers 200; False on timeout or when
    ``alive()`` turns false (the server process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with contextlib.suppress(OSError), \
                urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - our own URL
            if answer.status == 200:
                return True
        time.sleep(0.05)
    return False


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10.0,
                 sig: int = signal.SIGTERM) -> int:
    """Stop a child: ``sig`` (SIGTERM, its orderly stop), up to ``timeout`` seconds to exit,
    then SIGKILL. Returns its exit status (negative: the signal that ended it)."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return int(proc.returncode)
