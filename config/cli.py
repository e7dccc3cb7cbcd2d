"""CLI plumbing shared by every command-line program of the project.

Each program (``cardsvc``, ``simulators``, ``kioskctl``, ``backoffice``) is a thin dispatcher:
the first word picks a subcommand module, imported lazily (so ``simulators card`` never pays for
opencv), and that module's ``main(argv, prog) -> int`` does the rest. An argparse exit (``--help``,
a usage error) inside a subcommand becomes its exit code here, so no subcommand repeats that.

Domain errors know nothing of exit codes: each program maps its errors to them at its edge with
an :class:`Edge` (which errors it knows, in which words, with which exit code)::

    EDGE = Edge(exits=((ConfigError, EXIT_CONFIG), (DeviceError, EXIT_UNAVAILABLE),
                       (CardServiceError, EXIT_FAILED)), words=lambda e: MESSAGES.line(e))
    return EDGE.run(prog, lambda: body(args))     # a known error: one line, its exit code

Exit codes, the same for every program (documented in README.md):
    0  done
    1  refused or failed (a business refusal, a card error, a failed check)
    2  usage error (bad arguments, malformed hex or amount)
    3  a device or service is unavailable (no pcscd, no reader, no card, printer offline)
    4  configuration error (malformed or missing config, unreadable key file)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
EXIT_CONFIG = 4


class SubcommandMain(Protocol):
    def __call__(self, argv: list[str], prog: str) -> int: ...


@dataclass(frozen=True)
class Subcommand:
    module: str
    """Dotted module path that defines ``main(argv: list[str], prog: str) -> int``."""
    summary: str


def dispatch(program: str, description: str, commands: dict[str, Subcommand],
             argv: Sequence[str] | None = None) -> int:
    """Run ``program <command> ...`` by importing the command's module lazily."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        _usage(program, description, commands, sys.stdout)
        return EXIT_OK if args else EXIT_USAGE
    name, rest = args[0], args[1:]
    command = commands.get(name)
    if command is None:
        print(f"{program}: unknown command {name!r}", file=sys.stderr)
        _usage(program, description, commands, sys.stderr)
        return EXIT_USAGE
    module = importlib.import_module(command.module)
    entry: SubcommandMain = module.main
    try:
        return entry(rest, f"{program} {name}")
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE if exc.code else EXIT_OK
    except KeyboardInterrupt:
        print(f"{program}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return reader_gone()


def reader_gone() -> int:
    """Whoever read our output stopped (``cardsvc journal --json | head``): not an error.

    The command's work is done (output comes last); the rest of the output goes nowhere, and
    stdout is pointed at /dev/null so that the interpreter's final flush stays quiet too."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_OK


def http_url(text: str) -> str:
    """An argparse type: an ``http://`` or ``https://`` URL with a host (else exit 2)."""
    if not is_http_url(text):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text[:40]!r}")
    return text


def is_http_url(text: str) -> bool:
    """Whether ``text`` is an ``http://`` or ``https://`` URL with a host."""
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1..65535 (anything else is a usage error, exit 2)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port (1..65535): {text[:20]!r}")
    return port


def _usage(program: str, description: str, commands: dict[str, Subcommand], out: Any) -> None:
    print(f"usage: {program} <command> [options]\n\n{description}\n\ncommands:", file=out)
    width = max(len(n) for n in commands)
    for name, command in commands.items():
        print(f"  {name.ljust(width)}  {command.summary}", file=out)
    print(f"\n`{program} <command> --help` for a command's options.", file=out)


def print_json(value: Any) -> None:
    """Print one JSON document (UTF-8, Chinese kept readable) for scripts."""
    print(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False))


def report(program: str, line: str, code: int) -> int:
    """Print ``program: line`` on stderr (one line for a person, no traceback); return ``code``."""
    print(f"{program}: {line}", file=sys.stderr)
    return code


def fail(program: str, message: str, code: int) -> int:
    """Print a one-line error for a person (no traceback) and return the exit code."""
    return report(program, f"error: {message}", code)


def _error_words(exc: BaseException) -> str:
    return f"error: {exc}"


@dataclass(frozen=True)
class Edge:
    """Where a program meets a person: the errors it knows, their words and exit codes."""

    exits: tuple[tuple[type[BaseException], int], ...]
    """(exception class, exit code) pairs; the first that matches wins."""
    words: Callable[[BaseException], str] = _error_words
    """The line after ``program: `` (default ``error: <message>``)."""

    def exit_code(self, exc: BaseException) -> int:
        return next((code for kind, code in self.exits if isinstance(exc, kind)), EXIT_FAILED)

    def knows(self, exc: BaseException) -> bool:
        return any(isinstance(exc, kind) for kind, _ in self.exits)

    def report(self, program: str, exc: BaseException) -> int:
        """Print the error as one line; return its exit code."""
        return report(program, self.words(exc), self.exit_code(exc))

    def run(self, program: str, body: Callable[[], int]) -> int:
        """``body()``, or the exit code of a known error after printing it as one line."""
        try:
            return body()
        except Exception as exc:
            if not self.knows(exc):
                raise
            return self.report(program, exc)
