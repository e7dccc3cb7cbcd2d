"""Test controls around any :class:`~drivers.pcsc.spi.SimulatedCard` (cf. Keyple's stub plugin).

:class:`ControlledCard` wraps a card model and is itself a ``SimulatedCard``, so it attaches both
in-process (``MemoryBackend``) and behind pcscd (:class:`simulators.vpcd.VpcdBridge`). It can

* answer a chosen command with a chosen status word instead of the card (``answer``),
* add delay before answering (``delay``),
* **tear**: the card leaves the field before, or after, it applies command N (``tear``).
  *before*: the command never reaches the card, nothing is applied. *after*: the card applies
  the command (and persists it, as the model does before answering) but the answer is lost.
  Either way the card loses power (its sessions close, as a real card's RAM does) and
  :class:`~drivers.pcsc.spi.CardWithdrawn` is raised: ``MemoryBackend`` reports the card
  removed, the vpcd bridge closes the connection (= card removed).

Commands are counted from now (when the tear is armed) or from the last reset point (power on,
reset, or :meth:`ControlledCard.mark`), optionally only those whose header starts with a prefix:
``tear(1, "after", prefix="8054")`` tears at the next DEBIT, after the card has written it.

For a card served by another process (``simulators card serve --control PATH``) the same
controls, plus insert/remove of the bridge, are reachable over a unix socket speaking JSON lines:
:class:`ControlServer` in the serving process, :class:`ControlClient` in the test or bench.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from drivers.pcsc.spi import CardWithdrawn, SimulatedCard

log = logging.getLogger(__name__)

TearWhen = Literal["before", "after"]
CountFrom = Literal["now", "reset"]
_HISTORY_MAX = 4096
READER_FEEDBACK_HEADER = bytes.fromhex("FF0040")
"""The LED/buzzer pseudo-APDU of ACS readers, which the virtual reader takes itself."""


def _prefix(value: bytes | str) -> bytes:
    """A header prefix given as bytes or hex (``"8054"``, ``"80 54"``)."""
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value.replace(" ", ""))


@dataclass
class _Answer:
    prefix: bytes
    sw: int
    data: bytes
    remaining: int | None  # None: always


@dataclass
class _Delay:
    prefix: bytes
    seconds: float
    remaining: int | None


_Rule = TypeVar("_Rule", _Answer, _Delay)


@dataclass
class _Tear:
    n: int
    when: TearWhen
    count_from: CountFrom
    prefix: bytes
    seen: int = 0


@dataclass
class _Counters:
    total: int = 0
    since_reset: int = 0
    history: list[bytes] = field(default_factory=list)  # headers since the reset point


class ControlledCard:
    """A ``SimulatedCard`` with test controls. Thread-safe; controls may change at any time."""

    def __init__(self, card: SimulatedCard) -> None:
        self.inner = card
        self.tears = 0
        self.feedback: list[bytes] = []
        """What the reader was asked to show (the bytes after ``FF 00 40``: P2 Lc T1 T2 N B),
        oldest first."""
        self._lock = threading.Lock()
        self._answers: list[_Answer] = []
        self._delays: list[_Delay] = []
        self._tears: list[_Tear] = []
        self._counters = _Counters()
        self._withdrawn = False

    # -- SimulatedCard -----------------------------------------------------------------------

    @property
    def atr(self) -> bytes:
        return bytes(self.inner.atr)

    def power_on(self) -> None:
        self.inner.power_on()
        self._reset_point()

    def power_off(self) -> None:
        self.inner.power_off()

    def reset(self) -> None:
        self.inner.reset()
        self._reset_point()

    def transmit(self, apdu: bytes) -> bytes:
        header = bytes(apdu[:4])
        if apdu[:3] == READER_FEEDBACK_HEADER:
            # the reader's own pseudo-APDU (LED/buzzer, ACS form): the virtual reader answers
            # it and records it; the card never sees it
            with self._lock:
                self.feedback.append(bytes(apdu[3:]))
            return b"\x90\x00"
        with self._lock:
            if self._withdrawn:
                raise CardWithdrawn("the card is out of the field")
            self._counters.total += 1
            self._counters.since_reset += 1
            if len(self._counters.history) < _HISTORY_MAX:
                self._counters.history.append(header)
            tear = self._due_tear(header)
            delay = self._take(self._delays, header)
            answer = (
                None
                if tear is not None and tear.when == "before"
                else self._take(self._answers, header)
            )
        if delay is not None and delay.seconds > 0:
            time.sleep(delay.seconds)
        if tear is not None and tear.when == "before":
            self._withdraw(header, tear)
        if answer is not None:
            response = answer.data + answer.sw.to_bytes(2, "big")
        else:
            response = bytes(self.inner.transmit(apdu))
        if tear is not None:  # "after": applied (and persisted by the model), answer lost
            self._withdraw(header, tear)
        return response

    # -- controls ----------------------------------------------------------------------------

    def answer(
        self, prefix: bytes | str, sw: int, *, data: bytes = b"", times: int | None = 1
    ) -> None:
        """Answer commands whose header starts with ``prefix`` with ``data + sw``, not the card.

        ``times``: how many commands (``None``: every one until :meth:`clear`).
        """
        if not 0 <= sw <= 0xFFFF:
            raise ValueError(f"status word out of range: {sw:#x}")
        with self._lock:
            self._answers.append(_Answer(_prefix(prefix), sw, bytes(data), times))

    def delay(self, seconds: float, prefix: bytes | str = b"", *, times: int | None = None) -> None:
        """Wait ``seconds`` before answering matching commands (default: every command)."""
        if seconds < 0:
            raise ValueError("delay must not be negative")
        with self._lock:
            self._delays.append(_Delay(_prefix(prefix), seconds, times))

    def tear(
        self,
        n: int = 1,
        when: TearWhen = "before",
        *,
        count_from: CountFrom = "now",
        prefix: bytes | str = b"",
    ) -> None:
        """Leave the field before or after the card applies command ``n`` (1 = the next one).

        ``count_from="reset"`` counts from the last reset point instead of from now (if that
        count is already past ``n``, the tear waits for the next reset). ``prefix`` counts only
        the commands whose header starts with it. One-shot.
        """
        if n < 1:
            raise ValueError("n counts from 1")
        if when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        if count_from not in ("now", "reset"):
            raise ValueError(f"count_from must be 'now' or 'reset', not {count_from!r}")
        head = _prefix(prefix)
        with self._lock:
            seen = 0
            if count_from == "reset":
                seen = sum(1 for h in self._counters.history if h.startswith(head))
            self._tears.append(_Tear(n, when, count_from, head, seen))

    def tear_before(self, n: int = 1, **kwargs: Any) -> None:
        self.tear(n, "before", **kwargs)

    def tear_after(self, n: int = 1, **kwargs: Any) -> None:
        self.tear(n, "after", **kwargs)

    def mark(self) -> None:
        """Make now a reset point for ``count_from="reset"`` (without resetting the card)."""
        self._reset_point(power=False)

    def clear(self) -> None:
        """Drop every pending answer, delay and tear; the card is back in the field."""
        with self._lock:
            self._answers.clear()
            self._delays.clear()
            self._tears.clear()
            self._withdrawn = False

    @property
    def withdrawn(self) -> bool:
        return self._withdrawn

    @property
    def commands_total(self) -> int:
        return self._counters.total

    @property
    def commands_since_reset(self) -> int:
        return self._counters.since_reset

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "commands_total": self._counters.total,
                "commands_since_reset": self._counters.since_reset,
                "tears": self.tears,
                "withdrawn": self._withdrawn,
                "pending": {
                    "answers": len(self._answers),
                    "delays": len(self._delays),
                    "tears": len(self._tears),
                },
            }

    # -- internals ---------------------------------------------------------------------------

    def _reset_point(self, *, power: bool = True) -> None:
        with self._lock:
            if power:
                self._withdrawn = False
            self._counters.since_reset = 0
            self._counters.history.clear()
            for tear in self._tears:
                if tear.count_from == "reset":
                    tear.seen = 0

    def _due_tear(self, header: bytes) -> _Tear | None:
        due = None
        for tear in self._tears:
            if header.startswith(tear.prefix):
                tear.seen += 1
                if tear.seen == tear.n and due is None:
                    due = tear
        if due is not None:
            self._tears.remove(due)
        return due

    @staticmethod
    def _take(rules: list[_Rule], header: bytes) -> _Rule | None:
        for rule in rules:
            if header.startswith(rule.prefix):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        rules.remove(rule)
                return rule
        return None

    def _withdraw(self, header: bytes, tear: _Tear) -> None:
        with self._lock:
            self._withdrawn = True
            self.tears += 1
        log.info("card torn", extra={"when": tear.when, "header": header.hex()})
        with contextlib.suppress(Exception):
            self.inner.power_off()  # a card out of the field loses its sessions
        raise CardWithdrawn(f"card torn {tear.when} command {header.hex()}")


class Slot(Protocol):
    """Where a card sits (the vpcd bridge): the control channel inserts and removes it."""

    @property
    def connected(self) -> bool: ...

    def insert(self) -> None: ...

    def remove(self) -> None: ...

    def wait_connected(self, timeout: float) -> bool: ...

    def wait_disconnected(self, timeout: float) -> bool: ...


class ControlError(RuntimeError):
    """A control request was refused or the control channel is unreachable."""


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        for raw in self.rfile:
            try:
                request = json.loads(raw)
                if not isinstance(request, dict):
                    raise ValueError("a request is a JSON object")
                reply: dict[str, Any] = {"ok": True, **self.server.execute(request)}
            except (ValueError, TypeError, KeyError, ControlError) as exc:
                reply = {"ok": False, "error": str(exc)}
            self.wfile.write(json.dumps(reply).encode() + b"\n")
            self.wfile.flush()


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, card: ControlledCard, slot: Slot | None) -> None:
        self.card = card
        self.slot = slot
        super().__init__(path, _Handler)

    def execute(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        card = self.card
        timeout = float(req.get("timeout", 5.0))
        if op == "status":
            pass
        elif op in ("insert", "remove"):
            if self.slot is None:
                raise ControlError("this card has no slot to insert into or remove from")
            if op == "insert":
                self.slot.insert()
                if req.get("wait", True) and not self.slot.wait_connected(timeout):
                    raise ControlError("the card did not connect to vpcd (is pcscd running?)")
            else:
                self.slot.remove()
                if req.get("wait", True):
                    self.slot.wait_disconnected(timeout)
        elif op == "answer":
            times = req.get("times", 1)
            card.answer(
                str(req["prefix"]),
                int(req["sw"]),
                data=bytes.fromhex(str(req.get("data", ""))),
                times=None if times is None else int(times),
            )
        elif op == "delay":
            times = req.get("times")
            card.delay(
                float(req["seconds"]),
                str(req.get("prefix", "")),
                times=None if times is None else int(times),
            )
        elif op == "tear":
            card.tear(
                int(req.get("n", 1)),
                req.get("when", "before"),
                count_from=req.get("count_from", "now"),
                prefix=str(req.get("prefix", "")),
            )
        elif op == "mark":
            card.mark()
        elif op == "clear":
            card.clear()
        else:
            raise ControlError(f"unknown op {op!r}")
        state = card.status()
        if self.slot is not None:
            state["connected"] = self.slot.connected
        return state


class ControlServer:
    """Serve a :class:`ControlledCard` (and its slot) on a unix socket, in a daemon thread."""

    def __init__(self, path: Path | str, card: ControlledCard, slot: Slot | None = None) -> None:
        self.path = Path(path)
        self.card = card
        self.slot = slot
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._server is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of an earlier run
        self._server = _Server(str(self.path), self.card, self.slot)
        os.chmod(self.path, 0o600)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="card-control", daemon=True
        )
        self._thread.start()
        log.info("control channel listening", extra={"path": str(self.path)})

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5.0)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ControlClient:
    """Drive a card served by another process: ``ControlClient(path).tear(1, "after")``."""

    def __init__(self, path: Path | str, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout = timeout

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        request = json.dumps({"op": op, **args}).encode() + b"\n"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall(request)
                with sock.makefile("rb") as reader:
                    line = reader.readline()
        except OSError as exc:
            raise ControlError(f"control channel {self.path}: {exc}") from exc
        if not line:
            raise ControlError(f"control channel {self.path} closed without an answer")
        reply: dict[str, Any] = json.loads(line)
        if not reply.pop("ok", False):
            raise ControlError(str(reply.get("error", "refused")))
        return reply

    def status(self) -> dict[str, Any]:
        return self.call("status")

    def insert(self, *, wait: bool = True) -> dict[str, Any]:
        return self.call("insert", wait=wait)

    def remove(self, *, wait: bool = True) -> dict[str, Any]:
        return self.call("remove", wait=wait)

    def answer(
        self, prefix: str, sw: int, *, data: str = "", times: int | None = 1
    ) -> dict[str, Any]:
        return self.call("answer", prefix=prefix, sw=sw, data=data, times=times)

    def delay(
        self, seconds: float, prefix: str = "", *, times: int | None = None
    ) -> dict[str, Any]:
        return self.call("delay", seconds=seconds, prefix=prefix, times=times)

    def tear(
        self,
        n: int = 1,
        when: TearWhen = "before",
        *,
        count_from: CountFrom = "now",
        prefix: str = "",
    ) -> dict[str, Any]:
        return self.call("tear", n=n, when=when, count_from=count_from, prefix=prefix)

    def mark(self) -> dict[str, Any]:
        return self.call("mark")

    def clear(self) -> dict[str, Any]:
        return self.call("clear")
