"""Byte transports for the virtual reader: a new pty (with a symlink), an existing tty (one end
of a ``socat`` pair, a USB-serial adapter), or a TCP port (pyserial's ``socket://``).

Each server runs one thread; ``start()`` returns once it serves, ``stop()`` ends it and removes
what it made (the symlink), so a stopped simulator looks like an unplugged reader.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import termios
import threading
import tty
from pathlib import Path

from simulators.idcard.device import VirtualIdReader

log = logging.getLogger(__name__)
_POLL_S = 0.1


class _Server:
    def __init__(self, device: VirtualIdReader, name: str) -> None:
        self.device = device
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run_guarded, name=name, daemon=True)

    def start(self) -> None:
        self._open()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self._close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run_guarded(self) -> None:
        try:
            self._run()
        except OSError:
            if not self._stop.is_set():
                log.exception("virtual ID-card reader transport failed")

    def _open(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> _Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class FdServer(_Server):
    """Serve on a file descriptor of a terminal: a pty master, or an opened tty."""

    def __init__(self, device: VirtualIdReader, fd: int = -1, name: str = "idcard-fd") -> None:
        super().__init__(device, name)
        self.fd = fd

    def _open(self) -> None:
        if self.fd < 0:
            raise ValueError("no file descriptor to serve on")

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], _POLL_S)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # EIO on a pty master while no one holds the other end
                self._stop.wait(_POLL_S)
                continue
            out = self.device.feed(data)
            if out:
                os.write(self.fd, out)

    def _close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = -1


class PtyServer(FdServer):
    """Make a pty pair, link ``path`` to the device end, serve on the other end."""

    def __init__(self, device: VirtualIdReader, path: Path) -> None:
        super().__init__(device, name="idcard-pty")
        self.path = Path(path)
        self._slave = -1

    def _open(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave, termios.TCSANOW)
        self.fd, self._slave = master, slave
        if self.path.is_symlink() or self.path.exists():
            self.path.unlink()
        self.path.symlink_to(os.ttyname(slave))
        log.info(
            "virtual ID-card reader on a pty",
            extra={"path": str(self.path), "tty": os.ttyname(slave)},
        )

    def _close(self) -> None:
        with contextlib.suppress(OSError):
            if self.path.is_symlink():
                self.path.unlink()
        super()._close()
        with contextlib.suppress(OSError):
            os.close(self._slave)
        self._slave = -1


class TtyServer(FdServer):
    """Serve on an existing terminal device (one end of a socat pair, a real serial port)."""

    def __init__(self, device: VirtualIdReader, path: Path) -> None:
        super().__init__(device, name="idcard-tty")
        self.path = Path(path)

    def _open(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)
        log.info("virtual ID-card reader on a tty", extra={"path": str(self.path)})


class TcpServer(_Server):
    """Serve one client at a time on ``host:port`` (pyserial ``socket://host:port``)."""

    def __init__(self, device: VirtualIdReader, port: int, host: str = "127.0.0.1") -> None:
        super().__init__(device, name="idcard-tcp")
        self.host, self.port = host, port
        self._sock: socket.socket | None = None

    def _open(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(4)
        sock.settimeout(_POLL_S)
        self._sock = sock
        self.port = sock.getsockname()[1]
        log.info("virtual ID-card reader on TCP", extra={"host": self.host, "port": self.port})

    @property
    def url(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def _run(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.settimeout(_POLL_S)
                self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            out = self.device.feed(data)
            if out:
                conn.sendall(out)

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
