"""Journal write latency with fsync: ``begin`` (pending, before DEBIT) and ``complete``.

    .venv/bin/python -m bench.journal [--n 2000] [--dir DIR]

Each write is one SQLite transaction in WAL mode with ``synchronous=FULL`` (the durable
setting a terminal runs with), on the disk of ``--dir`` (default: a temp dir under var/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from cardsvc.journal import Journal, NewEntry


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=Path("var"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, \
            Journal.open(Path(tmp) / "journal.sqlite", synchronous="FULL") as journal:
        begins, completes = [], []
        now = dt.datetime(2026, 11, 26, 12, 0, 0)
        for i in range(args.n):
            entry = NewEntry(card_no=f"41020000{i % 1000:08d}", card_atc=i,
                             terminal_id="410200000001",
                             ttsn=i + 1, type="purchase", kind="canteen", amount_fen=100,
                             balance_before_fen=10000, date_time=now, alg="3des",
                             hotlist_version=1)
            t = time.perf_counter()
            entry_id = journal.begin(entry)
            begins.append(time.perf_counter() - t)
            t = time.perf_counter()
            journal.complete(entry_id, tac=b"\x01\x02\x03\x04", mac2=b"\x05\x06\x07\x08",
                             mac2_verified=True)
            completes.append(time.perf_counter() - t)
    print(f"journal writes, synchronous=FULL, WAL, n={args.n}, on {args.dir.resolve()}")
    print(f"{'write':<10} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (("begin", begins), ("complete", completes)):
        print(f"{name:<10} {statistics.median(values) * 1e3:>10.3f} {pct(values, .95) * 1e3:>8.3f}"
              f" {pct(values, .99) * 1e3:>8.3f} {max(values) * 1e3:>8.3f}")
    print("target: p95 <= 5 ms per durable write")


if __name__ == "__main__":
    main()
