"""The virtual receipt printer: ESC/POS over TCP (like port 9100) and a pty (like a serial port).

    printer = VirtualPrinter(out_dir, paper="ok").start()     # port 0: a free port
    printer.url                                               # "tcp://127.0.0.1:PORT"
    printer.paper = "out"                                     # tests change it at run time
    printer.wait_receipts(1, timeout=5)                       # rendered receipts

Like a real network printer it serves one connection at a time. Bytes go to one
:class:`EscPosDecoder` (the printer's state survives between connections, paper is one roll);
each cut ends a receipt, which a background thread draws to ``receipt-NNNN.png`` with its text
(``.txt``) and decoded content (``.json``), so status answers are never held up by drawing.
The paper state is answered to ``DLE EOT``; with an output directory it is also kept in
``DIR/paper`` (``ok``, ``near-end``, ``out``), which another process may rewrite
(``simulators printer paper DIR out``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import socket
import threading
import time
import tty
from enum import StrEnum
from pathlib import Path

from config.files import atomic_write
from simulators.printer.decoder import EscPosDecoder
from simulators.printer.model import Receipt
from simulators.printer.render import ReceiptRenderer, write_receipt

log = logging.getLogger(__name__)

PAPER_FILE = "paper"


class Paper(StrEnum):
    OK = "ok"
    NEAR_END = "near-end"
    OUT = "out"


# DLE EOT answers (fixed bits 0x12) for n = 1 printer, 2 offline cause, 3 error, 4 paper
_ANSWERS = {
    Paper.OK: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    Paper.NEAR_END: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    Paper.OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
}


class VirtualPrinter:
    def __init__(self, out_dir: Path | str | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, paper: Paper | str = Paper.OK, paper_mm: int = 58,
                 encoding: str = "gb18030", answer_status: bool = True,
                 pty_path: Path | str | None = None, render: bool = True,
                 idle_timeout: float = 30.0) -> None:
        if paper_mm not in (58, 80):
            raise ValueError("paper width must be 58 or 80 mm")
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.host, self.port = host, port
        self.answer_status = answer_status
        self.pty_path = Path(pty_path) if pty_path is not None else None
        self.render = render and self.out_dir is not None
        self.idle_timeout = idle_timeout
        self.columns, self.dots = (32, 384) if paper_mm == 58 else (48, 576)
        self.bytes_received = 0
        self.connections = 0
        self._paper = Paper(paper)
        self._paper_mtime = 0.0
        self._lock = threading.Lock()
        self._done = threading.Condition()
        self._receipts: list[Receipt] = []
        self._pending: queue.Queue[Receipt | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._pty_fds: tuple[int, int] | None = None
        first = 1
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            first += len(list(self.out_dir.glob("receipt-*.json")))
        self.decoder = EscPosDecoder(columns=self.columns, dots=self.dots, encoding=encoding,
                                     status=self._status_byte, on_receipt=self._pending.put,
                                     first_index=first)

    # -- paper ------------------------------------------------------------------------------
    @property
    def paper(self) -> Paper:
        self._sync_paper_file()
        return self._paper

    @paper.setter
    def paper(self, value: Paper | str) -> None:
        self._paper = Paper(value)
        if self.out_dir is not None:
            write_paper_file(self.out_dir, self._paper)
            self._paper_mtime = (self.out_dir / PAPER_FILE).stat().st_mtime
        log.info("printer.sim.paper %s", self._paper.value,
                 extra={"event": "printer.sim.paper", "paper": self._paper.value})

    def _sync_paper_file(self) -> None:
        if self.out_dir is None:
            return
        path = self.out_dir / PAPER_FILE
        with contextlib.suppress(OSError, ValueError):
            mtime = path.stat().st_mtime
            if mtime != self._paper_mtime:
                self._paper_mtime = mtime
                self._paper = Paper(path.read_text().strip())

    def _status_byte(self, n: int) -> int | None:
        if not self.answer_status:
            return None
        return _ANSWERS[self.paper].get(n, 0x12)

    # -- life cycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> VirtualPrinter:
        listener = socket.create_server((self.host, self.port), backlog=8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        if self.out_dir is not None:
            self.paper = self._paper
        self._spawn(self._serve_tcp, "printer-sim-tcp")
        if self.pty_path is not None:
            self._open_pty(self.pty_path)
            self._spawn(self._serve_pty, "printer-sim-pty")
        self._spawn(self._render_loop, "printer-sim-render")
        log.info("printer.sim.started %s", self.url, extra={"event": "printer.sim.started",
                                                            "url": self.url})
        return self

    def stop(self) -> None:
        """Stop serving, hand over what was printed but not cut, finish drawing. Idempotent."""
        if not self._threads:
            return
        self._stop.set()
        for thread in self._threads[:-1]:
            thread.join(5)
        with self._lock:
            self.decoder.finish()
        self._pending.put(None)
        self._threads[-1].join(30)
        self._threads.clear()
        if self._listener is not None:
            self._listener.close()
        if self._pty_fds is not None:
            for fd in self._pty_fds:
                os.close(fd)
            if self.pty_path is not None:
                self.pty_path.unlink(missing_ok=True)

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    # -- receipts ---------------------------------------------------------------------------
    @property
    def receipts(self) -> list[Receipt]:
        with self._done:
            return list(self._receipts)

    def wait_receipts(self, count: int, timeout: float = 5.0) -> list[Receipt]:
        """At least ``count`` rendered receipts, or all there are when ``timeout`` runs out."""
        with self._done:
            self._done.wait_for(lambda: len(self._receipts) >= count, timeout)
            return list(self._receipts)

    def _render_loop(self) -> None:
        renderer = ReceiptRenderer() if self.render else None
        while (receipt := self._pending.get()) is not None:
            if renderer is not None and self.out_dir is not None:
                try:
                    write_receipt(receipt, self.out_dir, renderer)
                except Exception:
                    log.exception("printer.sim.render_failed %d", receipt.index)
            log.info("printer.sim.receipt %d: %d lines, %d bytes, cut %s", receipt.index,
                     len(receipt.lines), receipt.bytes, receipt.cut,
                     extra={"event": "printer.sim.receipt", "index": receipt.index})
            with self._done:
                self._receipts.append(receipt)
                self._done.notify_all()

    # -- transports -------------------------------------------------------------------------
    def _feed(self, data: bytes) -> bytes:
        with self._lock:
            self.bytes_received += len(data)
            self.decoder.paper_out = self.paper is Paper.OUT
            return self.decoder.feed(data)

    def _serve_tcp(self) -> None:
        assert self._listener is not None
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                self._serve_connection(conn)

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        idle_since = time.monotonic()
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                if time.monotonic() - idle_since > self.idle_timeout:
                    return
                continue
            except OSError:
                return
            if not data:
                return
            idle_since = time.monotonic()
            reply = self._feed(data)
            if reply:
                with contextlib.suppress(OSError):
                    conn.sendall(reply)

    def _open_pty(self, path: Path) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        path.unlink(missing_ok=True)
        path.symlink_to(os.ttyname(slave))
        self._pty_fds = (master, slave)

    def _serve_pty(self) -> None:
        assert self._pty_fds is not None
        master = self._pty_fds[0]
        while not self._stop.is_set():
            if not select.select([master], [], [], 0.1)[0]:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                time.sleep(0.05)
                continue
            reply = self._feed(data)
            if reply:
                os.write(master, reply)


def write_paper_file(out_dir: Path, paper: Paper | str) -> None:
    """Set the paper state of a virtual printer writing to ``out_dir`` (replaced atomically)."""
    atomic_write(Path(out_dir) / PAPER_FILE, Paper(paper).value + "\n")
