"""Long fuzz runs of every parser (the bounded CI runs are tests/fuzz).

    python -m bench.fuzz [--engine hypothesis|atheris] [--minutes M] [--target NAME ...]
                         [--crashes DIR]

Each target is a ``check(data: bytes)`` of tests/fuzz (purse, sam, vpcd, escpos, samv,
settings) or the clearing service's OpenAPI operations (clearing). ``hypothesis`` (default) runs
each for its share of the time with random and near-valid inputs; ``atheris`` (``pip install
.[fuzz]``) runs a byte target coverage-guided in a child process (libFuzzer), seeded with valid
inputs. A failing input is written under ``--crashes`` (default ``var/fuzz/crashes``) to be kept
as a regression test (an ``@example`` in tests/fuzz). Prints one line per target: inputs tried,
failures, seconds; ``--json`` for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import card_targets, parser_targets
from tests.fuzz.strategies import escpos_streams, samv_scripts, settings_files

BYTE_TARGETS: dict[str, tuple[Callable[[bytes], None], Any]] = {
    "purse": (card_targets.check_purse, st.binary(max_size=200)),
    "sam": (card_targets.check_sam, st.binary(max_size=160)),
    "vpcd": (parser_targets.check_vpcd, st.binary(max_size=800)),
    "escpos": (parser_targets.check_escpos, st.one_of(escpos_streams(), st.binary(max_size=600))),
    "samv": (parser_targets.check_samv, st.one_of(samv_scripts(), st.binary(max_size=800))),
    "settings": (parser_targets.check_settings,
                 st.one_of(settings_files(), st.binary(max_size=300))),
}
ALL = [*BYTE_TARGETS, "clearing"]


def _keep(crashes: Path, name: str, data: bytes) -> Path:
    folder = crashes / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha256(data).hexdigest()[:16]
    path.write_bytes(data)
    return path


def run_hypothesis(name: str, seconds: float, crashes: Path) -> dict[str, Any]:
    """Rounds of hypothesis runs until the time is up; every failure is kept and counted."""
    tried, started = 0, time.monotonic()
    failures: list[str] = []
    if name != "clearing":
        check, strategy = BYTE_TARGETS[name]
    last: list[bytes] = []
    while time.monotonic() - started < seconds:
        if name == "clearing":
            tried, failures = _clearing_round(tried, failures)
            continue

        @settings(max_examples=2000, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def one(data: bytes) -> None:
            nonlocal tried
            tried += 1
            last[:] = [data]
            check(data)

        try:
            one()
        except Exception as exc:  # noqa: BLE001 - a finding: keep the shrunk input (last tried)
            path = _keep(crashes, name, last[0] if last else b"")
            failures.append(f"{type(exc).__name__}: {str(exc)[:200]} ({path})")
    return {"target": name, "engine": "hypothesis", "inputs": tried,
            "failures": len(failures), "details": failures,
            "seconds": round(time.monotonic() - started, 1)}


def _clearing_round(tried: int, failures: list[str]) -> tuple[int, list[str]]:
    from tests.fuzz.clearing_target import clearing, fuzz_operation  # noqa: PLC0415

    with clearing() as target:
        for operation in target.operations():
            def seen(_: int) -> None:
                nonlocal tried
                tried += 1
            try:
                fuzz_operation(target, operation, 200, seen=seen)
            except Exception as exc:  # noqa: BLE001 - a finding, counted
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:300]}")
    return tried, failures


def run_atheris(name: str, seconds: float, crashes: Path) -> dict[str, Any]:
    """libFuzzer in a child process (it owns the process), seeded with a few valid inputs."""
    folder = crashes / name
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.fuzz_atheris", name, f"-max_total_time={int(seconds)}",
         f"-artifact_prefix={folder}/", "-print_final_stats=1", "-rss_limit_mb=4096"],
        capture_output=True, text=True, check=False)
    runs = [line for line in done.stderr.splitlines()
            if line.startswith("stat::number_of_executed_units")]
    tried = int(runs[-1].split(":")[-1]) if runs else 0
    found = sorted(p.name for p in folder.iterdir()
                   if p.name.startswith(("crash-", "timeout-", "oom-")))
    return {"target": name, "engine": "atheris", "inputs": tried, "failures": len(found),
            "details": found, "seconds": round(time.monotonic() - started, 1),
            "exit": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz",
                                     description="Long fuzz runs of every parser.")
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--minutes", type=float, default=10.0, help="in all, shared by targets")
    parser.add_argument("--target", action="append", choices=ALL, help="default: all")
    parser.add_argument("--crashes", type=Path, default=Path("var/fuzz/crashes"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the targets' own logs (bridge, decoder) are noise here
    targets = args.target or (ALL if args.engine == "hypothesis" else list(BYTE_TARGETS))
    share = args.minutes * 60 / len(targets)
    results = []
    for name in targets:
        run = run_atheris if args.engine == "atheris" and name in BYTE_TARGETS else run_hypothesis
        result = run(name, share, args.crashes)
        results.append(result)
        print(f"{name:9} {result['engine']:10} {result['inputs']:>9} inputs "
              f"{result['failures']:>3} failures {result['seconds']:>7} s", flush=True)
        for detail in result["details"][:5]:
            print(f"    {detail}", flush=True)
    if args.json:
        print(json.dumps({"machine": os.uname().machine, "cpus": os.cpu_count(),
                          "results": results}, indent=2))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
