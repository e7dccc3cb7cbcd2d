"""Run the real pcscd, with the vpcd driver, as a child process we own.

Used by the test harness, ``make demo`` and the benchmarks. By default the daemon is *private*:
it runs in its own mount namespace with ``/run/pcscd`` bound to a directory of ours, listens for
virtual cards on ports of our choosing, and clients find it through ``PCSCLITE_CSOCK_NAME``. So a
test run never disturbs (nor is disturbed by) a system pcscd, and two runs can share a machine.
Without the right to make a mount namespace (not root) it falls back to a shared pcscd at the
standard socket, started only if none is running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from config.runtime import stop_process

log = logging.getLogger(__name__)

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
READER_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")


class PcscdError(RuntimeError):
    """pcscd could not be started or stopped; the message says why in plain words."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("0.0.0.0", port))  # noqa: S104 - probing the port vpcd will bind
        except OSError:
            return False
    return True


def free_port_pair(start: int = 36000, stop: int = 40000, count: int = 2) -> int:
    """A port ``p`` with ``p`` .. ``p + count - 1`` free (vpcd listens on one port per
    reader; two readers per channel)."""
    first = start + (os.getpid() * 14) % (stop - start) // count * count
    candidates: list[int] = [*range(first, stop, count), *range(start, first, count)]
    for port in candidates:
        if all(_port_free(port + i) for i in range(count)):
            return port
    raise PcscdError(f"no {count} free TCP ports between {start} and {stop} for vpcd")


def reader_names(channels: int) -> tuple[str, ...]:
    """The readers of a pcscd with ``channels`` vpcd channels (two readers each): the first
    channel's are :data:`READER_NAMES`, channel ``i``'s ``Virtual PCD i 00 00`` and ``.. 01``."""
    names = list(READER_NAMES)
    for i in range(1, channels):
        names += [f"Virtual PCD {i} 00 00", f"Virtual PCD {i} 00 01"]
    return tuple(names)


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on TCP ``port`` (read from /proc: connecting would insert a
    card)."""
    needle = f":{port:04X} "
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 9 and parts[3] == "0A" and (parts[1] + " ").endswith(needle):
                    inodes.add(parts[9])
    return inodes


def _listening(port: int) -> bool:
    """Whether TCP ``port`` is listening (whoever listens)."""
    return bool(_listening_inodes(port))


def _socket_inodes_of(pid: int) -> set[str] | None:
    """The socket inodes process ``pid`` holds open; None when /proc does not tell."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes: set[str] = set()
    try:
        names = list(fd_dir.iterdir())
    except OSError:
        return None
    for fd in names:
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


_BIND_FAILED = ("Address already in use", "Virtual PCD init failed")
"""What pcscd's log says when vpcd could not listen on its port."""


