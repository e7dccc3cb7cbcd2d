"""Card operations through the real pcscd: APDU count per operation, median and p95 wall time of
a purchase, a bus fare and a load, and their ratio to (APDU count x raw round trip).

    .venv/bin/python -m bench.purchase [--n 200]

The terminal is the product's CardTerminal with the virtual PSAM (PcscSam) and the in-process
load authority. Two journal settings are measured: ``synchronous=OFF`` isolates the card
protocol (this is what the ratio target is about), ``synchronous=FULL`` is the durable journal
a terminal really runs with (two fsyncs per transaction: pending, then completed).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

from bench.stack import Stack, card_stack
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.journal import Journal
from cardsvc.load_authority import InProcessLoadAuthority
from cardsvc.sam.pcsc import PcscSam
from cardsvc.terminal import CardTerminal
from drivers.pcsc.channel import CardChannel

SELECT = bytes.fromhex("00A4040009A00000000386980701")
GET_BALANCE = bytes.fromhex("805C000204")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def raw_rtt(card: CardChannel, n: int) -> float:
    card.transmit(SELECT)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        card.transmit(GET_BALANCE)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def measure(stack: Stack, n: int, synchronous: str) -> dict[str, dict[str, float]]:
    card = CardChannel.connect(stack.backend, stack.card_reader)
    sam_channel = CardChannel.connect(stack.backend, stack.sam_reader)
    journal = Journal.open(stack.root / f"journal-{synchronous}.sqlite", synchronous=synchronous)
    authority = InProcessLoadAuthority.from_key_file(install_demo_keys(stack.root / "keys"))
    term = CardTerminal(card, PcscSam(sam_channel), journal, load_authority=authority)
    rtt = raw_rtt(card, 500)
    ops: dict[str, Callable[[], object]] = {
        "identify": term.identify,
        "load": lambda: term.load(100, "123456"),
        "purchase": lambda: term.purchase(1),
        "bus fare": lambda: term.ride("1"),
    }
    out: dict[str, dict[str, float]] = {}
    for name, op in ops.items():
        op()  # warm up (the PSAM's SELECT and terminal ID are read once per terminal)
        times: list[float] = []
        c0, s0 = card.stats.commands, sam_channel.stats.commands
        g0 = card.stats.get_responses + sam_channel.stats.get_responses
        for _ in range(n):
            t = time.perf_counter()
            op()
            times.append(time.perf_counter() - t)
        commands = ((card.stats.commands - c0) + (sam_channel.stats.commands - s0)) / n
        gets = (card.stats.get_responses + sam_channel.stats.get_responses - g0) / n
        med = statistics.median(times)
        out[name] = {"commands": commands, "get_responses": gets, "median_ms": med * 1e3,
                     "p95_ms": pct(times, 0.95) * 1e3, "rtt_ms": rtt * 1e3,
                     "ratio": med / ((commands + gets) * rtt)}
    journal.close()
    card.disconnect()
    sam_channel.disconnect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="runs per operation")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, n={args.n} per operation, through pcscd + vpcd")
    with card_stack() as stack:
        for sync in ("OFF", "FULL"):
            results = measure(stack, args.n, sync)
            rtt = next(iter(results.values()))["rtt_ms"]
            print(f"\njournal synchronous={sync}; raw round trip (GET BALANCE) median "
                  f"{rtt:.3f} ms")
            print(f"{'operation':<10} {'commands':>8} {'GET RESP':>8} {'median ms':>10} "
                  f"{'p95 ms':>8} {'ratio':>6}")
            for name, r in results.items():
                print(f"{name:<10} {r['commands']:>8.0f} {r['get_responses']:>8.0f} "
                      f"{r['median_ms']:>10.3f} {r['p95_ms']:>8.3f} {r['ratio']:>6.2f}")
    print("\nratio = median / ((commands + GET RESPONSEs) x raw round trip); target <= 2 "
          "with synchronous=OFF. Commands include the PSAM's (8070, 8072).")


if __name__ == "__main__":
    main()
