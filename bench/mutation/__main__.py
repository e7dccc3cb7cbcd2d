"""``python -m bench.mutation`` (``make mutation``): the mutation check of issue 15.

Every mutant of the targets (bench/mutation/targets.py) is written into a scratch copy of the
repository (the working tree is never touched) and that target's test files run against it
with ``pytest -x``. A mutant is *killed* when a test fails (or the run errors or times out),
*survives* when every test passes. Survivors must be listed in ``targets.EXPLAINED`` with the
reason they are harmless; an unexplained survivor makes the run exit 1.

    .venv/bin/python -m bench.mutation                      # everything (minutes)
    .venv/bin/python -m bench.mutation --only recovery      # one target
    .venv/bin/python -m bench.mutation --list               # the mutants, nothing run
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.mutation.operators import apply, sites
from bench.mutation.targets import EXPLAINED, TARGETS, Target

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Mutant:
    target: Target
    label: str
    source: str


@dataclass
class Result:
    target: str
    label: str
    outcome: str  # killed | survived | timeout | error
    seconds: float
    detail: str = ""


def mutants(target: Target) -> list[Mutant]:
    """The distinct, compilable mutants of ``target``."""
    original = (ROOT / target.path).read_text(encoding="utf-8")
    baseline = ast.unparse(ast.parse(original))
    out: list[Mutant] = []
    seen = {baseline}
    labels: Counter[str] = Counter()
    for site in sites(ast.parse(original), target.functions):
        source = apply(original, site)
        if source in seen:
            continue  # the same program as the original or as another mutant
        try:
            compile(source, target.path, "exec")
        except SyntaxError:
            continue
        seen.add(source)
        labels[site.label] += 1
        label = site.label if labels[site.label] == 1 else f"{site.label} #{labels[site.label]}"
        out.append(Mutant(target, label, source))
    for text in target.text:
        found = original.count(text.old)
        if found != 1:
            raise SystemExit(f"{target.path}: text mutant {text.label!r} matches {found} times "
                             "(update bench/mutation/targets.py)")
        out.append(Mutant(target, f"sql: {text.label}", original.replace(text.old, text.new)))
    return out


def scratch_copy(dest: Path) -> None:
    """The tracked files (and the working tree's changes to them) under ``dest``."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    """Run ``tests`` in the scratch copy; (outcome, seconds, last lines of output)."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
           f"--timeout={int(timeout)}", *tests]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # pytest and what it started (pcscd, servers)
        proc.communicate()
        return "timeout", time.perf_counter() - started, ""
    seconds = time.perf_counter() - started
    tail = "\n".join(out.decode(errors="replace").strip().splitlines()[-3:])
    outcome = {0: "survived", 1: "killed"}.get(proc.returncode, "error")
    return outcome, seconds, tail


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="comma-separated target names "
                   f"({', '.join(t.name for t in TARGETS)})")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    p.add_argument("--json", type=Path, help="write every result here")
    return p.parse_args(argv)


def _summary(results: list[Result], targets: list[Target]) -> list[str]:
    """Per target: mutants, killed (of which by a timeout or an error rather than a failing
    test), survivors explained and unexplained."""
    lines = [f"{'target':<16}{'mutants':>8}{'killed':>8}{'timeout':>8}{'error':>6}"
             f"{'explained':>10}{'unexplained':>12}"]
    for t in targets:
        mine = [r for r in results if r.target == t.name]
        killed = sum(r.outcome != "survived" for r in mine)
        by = Counter(r.outcome for r in mine)
        explained = sum(r.outcome == "survived" and r.label in EXPLAINED for r in mine)
        lines.append(f"{t.name:<16}{len(mine):>8}{killed:>8}{by['timeout']:>8}{by['error']:>6}"
                     f"{explained:>10}{len(mine) - killed - explained:>12}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    chosen = set(args.only.split(",")) if args.only else {t.name for t in TARGETS}
    targets = [t for t in TARGETS if t.name in chosen]
    if len(targets) != len(chosen):
        print(f"unknown target in {sorted(chosen)}", file=sys.stderr)
        return 2
    plan = {t.name: mutants(t) for t in targets}
    if args.list:
        for t in targets:
            for m in plan[t.name]:
                print(f"{t.name}: {m.label}")
        print(f"{sum(len(v) for v in plan.values())} mutants")
        return 0
    results: list[Result] = []
    started = time.perf_counter()
    load = os.getloadavg()
    print(f"mutation check: {sum(len(v) for v in plan.values())} mutants; load average "
          f"{load[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = Path(tmp)
        scratch_copy(copy)
        for t in targets:
            outcome, base_s, tail = run_tests(copy, t.tests, 300)
            if outcome != "survived":
                print(f"{t.name}: the tests fail without any mutant:\n{tail}", file=sys.stderr)
                return 2
            print(f"{t.name}: {len(plan[t.name])} mutants, tests {base_s:.1f} s unmutated",
                  flush=True)
            original = (copy / t.path).read_text(encoding="utf-8")
            try:
                for i, m in enumerate(plan[t.name], 1):
                    (copy / t.path).write_text(m.source, encoding="utf-8")
                    outcome, seconds, tail = run_tests(copy, t.tests, max(120.0, 5 * base_s))
                    results.append(Result(t.name, m.label, outcome, round(seconds, 1), tail))
                    mark = {"survived": "SURVIVED" + (" (explained)" if m.label in EXPLAINED
                                                      else "")}.get(outcome, outcome)
                    print(f"  [{i}/{len(plan[t.name])}] {mark:<10} {seconds:5.1f}s  {m.label}",
                          flush=True)
            finally:
                (copy / t.path).write_text(original, encoding="utf-8")
    survivors = [r for r in results if r.outcome == "survived"]
    unexplained = [r for r in survivors if r.label not in EXPLAINED]
    print()
    print("\n".join(_summary(results, targets)))
    for r in survivors:
        print(f"  survivor [{r.target}] {r.label}\n    -> {EXPLAINED.get(r.label, 'UNEXPLAINED')}")
    print(f"{len(results)} mutants, {len(results) - len(survivors)} killed, "
          f"{len(survivors) - len(unexplained)} explained survivors, {len(unexplained)} "
          f"unexplained; {time.perf_counter() - started:.0f} s")
    if len(targets) == len(TARGETS):
        labels = {m.label for ms in plan.values() for m in ms}
        for stale in sorted(set(EXPLAINED) - labels):
            print(f"  note: an explanation matches no mutant any more: {stale}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1,
                                        ensure_ascii=False), encoding="utf-8")
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
