"""Document camera: a quiet, pinned figure for the page detector's speed at 1280 x 720.

    .venv/bin/python -m bench.scanner_fps [--seed 9001] [--scenes 200] [--rounds 3]
        [--warmup 5] [--core 0] [--cache FRAMES.npz] [--json]

The frames are the held-out generator's tuning mix (``--seed``, a tuning seed: never a held-out
one), scenes ``0 .. --scenes - 1``, those drawn at 1280 x 720 kept: all made (or read from
``--cache``) before anything is timed. The process is pinned to one core
(``os.sched_setaffinity``) and OpenCV to one thread. ``--warmup`` frames are detected first and
not counted; then every frame is detected ``--rounds`` times, round after round, each call
timed by wall clock (``time.perf_counter``) and by this thread's CPU time
(``time.thread_time``). Per kind of time: the mean, median and 95th percentile over all the
calls (ms a frame), and fps = 1000 / mean ms (a whole clip's rate, which the slow frames weigh
in; the median is the typical frame).

CPU time holds up better than wall time on a shared machine, but two processes on the same core
still slow each other a little (caches): for an A/B between two trees, run this alternately
(``PYTHONPATH=TREE``, same ``--cache``) and compare the runs, never a figure of another day.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import drivers.scanner
from drivers.scanner import detect_page
from simulators.camera.heldout import TUNING_SEEDS, HeldoutGenerator, check_use

SIZE = (1280, 720)


def tuning_frames(seed: int, scenes: int, cache: Path | None = None) -> list[np.ndarray]:
    """The 1280 x 720 frames among the tuning mix's scenes ``0 .. scenes - 1`` of ``seed``."""
    if cache is not None and cache.exists():
        with np.load(cache) as data:
            if int(data["seed"]) == seed and int(data["scenes"]) == scenes:
                return list(data["frames"])
    check_use(seed, tune=True)
    if seed not in TUNING_SEEDS:
        raise SystemExit(f"seed {seed} is not a tuning seed ({', '.join(map(str, TUNING_SEEDS))})")
    gen = HeldoutGenerator(seed)
    frames = []
    for index in range(scenes):
        image = gen.scene(index).image
        if image.shape[1::-1] == SIZE:
            frames.append(np.ascontiguousarray(image))
    if cache is not None:
        np.savez(cache, frames=np.stack(frames), seed=seed, scenes=scenes)
    return frames


def _summary(ms: list[float]) -> dict[str, float]:
    mean = statistics.fmean(ms)
    return {
        "mean_ms": round(mean, 2),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "fps": round(1000.0 / mean, 1),
    }


def _tree() -> dict[str, str]:
    """Where the detector was imported from, and that tree's commit (if it is a git tree)."""
    root = Path(drivers.scanner.__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"tree": str(root), "commit": commit or "?"}


def measure(frames: list[np.ndarray], rounds: int, warmup: int) -> dict[str, Any]:
    """Every frame detected ``rounds`` times after ``warmup`` untimed calls: wall and CPU."""
    for frame in frames[:warmup]:
        detect_page(frame)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for frame in frames:
            t0, c0 = time.perf_counter(), time.thread_time()
            detect_page(frame)
            c1, t1 = time.thread_time(), time.perf_counter()
            wall.append(1e3 * (t1 - t0))
            cpu.append(1e3 * (c1 - c0))
    return {"calls": len(cpu), "cpu": _summary(cpu), "wall": _summary(wall)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=min(TUNING_SEEDS))
    ap.add_argument("--scenes", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--core", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="frames kept here (.npz) for reuse")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.sched_setaffinity(0, {args.core})
    cv2.setNumThreads(1)
    frames = tuning_frames(args.seed, args.scenes, args.cache)
    load_before = os.getloadavg()[0]
    result = measure(frames, args.rounds, args.warmup)
    result.update({
        "frames": len(frames),
        "seed": args.seed,
        "scenes": args.scenes,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "core": args.core,
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "opencv": cv2.__version__,
        **_tree(),
    })
    if args.json:
        print(json.dumps(result))
        return
    print(f"detector {result['tree']} ({result['commit']}), {len(frames)} frames of 1280 x 720 "
          f"(tuning seed {args.seed}, scenes 0-{args.scenes - 1}) x {args.rounds} rounds, "
          f"core {args.core}, load {result['load_1min'][0]} -> {result['load_1min'][1]}")
    print("| time | mean ms | median ms | p95 ms | fps (1000 / mean) |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("cpu", "wall"):
        s = result[kind]
        print(f"| {kind} | {s['mean_ms']} | {s['median_ms']} | {s['p95_ms']} | {s['fps']} |")


if __name__ == "__main__":
    main()
