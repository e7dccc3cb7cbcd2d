"""Validator soak: many consecutive taps, each card inserted and removed for every tap, 0 errors
expected, and at the end card balances = journals = clearing.

    .venv/bin/python -m bench.soak --taps 100000 --validators 8 [--pcscds 2] [--minutes 90]
    .venv/bin/python -m bench.soak --taps 100000 --validators 4 --via memory

``--via pcscd``: every validator is a real ``cardsvc validator`` process with its own PSAM
(its own terminal ID) and journal, all through one private pcscd with ``validators`` vpcd
channels (two readers each: the rider's card and the PSAM; pcsc-lite takes 16 readers, so 8
validators at most). ``--pcscds N`` runs N such private pcscd instances side by side (N x
``validators`` validators, each told its own daemon's ``PCSCLITE_CSOCK_NAME``, all terminal IDs
distinct, all uploading to the one back office). The bench inserts a card into a validator's
reader (vpcd connection), waits for the validator's result line *for that card* (the line names
the card), removes the card and waits until the validator has seen it gone, then taps the next
card. Any other result line, and a removal reported while the card was in, is a stray event
(a phantom tap's), counted apart and never taken for a tap's result; a stray result is an
error too (it showed the rider a refusal, or charged a tap the bench did not make). pcscd
notices a presence change only at its ~0.4 s poll of vpcd, so each reader does about one tap a
second at best: the readers run in parallel.

The virtual cards and PSAMs run in card-host processes of their own (``simulators.card_host``,
``--card-hosts`` per pcscd, niceness ``--card-nice``, -5 by default: root), not as threads of
this process: a real card has its own processor and never answers late because the terminal's
CPU is busy. A refused tap stays an error in the counts; no tap is retried.

``--via memory``: the same runtimes in this process over the in-memory reader backend, whose
presence changes are seen at once: the runtime, journal and uploads at full speed, no pcscd.

Every validator uploads to one ``backoffice serve`` (SQLite) as it goes. The fare table of the
soak charges 10 fen on line S (students 5 fen) so that 100,000 taps fit on the cards.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.chaos.clearing import TOKEN, BackofficeProcess, ClearingView
from cardsvc.demo_issuer import demo_issuer_keys, install_demo_keys
from cardsvc.journal import Journal
from cardsvc.purse.client import PurseClient
from config.files import atomic_write
from config.layout import VarLayout
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card import CardDescription, issue_user_card, open_psam, open_user_card
from simulators.card.controls import ControlledCard
from simulators.card_host import CardHost, CardHostError, Slot
from simulators.pcscd import PcscdProcess

LINE = "S"
FARES = 'default_fare_fen = 100\n[lines]\nS = 10\n[discount_percent]\nstudent = 50\nsenior = 0\n'
START_BALANCE = 100_000
WAIT_S = 15.0


def card_number(v: int, k: int) -> str:
    return f"41020009{v:02d}{k:06d}"


def terminal_id(v: int) -> str:
    return f"4102{90000000 + v:08d}"


def validator_count(args: argparse.Namespace) -> int:
    """All validators of the run (numbered 0.. across the pcscd instances)."""
    return int(args.validators * (args.pcscds if args.via == "pcscd" else 1))


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    taps: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    strays: Counter[str] = field(default_factory=Counter)
    """Validator lines that answer no tap of the bench (a phantom's): each a stray event;
    a stray result is also an error (the rider saw a refusal, or a fare nobody tapped for)."""
    latencies: list[float] = field(default_factory=list)
    target: int = 0
    deadline: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    loads: list[float] = field(default_factory=list)
    """1-minute load average, sampled every minute of the run."""

    def claim(self) -> bool:
        with self.lock:
            if self.stop.is_set() or self.taps >= self.target or time.monotonic() > self.deadline:
                return False
            self.taps += 1
            return True


# ---------------------------------------------------------------------------- the world


def issue_cards(cards_dir: Path, clearing: ClearingView, validators: int, per: int) -> None:
    keys = demo_issuer_keys()
    for v, k in itertools.product(range(validators), range(per)):
        number = card_number(v, k)
        kind = "student" if k % 2 else "adult"
        issue_user_card(cards_dir, CardDescription(number, f"乘客{v}{k}", f"SOAK{v:02d}{k:04d}",
                                                   kind, balance_fen=START_BALANCE), keys)
        response = clearing.http.post("/v1/cards", json={
            "card_no": number, "alg": "3des", "issued_balance_fen": START_BALANCE,
            "offline_atc": 0, "online_atc": 0, "card_type": kind})
        response.raise_for_status()


def config_for(root: Path, v: int, card_reader: str, sam_reader: str, clearing_url: str) -> Path:
    path = root / f"validator-{v}.toml"
    atomic_write(VarLayout(root / f"v{v}").clearing_client_token, TOKEN + "\n", mode=0o600)
    path.write_text(
        f'[paths]\nvar_dir = "{root / f"v{v}"}"\n'
        f'[card]\nreader = "{card_reader}"\nsam = "pcsc:{sam_reader}"\n'
        f'fare_table = "{root / "fares.toml"}"\n'
        f'[clearing_client]\nurl = "{clearing_url}"\n', encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- pcscd


class ValidatorProcess:
    """``cardsvc validator --json`` and the lines it prints."""

    def __init__(self, config: Path, passback: float, log: Path, env: dict[str, str]) -> None:
        self.lines: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        """(arrival, line): ``time.monotonic()`` when the line was read, and the line."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cardsvc.cli", "validator", "--line", LINE, "--json",
             "--passback", str(passback), "--config", str(config),
             *(["-v"] if os.environ.get("SOAK_VERBOSE") else [])],
            stdout=subprocess.PIPE, stderr=log.open("ab"), env={**os.environ, **env})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.lines.put((time.monotonic(), json.loads(raw)))

    def expect(self, *kinds: str, timeout: float = WAIT_S) -> tuple[float, dict[str, Any]] | None:
        """The next line of one of ``kinds`` (others skipped) with its arrival time."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                arrival, line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line["type"] in kinds:
                return arrival, line
        return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def drive_pcscd(host: CardHost, slot: int, numbers: list[str], validator: ValidatorProcess,
                tally: Tally) -> None:
    """Tap the cards ``numbers`` in turn. A result line is this tap's result only if it names
    the card inserted; any other ``operation_finished`` line, and a ``card_removed`` line while
    the card was in, is a stray event (a phantom tap's), never taken for the tap's result."""
    for card, number in itertools.cycle(enumerate(numbers)):
        if not tally.claim():
            return
        started = time.monotonic()
        try:
            host.insert(slot, card)
            result = tap_result(validator, number, started + WAIT_S, tally)
            removed = time.monotonic()
            elapsed = removed - started
            host.remove(slot)
        except CardHostError:
            with tally.lock:
                tally.errors["card host gone"] += 1
            return
        gone = removal_seen(validator, removed, tally)
        with tally.lock:
            if result is None:
                tally.errors["no result"] += 1
            elif not result["ok"]:
                tally.errors[result["code"]] += 1
            else:
                tally.latencies.append(elapsed)
            if not gone:
                tally.errors["removal not seen"] += 1


def tap_result(validator: ValidatorProcess, number: str, deadline: float,
               tally: Tally) -> dict[str, Any] | None:
    """The validator's result for card ``number`` (inserted), strays counted on the way."""
    while (got := validator.expect("operation_finished", "card_removed",
                                   timeout=deadline - time.monotonic())) is not None:
        line = got[1]
        if line["type"] == "operation_finished" and line.get("card_no") == number:
            return line
        stray(tally, line)
    return None


def removal_seen(validator: ValidatorProcess, removed: float, tally: Tally) -> bool:
    """Whether the validator saw the card go (a ``card_removed`` line read after the bench
    removed it; one read before, or a result line, is a stray)."""
    while (got := validator.expect("operation_finished", "card_removed")) is not None:
        arrival, line = got
        if line["type"] == "card_removed" and arrival >= removed:
            return True
        stray(tally, line)
    return False


def stray(tally: Tally, line: dict[str, Any]) -> None:
    with tally.lock:
        if line["type"] == "card_removed":
            tally.strays["card_removed while the card was in"] += 1
            return
        kind = "fare charged" if line["ok"] else str(line["code"])
        tally.strays[f"result of no tap: {kind}"] += 1
        tally.errors[f"stray result: {kind}"] += 1


def soak_pcscd(root: Path, args: argparse.Namespace, clearing_url: str, tally: Tally) -> None:
    """``args.pcscds`` private pcscd instances, ``args.validators`` validators on each; the
    cards and PSAMs in card-host processes of their own (``--card-hosts`` per pcscd) at
    niceness ``--card-nice``, like real cards that have their own processor."""
    hosts: list[CardHost] = []
    validators: list[ValidatorProcess] = []
    threads: list[threading.Thread] = []
    with contextlib.ExitStack() as daemons:
        try:
            for p in range(args.pcscds):  # started in turn: each picks ports the last left free
                pcscd = daemons.enter_context(
                    PcscdProcess(root / f"pcscd{p}" if p else root / "pcscd",
                                 channels=args.validators, debug=p in args.pcscd_debug))
                per_host = -(-args.validators // args.card_hosts)
                for first in range(0, args.validators, per_host):
                    channels = range(first, min(first + per_host, args.validators))
                    host = start_card_host(root, args, pcscd, p, channels)
                    hosts.append(host)
                    for slot, c in enumerate(channels):
                        v = p * args.validators + c
                        validator = start_validator(root, args, clearing_url, pcscd, c, v)
                        validators.append(validator)
                        numbers = [card_number(v, k) for k in range(args.cards)]
                        threads.append(threading.Thread(target=drive_pcscd, args=(
                            host, slot, numbers, validator, tally)))
            for t in threads:
                t.start()
            report_progress(tally, threads)
        finally:
            tally.stop.set()
            for t in threads:
                t.join(60)
            for validator in validators:
                validator.stop()
            for host in hosts:
                host.stop()


def start_card_host(root: Path, args: argparse.Namespace, pcscd: PcscdProcess, p: int,
                    channels: range) -> CardHost:
    """The cards and PSAMs of ``channels`` of pcscd ``p`` in one card-host process, the
    PSAMs inserted, the card readers empty."""
    slots = []
    for c in channels:
        v = p * args.validators + c
        slots.append(Slot(card_port=pcscd.ports[2 * c], sam_port=pcscd.ports[2 * c + 1],
                          psam_dir=str(root / f"psam{v}"), terminal_id=terminal_id(v),
                          cards=[card_number(v, k) for k in range(args.cards)]))
    name = f"cardhost-{p}-{channels.start}"
    host = CardHost(root / "cards", slots, root / f"{name}.json", root / f"{name}.log",
                    nice=args.card_nice)
    host.wait_ready()
    return host


def start_validator(root: Path, args: argparse.Namespace, clearing_url: str,
                    pcscd: PcscdProcess, c: int, v: int) -> ValidatorProcess:
    """Validator ``v`` on channel ``c`` of ``pcscd`` (its PSAM already in), the process up."""
    names = pcscd.readers
    config = config_for(root, v, names[2 * c], names[2 * c + 1], clearing_url)
    time.sleep(0.5)  # pcscd sees the PSAM at its next poll
    validator = ValidatorProcess(config, args.passback, root / f"validator-{v}.log", pcscd.env)
    if validator.expect("reader_available", timeout=30) is None:
        validator.stop()
        raise RuntimeError(f"validator {v} did not come up (see its log)")
    return validator


# ---------------------------------------------------------------------------- in-process


def soak_memory(root: Path, args: argparse.Namespace, clearing_url: str, tally: Tally) -> None:
    from cardsvc.runtime import Runtime, RuntimeOptions  # noqa: PLC0415 - only this mode
    from config.settings import load_settings  # noqa: PLC0415

    runtimes, threads = [], []
    try:
        for v in range(args.validators):
            backend = MemoryBackend(["Card", "SAM"])
            backend.insert("SAM", open_psam(root / f"psam{v}", terminal_id=terminal_id(v)))
            settings = load_settings(config_for(root, v, "Card", "SAM", clearing_url), env={})
            rt = Runtime(settings, RuntimeOptions(role="validator", line=LINE,
                                                  passback_s=args.passback), backend=backend)
            rt.start()
            runtimes.append(rt)
            cards = [ControlledCard(open_user_card(root / "cards", card_number(v, k)))
                     for k in range(args.cards)]
            threads.append(threading.Thread(target=drive_memory,
                                            args=(backend, cards, rt, tally)))
        for t in threads:
            t.start()
        report_progress(tally, threads)
    finally:
        tally.stop.set()
        for t in threads:
            t.join(60)
        for rt in runtimes:
            rt.stop()


def drive_memory(backend: MemoryBackend, cards: list[ControlledCard], rt: Any,
                 tally: Tally) -> None:
    with rt.events.subscribe() as sub:
        for card in itertools.cycle(cards):
            if not tally.claim():
                return
            started = time.monotonic()
            backend.insert("Card", card)
            result = next_event(sub, "operation_finished")
            elapsed = time.monotonic() - started
            backend.remove("Card")
            gone = next_event(sub, "card_removed")
            with tally.lock:
                if result is None:
                    tally.errors["no result"] += 1
                elif not result["ok"]:
                    tally.errors[result["code"]] += 1
                else:
                    tally.latencies.append(elapsed)
                if gone is None:
                    tally.errors["removal not seen"] += 1


def next_event(sub: Any, kind: str) -> dict[str, Any] | None:
    deadline = time.monotonic() + WAIT_S
    while (left := deadline - time.monotonic()) > 0:
        event = sub.get(left)
        if event is not None and event.type == kind:
            return dict(event.data)
    return None


# ---------------------------------------------------------------------------- report


def report_progress(tally: Tally, threads: list[threading.Thread]) -> None:
    started, last = time.monotonic(), 0
    with tally.lock:
        tally.loads.append(os.getloadavg()[0])
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if time.monotonic() - started >= last + 60:
            last += 60
            load = os.getloadavg()[0]
            with tally.lock:
                done, errors = tally.taps, sum(tally.errors.values())
                tally.loads.append(load)
            print(f"  {last // 60:>4} min: {done} taps, {errors} errors, "
                  f"{done / (time.monotonic() - started) * 60:.0f} taps/min, load {load:.1f}",
                  flush=True)


def check_books(root: Path, args: argparse.Namespace, clearing: ClearingView) -> dict[str, Any]:
    journal_by_card: Counter[str] = Counter()
    unresolved = 0
    for v in range(validator_count(args)):
        with Journal.open(root / f"v{v}" / "journal.sqlite") as journal:
            for e in journal.entries():
                if e.status == "completed":
                    journal_by_card[e.card_no] += e.amount_fen
                elif e.status in ("pending", "unknown"):
                    unresolved += 1
    clearing_by_card: Counter[str] = Counter()
    for record in clearing.transactions():
        clearing_by_card[record["card_no"]] += record["amount_fen"]
    backend = MemoryBackend(["R"])
    card_mismatch = []
    for v, k in itertools.product(range(validator_count(args)), range(args.cards)):
        number = card_number(v, k)
        backend.insert("R", open_user_card(root / "cards", number))
        with CardChannel.connect(backend, "R") as channel:
            purse = PurseClient(channel)
            purse.select()
            balance = purse.balance()
        backend.remove("R")
        if START_BALANCE - balance != journal_by_card[number] or \
                journal_by_card[number] != clearing_by_card[number]:
            card_mismatch.append((number, START_BALANCE - balance, journal_by_card[number],
                                  clearing_by_card[number]))
    return {"cards_checked": validator_count(args) * args.cards, "card_mismatches": card_mismatch,
            "unresolved_entries": unresolved, "flagged_at_clearing": len(clearing.flagged()),
            "debited_fen": sum(journal_by_card.values()),
            "cleared_fen": sum(clearing_by_card.values())}


def upload_all(root: Path, args: argparse.Namespace) -> None:
    for v in range(validator_count(args)):
        subprocess.run([sys.executable, "-m", "cardsvc.cli", "upload", "--config",
                        str(root / f"validator-{v}.toml")], check=False, capture_output=True,
                       env={**os.environ})


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


@contextlib.contextmanager
def workdir(path: str | None) -> Iterator[Path]:
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        yield Path(path)
    else:
        with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
            yield Path(tmp)


def check_only(root: Path, args: argparse.Namespace) -> None:
    """The books of a kept soak (``--root``): clearing restarted on its database."""
    args.validators, args.pcscds = len(list(root.glob("validator-*.toml"))), 1
    args.cards = len({p.name for p in (root / "cards").iterdir()}) // max(1, args.validators)
    backoffice = BackofficeProcess(root / "clearing", root / "keys" / "clearing_keys.toml")
    backoffice.start()
    clearing = ClearingView(backoffice.url)
    try:
        for v in range(args.validators):  # the clearing URL of this run
            path = root / f"validator-{v}.toml"
            text = path.read_text(encoding="utf-8")
            head, _, _ = text.partition("[clearing_client]")
            head = head.partition("[backoffice]")[0]
            path.write_text(head + f'[clearing_client]\nurl = "{backoffice.url}"\n',
                            encoding="utf-8")
            atomic_write(VarLayout(root / f"v{v}").clearing_client_token, TOKEN + "\n",
                         mode=0o600)
        upload_all(root, args)
        books = check_books(root, args, clearing)
    finally:
        clearing.close()
        backoffice.stop()
    print(json.dumps(books, indent=1, ensure_ascii=False), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--taps", type=int, default=100_000)
    p.add_argument("--validators", type=int, default=8,
                   help="validators per pcscd (8 at most: 16 readers)")
    p.add_argument("--pcscds", type=int, default=1,
                   help="private pcscd instances side by side (--via pcscd)")
    p.add_argument("--cards", type=int, default=4, help="cards per validator, in turn")
    p.add_argument("--passback", type=float, default=2.0, help="validator anti-passback (s)")
    p.add_argument("--minutes", type=float, default=600.0, help="stop after this long")
    p.add_argument("--via", choices=["pcscd", "memory"], default="pcscd")
    p.add_argument("--card-hosts", type=int, default=2,
                   help="card-host processes per pcscd (the virtual cards and PSAMs)")
    p.add_argument("--card-nice", type=int, default=-5,
                   help="niceness of the card hosts (below 0 needs root)")
    p.add_argument("--pcscd-debug", type=int, action="append", default=[], metavar="N",
                   help="run pcscd number N (0..) with --debug (diagnostics; repeatable)")
    p.add_argument("--root", help="keep the state here (default: a temporary directory)")
    p.add_argument("--report", help="write the summary (JSON) here")
    p.add_argument("--check", action="store_true",
                   help="only upload and check the books of the soak kept in --root (one that "
                        "was interrupted): card balances = journals = clearing")
    args = p.parse_args()
    if args.check:
        check_only(Path(args.root), args)
        return
    with workdir(args.root) as root:
        (root / "fares.toml").write_text(FARES, encoding="utf-8")
        keys = install_demo_keys(root / "keys" / "clearing_keys.toml")
        backoffice = BackofficeProcess(root / "clearing", keys)
        backoffice.start()
        clearing = ClearingView(backoffice.url)
        try:
            issue_cards(root / "cards", clearing, validator_count(args), args.cards)
            tally = Tally(target=args.taps, deadline=time.monotonic() + args.minutes * 60)
            print(f"soak via {args.via}: {validator_count(args)} validators "
                  f"({args.pcscds if args.via == 'pcscd' else 0} pcscd) x {args.cards} cards, "
                  f"target {args.taps} taps, machine {platform.machine()} "
                  f"{os.cpu_count()} cpu(s), load {os.getloadavg()[0]:.1f}", flush=True)
            started, started_at = time.monotonic(), utc_now()
            (soak_pcscd if args.via == "pcscd" else soak_memory)(
                root, args, backoffice.url, tally)
            minutes, ended_at = (time.monotonic() - started) / 60, utc_now()
            upload_all(root, args)
            books = check_books(root, args, clearing)
        finally:
            clearing.close()
            backoffice.stop()
        lat = sorted(tally.latencies) or [0.0]
        summary = {
            "via": args.via, "pcscds": args.pcscds if args.via == "pcscd" else 0,
            "validators": validator_count(args), "cards": validator_count(args) * args.cards,
            "started": started_at, "ended": ended_at,
            "command": " ".join(["python -m bench.soak", *sys.argv[1:]]),
            "taps": tally.taps, "ok": len(tally.latencies), "errors": dict(tally.errors),
            "strays": dict(tally.strays),
            "minutes": round(minutes, 1), "taps_per_minute": round(tally.taps / minutes),
            "tap_to_result_ms": {"median": round(statistics.median(lat) * 1e3, 1),
                                 "p95": round(lat[int(0.95 * (len(lat) - 1))] * 1e3, 1)},
            "load_average": os.getloadavg()[0],
            "load_average_during": {"min": min(tally.loads, default=0.0),
                                    "mean": round(statistics.fmean(tally.loads or [0.0]), 1),
                                    "max": max(tally.loads, default=0.0)},
            "machine": f"{platform.machine()}, {os.cpu_count()} cpu(s)", **books}
        print(json.dumps(summary, indent=1, ensure_ascii=False), flush=True)
        if args.report:
            Path(args.report).write_text(json.dumps(summary, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
