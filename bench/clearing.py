"""Clearing ingest rate with TAC checks, on SQLite and PostgreSQL, in-process and over HTTP.

    .venv/bin/python -m bench.clearing [--records 100000] [--cards 20000] [--batch 500]
                                       [--only sqlite|postgresql] [--concurrency 4] [--workers 2]

Generates valid records with real TACs (cards 3DES and SM4, purchases, compound purchases and
loads, each card's counters and balances consistent), serialises them into JSON batches, then
for each database:

* in-process: ``ClearingService.ingest_json(batch)`` (JSON parsing, TAC check, storage);
* HTTP: ``backoffice serve --workers W`` in its own processes on a loopback port (TAC checks
  are CPU-bound: one worker per core); the batches are POSTed with httpx (keep-alive,
  ``--concurrency`` connections, as several terminals upload at once), each answer checked.

Each run starts on an empty database (SQLite WAL ``synchronous=FULL`` in a temporary directory;
a throwaway PostgreSQL 15 cluster with its durable defaults: fsync on). Keys come cold: the
diversified-key cache starts empty. Prints records/s, and the CPU time the ingesting process(es)
spent per record (the figure that does not depend on what else the machine is doing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from backoffice.clearing.app import build_service
from backoffice.clearing.settings import ServerSettings
from backoffice.pgtemp import ThrowawayPostgres
from cardsvc import crypto
from cardsvc.crypto import Alg
from cardsvc.keys import IssuerKeys
from cardsvc.profile import ALG_NAMES
from config.runtime import free_tcp_port

MTK = bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0")  # demo issuer, card-spec section 7
MLK = bytes.fromhex("5A6B7C8D9EAFB0C1D2E3F40516273849")
TOKEN = "bench-token-0123456789"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class _Card:
    no: str
    alg: Alg
    dtk: bytes
    balance: int = 50_000
    off: int = 0
    on: int = 0

    @property
    def name(self) -> str:
        return ALG_NAMES[self.alg]


def generate(n_records: int, n_cards: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n_records`` genuine records over ``n_cards`` cards and 50 terminals."""
    rng = random.Random(seed)
    terminals = [f"4102{i:08d}" for i in range(1, 51)]
    ttsn = dict.fromkeys(terminals, 0)
    load_seq = dict.fromkeys(terminals, 0)
    cards: list[_Card] = []
    for i in range(n_cards):
        alg = Alg.SM4 if i % 5 == 0 else Alg.TDES
        number = f"41029{i:011d}"
        cards.append(_Card(number, alg, crypto.diversify(alg, MTK, crypto.to_bcd(number, 8))))
    start = dt.datetime(2026, 11, 26, 6, 0, 0)
    out = []
    for k in range(n_records):
        card = cards[rng.randrange(n_cards)]
        term = terminals[rng.randrange(len(terminals))]
        tid = crypto.to_bcd(term, 6)
        when = start + dt.timedelta(seconds=k // 8)
        date, tm = crypto.bcd_datetime(when)
        if card.balance < 2000 or rng.random() < 0.05:
            amount = rng.choice((1000, 2000, 5000))
            card.balance += amount
            load_seq[term] += 1
            tac = crypto.load_tac(card.alg, card.dtk, new_balance=card.balance,
                                  online_atc=card.on, amount=amount, terminal_id=tid,
                                  date=date, time=tm)
            kind, atc, seq = "load", card.on, load_seq[term]
            card.on += 1
        else:
            amount = rng.choice((100, 150, 200, 250, 400))
            compound = rng.random() < 0.3
            ttsn[term] += 1
            tac = crypto.purchase_tac(card.alg, card.dtk, amount=amount,
                                      tx_type=0x09 if compound else 0x06, terminal_id=tid,
                                      ttsn=ttsn[term], date=date, time=tm)
            card.balance -= amount
            kind, atc, seq = ("compound" if compound else "purchase"), card.off, ttsn[term]
            card.off += 1
        out.append({"card_no": card.no, "card_atc": atc, "terminal_id": term, "ttsn": seq,
                    "type": kind, "amount_fen": amount, "balance_after_fen": card.balance,
                    "date_time": when.isoformat(), "tac": tac.hex().upper(),
                    "alg": card.name, "hotlist_version": 0})
    return out


def batches(records: list[dict[str, Any]], size: int) -> list[bytes]:
    return [json.dumps(records[i:i + size]).encode() for i in range(0, len(records), size)]


def _keys() -> IssuerKeys:
    return IssuerKeys(mtk=MTK, mlk=MLK)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its children (the server's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return _cpu_s(pid) + sum(_cpu_s(k) for k in kids)


def in_process(url: str, bodies: list[bytes], n: int) -> tuple[float, float]:
    """(records/s, CPU microseconds of this process per record)."""
    service = build_service(ServerSettings(db_url=url, token=TOKEN, keys=_keys()))
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        new = sum(service.ingest_json(body).new for body in bodies)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        service.repo.db.close()
    assert new == n, f"{new} of {n} stored"
    return n / elapsed, cpu / n * 1e6


def over_http(url: str, bodies: list[bytes], n: int, concurrency: int, workers: int,
              key_dir: Path) -> tuple[float, float]:
    """(records/s, CPU microseconds of the server processes per record)."""
    key_file = key_dir / "keys.toml"
    key_file.write_text(f'[issuer]\nmtk = "{MTK.hex()}"\nmlk = "{MLK.hex()}"\n')
    key_file.chmod(0o600)
    port = free_tcp_port()
    env = {**os.environ, "BACKOFFICE_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "backoffice.cli", "serve", "--port", str(port), "--db", url,
         "--keys", str(key_file), "--log-level", "warning", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {proc.communicate()[1]}"
                                       ) from None
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        clients = [httpx.Client(base_url=base, headers=headers, timeout=60)
                   for _ in range(concurrency)]

        def post(i: int) -> int:
            r = clients[i % concurrency].post("/v1/transactions", content=bodies[i])
            r.raise_for_status()
            return int(r.json()["new"])

        t0, c0 = time.perf_counter(), _tree_cpu_s(proc.pid)
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            new = sum(pool.map(post, range(len(bodies))))
        elapsed, cpu = time.perf_counter() - t0, _tree_cpu_s(proc.pid) - c0
        for c in clients:
            c.close()
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    assert new == n, f"{new} of {n} stored"
    return n / elapsed, cpu / n * 1e6


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--cards", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=4, help="HTTP connections")
    p.add_argument("--workers", type=int, default=2, help="server processes (serve --workers)")
    p.add_argument("--only", choices=["sqlite", "postgresql"])
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    records = generate(args.records, args.cards)
    bodies = batches(records, args.batch)
    print(f"generated {len(records)} records with real TACs for {args.cards} cards "
          f"({sum(len(b) for b in bodies) / 1e6:.1f} MB JSON, {len(bodies)} batches of "
          f"{args.batch}) in {time.perf_counter() - t0:.1f} s", flush=True)

    results: list[tuple[str, str, float, float]] = []
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-clearing-") as tmp:
        work = Path(tmp)
        dbs: list[tuple[str, Callable[[str], str]]] = []
        if args.only in (None, "sqlite"):
            dbs.append(("sqlite", lambda tag: f"sqlite:///{work / tag}.sqlite3"))
        pg = None
        if args.only in (None, "postgresql"):
            pg = ThrowawayPostgres(durable=True)
            pg.start()
            dbs.append(("postgresql", pg.create_database))
        try:
            for name, make in dbs:
                rate, cpu = in_process(make("inproc"), bodies, len(records))
                results.append((name, "in-process", rate, cpu))
                print(f"{name:10} in-process  {rate:9,.0f} records/s  ({cpu:.0f} us CPU/record)",
                      flush=True)
                rate, cpu = over_http(make("http"), bodies, len(records), args.concurrency,
                                      args.workers, work)
                path = f"HTTP, {args.concurrency} conn, {args.workers} worker(s)"
                results.append((name, path, rate, cpu))
                print(f"{name:10} {path}  {rate:9,.0f} records/s  "
                      f"({cpu:.0f} us server CPU/record)", flush=True)
        finally:
            if pg is not None:
                pg.stop()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| database | path | records/s | CPU us/record (ingesting process) |")
    print("|---|---|---|---|")
    for name, path, rate, cpu in results:
        print(f"| {name} | {path} | {rate:,.0f} | {cpu:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
