"""A throwaway PostgreSQL cluster for the tests and the benchmark (never used by the service).

It runs the server binaries of the machine (``/usr/lib/postgresql/<ver>/bin``, or
``$PG_BIN``) on a private data directory and unix-socket directory, listening on no TCP
address, with ``trust`` authentication for the local socket only. ``initdb`` refuses to run as
root, so as root the cluster runs as the ``postgres`` system user (``runuser``), and its
directory is owned by that user.

    with ThrowawayPostgres() as pg:
        url = pg.create_database("clearing")   # postgresql://postgres@/clearing?host=...&port=...
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from config.runtime import free_tcp_port

__all__ = ["PostgresUnavailable", "ThrowawayPostgres", "find_pg_bin"]


class PostgresUnavailable(RuntimeError):
    """The cluster could not be created or started (the message says why)."""


def find_pg_bin() -> Path:
    env = os.environ.get("PG_BIN")
    if env:
        return Path(env)
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not versions:
        raise PostgresUnavailable(f"no PostgreSQL server binaries under {root} (set $PG_BIN)")
    return versions[-1]


class ThrowawayPostgres:
    """initdb + pg_ctl start on a temporary directory; :meth:`stop` removes everything."""

    def __init__(self, bin_dir: Path | None = None, *, durable: bool = False) -> None:
        self.bin = bin_dir or find_pg_bin()
        self.durable = durable
        """False: fsync off (tests). True: the server's durable defaults (benchmarks)."""
        self.base: Path | None = None
        self.port = 0
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{args[0]} failed: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-800:]
            raise PostgresUnavailable(f"{args[0]} exited {done.returncode}: {tail}")
        return done

    @property
    def socket_dir(self) -> Path:
        assert self.base is not None
        return self.base / "sock"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def start(self) -> str:
        """Create and start the cluster; returns the URL of the ``postgres`` database."""
        if not (self.bin / "initdb").exists():
            raise PostgresUnavailable(f"no initdb in {self.bin}")
        self.base = Path(tempfile.mkdtemp(prefix="backoffice-pg-"))
        (self.base / "sock").mkdir()
        if self._as_postgres:
            try:
                shutil.chown(self.base, "postgres", "postgres")
                shutil.chown(self.base / "sock", "postgres", "postgres")
            except (LookupError, OSError) as exc:
                self._cleanup()
                raise PostgresUnavailable(f"cannot hand the cluster to user postgres: {exc}"
                                          ) from None
        data = self.base / "data"
        options = [f"-p {self.port}" if self.port else "", f"-k {self.socket_dir}",
                   "-c listen_addresses=''"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off",
                        "-c full_page_writes=off"]
        try:
            self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--locale=C", *(() if self.durable else ("--no-sync",)))
            for _ in range(5):
                self.port = free_tcp_port()
                options[0] = f"-p {self.port}"
                try:
                    self._run("pg_ctl", "-D", str(data), "-l", str(self.base / "server.log"),
                              "-w", "-t", "30", "-o", " ".join(options), "start")
                    break
                except PostgresUnavailable:
                    if self._running():
                        raise
            else:
                raise PostgresUnavailable(f"the server did not start: {self._log_tail()}")
        except PostgresUnavailable:
            self.stop()
            raise
        return self.url()

    def _running(self) -> bool:
        return self.base is not None and (self.base / "data" / "postmaster.pid").exists()

    def _log_tail(self) -> str:
        try:
            assert self.base is not None
            return (self.base / "server.log").read_text(errors="replace")[-800:]
        except (OSError, AssertionError):
            return "(no server log)"

    def create_database(self, name: str) -> str:
        """Create a database (name: letters, digits, underscore) and return its URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError("database names here are letters, digits and underscores")
        try:
            with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"cannot create database {name}: {exc}") from None
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if self.base is None:
            return
        if self._running():
            with contextlib.suppress(PostgresUnavailable):
                self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "-t",
                          "30", "stop")
        self._cleanup()

    def _cleanup(self) -> None:
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
