"""Per-APDU round trip through pcscd (vpcd + a virtual card) and in-process (MemoryBackend).

    .venv/bin/python -m bench.apdu_rtt [--count 2000] [--warmup 200]

Through pcscd: a private pcscd (simulators.pcscd.PcscdProcess, its own socket and vpcd ports),
the demo card served by ``simulators card serve`` in its own process on ``Virtual PCD 00 00``
and the same card answering the T=0 way (``--t0``) on ``Virtual PCD 00 01``; the client is this
process, through pyscard. In-process: the same card model attached to a MemoryBackend.

Rows:
- ``raw SCardTransmit``: pyscard alone, no CardChannel (the transport's floor);
- ``channel``: ``CardChannel.transmit`` as the product uses it (trace off, the I/O worker thread
  that enforces the timeout);
- ``channel, no timeout``: ``transmit_timeout=None`` (the exchange runs in the caller's thread);
- ``channel, T=0 SELECT``: a case-4 command to the T=0 card: ``61xx`` + GET RESPONSE, two APDUs
  per command (the APDU columns count them with and without GET RESPONSE).
The command is READ BINARY of EF15 (``00B095001E``, 30 bytes) unless named.

Prints a Markdown table; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartcard import scard  # libpcsclite reads PCSCLITE_CSOCK_NAME at the first call, not here

from config.runtime import stop_process
from drivers.pcsc import open_backend
from drivers.pcsc.channel import CardChannel, ChannelStats
from drivers.pcsc.memory_backend import MemoryBackend
from drivers.pcsc.spi import BackendSpi
from simulators.card.factory import open_user_card
from simulators.pcscd import READER_NAMES, SOCKET_ENV, PcscdProcess

ROOT = Path(__file__).resolve().parents[1]
READ_EF15 = bytes.fromhex("00B095001E")
SELECT_ADF = bytes.fromhex("00A4040009A00000000386980701")
CARD_NO = "4102000000000001"


@dataclass
class Row:
    path: str
    mode: str
    commands: int
    apdus: int
    apdus_without_get_response: int
    times_ns: list[int]

    def cells(self) -> list[str]:
        times = sorted(self.times_ns)
        median = statistics.median(times) / 1e6
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))] / 1e6
        return [self.path, self.mode, str(self.commands), str(self.apdus),
                str(self.apdus_without_get_response), f"{median:.3f}", f"{p95:.3f}"]


HEADER = ["path", "mode", "commands", "APDUs sent", "APDUs w/o GET RESPONSE",
          "median ms", "p95 ms"]


def measure(send: Callable[[], Any], count: int, warmup: int) -> list[int]:
    for _ in range(warmup):
        send()
    times: list[int] = []
    clock = time.perf_counter_ns
    for _ in range(count):
        started = clock()
        send()
        times.append(clock() - started)
    return times


def channel_rows(path: str, backend: BackendSpi, reader: str, t0_reader: str | None, count: int,
                 warmup: int) -> list[Row]:
    rows: list[Row] = []
    modes: list[tuple[str, float | None, str, bytes]] = [
        ("channel", 10.0, reader, READ_EF15),
        ("channel, no timeout", None, reader, READ_EF15),
    ]
    if t0_reader is not None:
        modes.append(("channel, T=0 SELECT", 10.0, t0_reader, SELECT_ADF))
    for mode, timeout, name, apdu in modes:
        with CardChannel.connect(backend, name, timeout=10.0, transmit_timeout=timeout) as ch:
            ch.transmit(SELECT_ADF)  # READ BINARY by SFI reads in the selected application
            ok = ch.transmit(apdu)
            if not ok.ok:
                raise SystemExit(f"{mode}: the card answered {ok.sw_hex}")

            def send(ch: CardChannel = ch, apdu: bytes = apdu) -> None:
                ch.transmit(apdu)

            measure(send, warmup, 0)
            ch.stats = ChannelStats()  # count the timed commands only
            times = measure(send, count, 0)
            rows.append(Row(path, mode, ch.stats.commands, ch.stats.apdus,
                            ch.stats.apdus_without_get_response, times))
    return rows


def raw_row(reader: str, count: int, warmup: int) -> Row:
    _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    code, card, protocol = scard.SCardConnect(ctx, reader, scard.SCARD_SHARE_SHARED,
                                              scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    if code != scard.SCARD_S_SUCCESS:
        raise SystemExit(f"SCardConnect: {scard.SCardGetErrorMessage(code)}")
    pci = scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1
    apdu = list(READ_EF15)
    try:
        scard.SCardTransmit(card, pci, list(SELECT_ADF))
        code, answer = scard.SCardTransmit(card, pci, apdu)
        if code != scard.SCARD_S_SUCCESS or answer[-2:] != [0x90, 0x00]:
            raise SystemExit(f"raw READ BINARY failed: {code:#x} {bytes(answer).hex()}")
        times = measure(lambda: scard.SCardTransmit(card, pci, apdu), count, warmup)
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(ctx)
    return Row("pcscd + vpcd", "raw SCardTransmit", count, count, count, times)


@contextmanager
def card_process(port: int, state: Path, *, t0: bool) -> Iterator[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "simulators.cli", "card", "serve", "--vpcd-port", str(port),
           "--state", str(state), "--card", CARD_NO, "--log-level", "WARNING"]
    proc = subprocess.Popen([*cmd, *(["--t0"] if t0 else [])], cwd=ROOT)
    try:
        yield proc
    finally:
        stop_process(proc)


def through_pcscd(work: Path, count: int, warmup: int) -> list[Row]:
    with ExitStack() as stack:
        daemon = stack.enter_context(PcscdProcess(work / "pcscd"))
        os.environ[SOCKET_ENV] = str(daemon.socket_path)  # before the first PC/SC call
        port, t0_port = daemon.ports
        stack.enter_context(card_process(port, work / "card", t0=False))
        stack.enter_context(card_process(t0_port, work / "card-t0", t0=True))
        backend = open_backend("pcsc://")
        stack.callback(backend.close)
        _wait_for_cards(backend)
        rows = [raw_row(READER_NAMES[0], count, warmup)]
        rows += channel_rows("pcscd + vpcd", backend, READER_NAMES[0], READER_NAMES[1],
                             count, warmup)
        return rows


def _wait_for_cards(backend: BackendSpi) -> None:
    """Until pcscd sees both card processes (connect waits for a card)."""
    for reader in READER_NAMES:
        CardChannel.connect(backend, reader, timeout=15.0).disconnect()


def in_process(work: Path, count: int, warmup: int) -> list[Row]:
    backend = MemoryBackend(["Memory 0", "Memory 1"])
    backend.insert("Memory 0", open_user_card(work / "mem-card", CARD_NO))
    backend.insert("Memory 1", open_user_card(work / "mem-card-t0", CARD_NO, t0=True))
    return channel_rows("in-process", backend, "Memory 0", "Memory 1", count, warmup)


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="timed commands per row")
    parser.add_argument("--warmup", type=int, default=200, help="untimed commands first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="apdu-rtt-") as tmp:
        work = Path(tmp)
        rows = through_pcscd(work, args.count, args.warmup) + in_process(work, args.count,
                                                                           args.warmup)
    print(f"APDU round trip, {args.count} commands per row after {args.warmup} warm-up; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
