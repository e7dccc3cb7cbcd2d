"""Attach one :class:`~drivers.pcsc.spi.SimulatedCard` to pcscd's vpcd driver over TCP.

vpcd (vsmartcard) *listens*, one TCP port per virtual reader; the card connects to it. A live
connection is an inserted card, a closed one a removed card. Framing (vsmartcard doc/api.txt):
every message is a 2-byte big-endian length followed by that many bytes. A 1-byte message is a
control code (``00`` power off, ``01`` power on, ``02`` reset, none answered; ``04`` get ATR,
answered with the ATR); anything longer is a C-APDU, answered with the R-APDU.

Latency: without socket options every APDU costs ~44 ms (Nagle's algorithm against delayed
ACKs). ``TCP_NODELAY`` is set once per connection and ``TCP_QUICKACK`` before every ``recv``
(Linux clears it again by itself), which brings a round trip through pcscd to ~0.15 ms.

The bridge reconnects with backoff while pcscd is away (connection refused, reset, closed), and
``remove()`` keeps the card out until ``insert()``. A card that raises
:class:`~drivers.pcsc.spi.CardWithdrawn` (a tear, see ``simulators.card.controls``) is removed the
same way: the connection closes without an answer.

Use it in a thread (tests, benches)::

    bridge = VpcdBridge(card, port=35963)
    bridge.start()            # connects (inserts the card) in a background thread
    bridge.wait_connected(5.0)
    ...
    bridge.stop()

or as the main loop of a process with :meth:`VpcdBridge.run`; :meth:`stop` may be called from any
thread or from a signal handler (it takes no lock).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

from drivers.pcsc.spi import CardWithdrawn, SimulatedCard

log = logging.getLogger(__name__)

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_GET_ATR = 0x04

SW_NO_DIAGNOSIS = b"\x6f\x00"
"""Answer to an APDU the card model failed on (a bug in the model, never a protocol answer)."""

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class _ConnectionClosed(Exception):
    """The peer closed the connection (or ``remove()``/``stop()`` shut it down)."""


class VpcdBridge:
    """One virtual card on one vpcd port: ``start()``/``run()``, ``stop()``, ``insert()``,
    ``remove()``.

    ``inserted`` says whether the card should be in the reader (it starts inserted);
    ``connected`` whether it is connected to vpcd right now. ``reinsert_after_withdrawal``: after a
    tear (``CardWithdrawn``) put the card back by itself after that many seconds; ``None`` (the
    default) leaves it out until ``insert()``.
    """

    def __init__(
        self,
        card: SimulatedCard,
        port: int,
        host: str = "127.0.0.1",
        *,
        name: str = "card",
        inserted: bool = True,
        reinsert_after_withdrawal: float | None = None,
        backoff_initial: float = 0.05,
        backoff_max: float = 1.0,
        connect_timeout: float = 2.0,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.name = name
        self.reinsert_after_withdrawal = reinsert_after_withdrawal
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.connect_timeout = connect_timeout
        self.apdu_count = 0
        self.connections = 0
        self._inserted = inserted
        self._stopping = False
        self._sock: socket.socket | None = None
        self._wake = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    # -- state -------------------------------------------------------------------------------

    @property
    def inserted(self) -> bool:
        return self._inserted

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_connected(self, timeout: float) -> bool:
        """Wait until the card is connected to vpcd (pcscd notices it ~0.4 s later)."""
        return self._connected.wait(timeout)

    def wait_disconnected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._connected.is_set():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    # -- controls ----------------------------------------------------------------------------

    def start(self) -> None:
        """Run the bridge in a daemon thread (idempotent)."""
        if self.running:
            return
        self._stopping = False
        self._thread = threading.Thread(
            target=self.run, name=f"vpcd-{self.name}-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection (the card is removed) and end the loop. Safe from any thread."""
        self._stopping = True
        self._wake.set()
        self._shutdown_socket()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("vpcd bridge thread did not stop", extra={"card": self.name})
            else:
                self._thread = None

    def insert(self) -> None:
        """Put the card (back) into the reader: connect to vpcd."""
        self._inserted = True
        self._wake.set()

    def remove(self) -> None:
        """Take the card out: close the connection and stay out until :meth:`insert`."""
        self._inserted = False
        self._wake.set()
        self._shutdown_socket()

    def _shutdown_socket(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- loop --------------------------------------------------------------------------------

    def run(self) -> None:
        """The bridge's loop; returns after :meth:`stop`."""
        backoff = self.backoff_initial
        refused_logged = False
        log.info(
            "vpcd bridge running", extra={"card": self.name, "host": self.host, "port": self.port}
        )
        while not self._stopping:
            self._wake.clear()
            if not self._inserted:
                self._wake.wait()
                continue
            try:
                sock = socket.create_connection((self.host, self.port), self.connect_timeout)
            except OSError as exc:
                if not refused_logged:
                    log.info(
                        "vpcd not reachable, retrying with backoff",
                        extra={"card": self.name, "port": self.port, "error": str(exc)},
                    )
                    refused_logged = True
                self._wake.wait(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            backoff = self.backoff_initial
            refused_logged = False
            reason = self._serve(sock)
            delay = self.reinsert_after_withdrawal
            if reason == "withdrawn" and delay is not None and not self._stopping:
                if not self._wake.wait(delay):
                    self._inserted = True
                # an insert()/remove()/stop() during the wait decides instead
                self._wake.set()
        log.info("vpcd bridge stopped", extra={"card": self.name, "port": self.port})

    def _serve(self, sock: socket.socket) -> str:
        """Serve one connection until it ends; return why it ended."""
        self._sock = sock
        self.connections += 1
        reason = "closed"
        try:
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._stopping or not self._inserted:  # raced with stop()/remove()
                return "removed"
            self._connected.set()
            log.info("card inserted", extra={"card": self.name, "port": self.port})
            while True:
                message = self._recv_message(sock)
                answer = self._handle(message)
                if answer is not None:
                    sock.sendall(len(answer).to_bytes(2, "big") + answer)
        except CardWithdrawn:
            reason = "withdrawn"
            self._inserted = False  # before `connected` clears: out until insert()
        except _ConnectionClosed:
            reason = "closed"
        except OSError as exc:
            reason = "closed"
            log.debug("vpcd connection error", extra={"card": self.name, "error": str(exc)})
        finally:
            self._sock = None
            self._connected.clear()
            with contextlib.suppress(OSError):
                sock.close()
            with contextlib.suppress(Exception):
                self.card.power_off()  # a card out of the field has no power
        if self._stopping:
            reason = "stopped"
        elif not self._inserted and reason == "closed":
            reason = "removed"
        log.info("card removed", extra={"card": self.name, "port": self.port, "reason": reason})
        return reason

    def _handle(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            code = message[0]
            if code == CTRL_GET_ATR:
                return bytes(self.card.atr)
            if code == CTRL_POWER_ON:
                self.card.power_on()
            elif code == CTRL_POWER_OFF:
                self.card.power_off()
            elif code == CTRL_RESET:
                self.card.reset()
            else:
                log.warning("unknown vpcd control code", extra={"card": self.name, "code": code})
            return None
        if not message:
            return None
        self.apdu_count += 1
        try:
            return bytes(self.card.transmit(message))
        except CardWithdrawn:
            log.info(
                "card withdrawn during a command (tear)",
                extra={"card": self.name, "header": message[:4].hex()},
            )
            raise
        except Exception:
            log.exception(
                "card model failed on a command",
                extra={"card": self.name, "header": message[:4].hex()},
            )
            return SW_NO_DIAGNOSIS

    @staticmethod
    def _recv_exactly(sock: socket.socket, size: int) -> bytes:
        buf = bytearray()
        while len(buf) < size:
            if _QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            chunk = sock.recv(size - len(buf))
            if not chunk:
                raise _ConnectionClosed
            buf += chunk
        return bytes(buf)

    def _recv_message(self, sock: socket.socket) -> bytes:
        size = int.from_bytes(self._recv_exactly(sock, 2), "big")
        return self._recv_exactly(sock, size) if size else b""

    def __enter__(self) -> VpcdBridge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