def can_make_mount_namespace() -> bool:
    """Whether this process may run a private pcscd (``unshare --mount`` and a bind mount)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True, check=False, timeout=10)
    return probe.returncode == 0


def system_pcscd_running() -> bool:
    if not SYSTEM_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(SYSTEM_SOCKET))
        except OSError:
            return False
    return True


@dataclass
class PcscdProcess:
    """One pcscd we started. ``start()``, ``stop()``, ``kill()``, ``restart()``."""

    workdir: Path
    base_port: int = 0
    private: bool = True
    startup_timeout: float = 10.0
    channels: int = 1
    """vpcd channels, two readers each (pcsc-lite takes up to 16 readers: 8 channels)."""
    debug: bool = False
    """Run pcscd with ``--debug`` (every reader event and call in its log: diagnostics only)."""
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log_start: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        if not 1 <= self.channels <= 8:
            raise PcscdError("pcscd takes 1 to 8 vpcd channels (16 readers)")
        if not self.base_port:
            self.base_port = free_port_pair(count=2 * self.channels)

    @property
    def socket_path(self) -> Path:
        return self.workdir / "run" / "pcscd.comm" if self.private else SYSTEM_SOCKET

    @property
    def ports(self) -> tuple[int, ...]:
        """vpcd ports of ``Virtual PCD 00 00`` and ``Virtual PCD 00 01`` (and of the other
        channels' readers, in :func:`reader_names` order)."""
        return tuple(self.base_port + i for i in range(2 * self.channels))

    @property
    def readers(self) -> tuple[str, ...]:
        return reader_names(self.channels)

    @property
    def env(self) -> dict[str, str]:
        """Environment for PC/SC clients of this daemon."""
        return {SOCKET_ENV: str(self.socket_path)}

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _command(self) -> list[str]:
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        conf = self.workdir / "reader.conf.d"
        cmd = [pcscd, "--foreground", "--config", str(conf), *(["--debug"] if self.debug else [])]
        if not self.private:
            return cmd
        run = self.workdir / "run"
        script = f'mount --bind "{run}" /run/pcscd && exec "$0" "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, *cmd]

    def _write_config(self) -> None:
        if not VPCD_DRIVER.exists():
            raise PcscdError(f"the vpcd driver {VPCD_DRIVER} is missing: install vsmartcard-vpcd")
        conf = self.workdir / "reader.conf.d"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "vpcd").write_text("\n".join(
            f'FRIENDLYNAME "Virtual PCD{f" {i}" if i else ""}"\n'
            f"DEVICENAME   /dev/null:0x{self.base_port + 2 * i:04X}\n"
            f"LIBPATH      {self._driver_copy(i)}\n"
            f"CHANNELID    0x{self.base_port + 2 * i:04X}\n"
            for i in range(self.channels)))
        run = self.workdir / "run"
        run.mkdir(parents=True, exist_ok=True)
        for stale in ("pcscd.comm", "pcscd.pid"):
            (run / stale).unlink(missing_ok=True)

    def _driver_copy(self, channel: int) -> Path:
        """The vpcd driver for ``channel``: vpcd keeps its slots in the library's globals, so
        each channel past the first loads its own copy of the library (pcscd dlopens each
        LIBPATH once)."""
        if channel == 0:
            return VPCD_DRIVER
        copy = self.workdir / "drivers" / f"libifdvpcd-{channel}.so"
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(VPCD_DRIVER, copy)
        return copy

    def start(self) -> None:
        if self.proc and self.proc.poll() is None:
            return
        if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
            raise PcscdError("pcscd is not installed: run `make setup` (Debian package pcscd)")
        if self.private and not can_make_mount_namespace():
            log.info("no right to make a mount namespace (not root, or a restricted "
                     "container): using the shared pcscd instead of a private one")
            self.private = False
        if not self.private and system_pcscd_running():
            raise PcscdError("a system pcscd is already running; stop it or run as root")
        for port in self.ports:
            if _listening(port):
                raise PcscdError(self._port_taken(port))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        if self.private:
            Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
        logfile = open(self.workdir / "pcscd.log", "ab")  # noqa: SIM115 - owned by the child
        self._log_start = logfile.tell()
        try:
            self.proc = subprocess.Popen(self._command(), stdout=logfile, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        finally:
            logfile.close()
        self._wait_ready()
        log.info("pcscd started", extra={"pid": self.pid, "ports": self.ports,
                                         "socket": str(self.socket_path)})

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                tail = (self.workdir / "pcscd.log").read_text(errors="replace")[-600:]
                raise PcscdError(f"pcscd exited with code {self.proc.returncode}: {tail.strip()}")
            failed = self._bind_failure()
            if failed is not None:
                self.kill()
                raise PcscdError(self._port_taken(failed))
            if self.socket_path.exists() and all(self._ours(p) for p in self.ports):
                return
            time.sleep(0.05)
        taken = [p for p in self.ports if _listening(p) and not self._ours(p)]
        self.kill()
        if taken:
            raise PcscdError(self._port_taken(taken[0]))
        raise PcscdError(f"pcscd did not come up within {self.startup_timeout:.0f} s "
                         f"(socket {self.socket_path}, vpcd ports {self.ports})")

    @staticmethod
    def _port_taken(port: int) -> str:
        return (f"vpcd port {port} is already in use (another pcscd or program listens on it); "
                f"stop it or choose another --base-port")

    def _ours(self, port: int) -> bool:
        """Whether *our* pcscd listens on ``port`` (not another one that holds it)."""
        listening = _listening_inodes(port)
        if not listening or self.proc is None:
            return False
        held = _socket_inodes_of(self.proc.pid)
        return held is None or bool(listening & held)

    def _bind_failure(self) -> int | None:
        """The vpcd port pcscd's log says it could not listen on, if any."""
        with contextlib.suppress(OSError), open(self.workdir / "pcscd.log", "rb") as fh:
            fh.seek(self._log_start)
            text = fh.read().decode(errors="replace")
            if any(marker in text for marker in _BIND_FAILED):
                listening = [p for p in self.ports if not self._ours(p)]
                return listening[0] if listening else self.ports[0]
        return None

    def stop(self, timeout: float = 8.0) -> None:
        """SIGTERM, then SIGKILL if it lingers. Idempotent."""
        if not self.proc:
            return
        stop_process(self.proc, timeout)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: pcscd dies the way a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> PcscdProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
