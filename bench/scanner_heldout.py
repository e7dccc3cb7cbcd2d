"""Scoring the page detector (and the textbook baseline) on the held-out generator's scenes.

Used by ``bench/scanner.py --set heldout`` (the held-out seeds: totals only) and ``--set tuning``
(the tuning seed: totals, and with ``--tune`` every scene that went wrong, listed and written as
an image with the truth in green and the detection in red).

Per scene: our detection and verdict, the baseline's detection, the SmartDoc Jaccard of each
(page frame, 0 when nothing is found) where the page is entirely in view, and the detection
times. Per set: mean Jaccard over the ``clear`` scenes, pages missed (nothing found, or a
Jaccard under 0.8: another object taken for the page), refusals that should have been
acceptances and the other way round, and the fps at 1280 x 720.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bench.scanner_baseline import textbook_detect
from drivers.scanner import detect_page, judge
from simulators.camera.heldout import CLEAR, HeldoutGenerator, Truth
from simulators.camera.metrics import jaccard_smartdoc

WRONG = 0.8
"""Below this Jaccard a found quad is not the page (counted as missed)."""


@dataclass(frozen=True)
class Row:
    truth: Truth
    ours: float
    base: float
    found: bool
    base_found: bool
    verdict: str
    ours_s: float
    base_s: float
    ours_cpu: float
    corners: np.ndarray | None
    base_corners: np.ndarray | None


def score_scene(image: np.ndarray, truth: Truth) -> Row:
    t0, c0 = time.perf_counter(), time.process_time()
    det = detect_page(image)
    t1, c1 = time.perf_counter(), time.process_time()
    base = textbook_detect(image)
    t2 = time.perf_counter()
    verdict = judge(image, det)
    word = "ok" if verdict.ok else verdict.reasons[0].value
    ours = base_j = float("nan")
    if truth.visibility == "clear" and truth.corners is not None:
        ours = jaccard_smartdoc(det.corners, truth.corners, truth.page_mm)
        base_j = jaccard_smartdoc(base, truth.corners, truth.page_mm)
    return Row(truth, ours, base_j, det.found, base is not None, word, t1 - t0, t2 - t1,
               c1 - c0, det.corners, base)


def run(seeds: tuple[int, ...], count: int, condition: str | None = None) -> list[Row]:
    """``count`` scenes per seed, each of its scheduled condition, or all of ``condition``."""
    rows = []
    for seed in seeds:
        gen = HeldoutGenerator(seed)
        for index in range(count):
            scene = gen.scene(index, condition)
            rows.append(score_scene(scene.image, scene.truth))
    return rows


def _mean(values: list[float]) -> str:
    return f"{np.mean(values):.4f}" if values else "-"


def report(rows: list[Row], title: str) -> None:
    clear = [r for r in rows if r.truth.visibility == "clear"]
    ours = [r.ours for r in clear]
    base = [r.base for r in clear]
    missed = sum(1 for r in clear if r.ours < WRONG)
    base_missed = sum(1 for r in clear if r.base < WRONG)
    cut = [r for r in rows if r.truth.visibility == "cut"]
    print()
    print(f"**{title}**: {len(rows)} scenes, {len(clear)} with the whole page in view")
    print()
    print("| measure | ours | textbook baseline |")
    print("|---|---:|---:|")
    print(f"| **mean Jaccard (page frame), clear scenes** | **{_mean(ours)}** | {_mean(base)} |")
    print(f"| median Jaccard | {np.median(ours):.4f} | {np.median(base):.4f} |")
    print(f"| clear pages missed (none found or Jaccard < {WRONG}) | {missed} | {base_missed} |")
    print(f"| of which nothing found | {sum(not r.found for r in clear)} | "
          f"{sum(not r.base_found for r in clear)} |")
    print(f"| clear scenes below 0.95 | {sum(1 for v in ours if v < 0.95)} | "
          f"{sum(1 for v in base if v < 0.95)} |")
    print(f"| cut-off pages accepted (verdict ok) | {sum(r.verdict == 'ok' for r in cut)} of "
          f"{len(cut)} | (no gates) |")
    hd = [r for r in rows if r.truth.frame_size == (1280, 720)]
    if hd:
        fps = len(hd) / sum(r.ours_s for r in hd)
        base_fps = len(hd) / sum(r.base_s for r in hd)
        p95 = 1e3 * float(np.percentile([r.ours_s for r in hd], 95))
        print(f"| detection fps at 1280 x 720, wall clock ({len(hd)} frames, p95 {p95:.1f} ms) | "
              f"{fps:.0f} | {base_fps:.0f} |")
        print(f"| detection fps at 1280 x 720, CPU time | "
              f"{len(hd) / sum(r.ours_cpu for r in hd):.0f} | - |")
    print()
    print("| condition | clear scenes | ours | baseline | ours missed | baseline missed |")
    print("|---|---:|---:|---:|---:|---:|")
    for cond in CLEAR:
        sel = [r for r in clear if r.truth.condition == cond]
        print(f"| {cond} | {len(sel)} | {_mean([r.ours for r in sel])} | "
              f"{_mean([r.base for r in sel])} | {sum(r.ours < WRONG for r in sel)} | "
              f"{sum(r.base < WRONG for r in sel)} |")
    tags: dict[str, list[Row]] = {}
    for r in clear:
        for tag in r.truth.tags:
            tags.setdefault(tag, []).append(r)
    print()
    print("| tag (clear scenes) | scenes | ours | baseline |")
    print("|---|---:|---:|---:|")
    for tag in sorted(tags):
        sel = tags[tag]
        print(f"| {tag} | {len(sel)} | {_mean([r.ours for r in sel])} | "
              f"{_mean([r.base for r in sel])} |")
    print()
    print("| expected verdict | scenes | our verdicts |")
    print("|---|---:|---|")
    for expected in ("ok", "blurred", "cut off", "too small", "no page"):
        sel = [r for r in rows if r.truth.expected == expected]
        if sel:
            seen = Counter(r.verdict for r in sel)
            words = ", ".join(f"{k} {n}" for k, n in seen.most_common())
            print(f"| {expected} | {len(sel)} | {words} |")


def tune_listing(rows: list[Row], dump: Path | None, regenerate: bool = True,
                 condition: str | None = None) -> None:
    """Every scene that went wrong (tuning seeds only), and its image with truth and finds."""
    bad = [r for r in rows if (r.truth.visibility == "clear" and r.ours < 0.97)
           or (r.truth.expected in ("cut off", "too small", "no page") and r.verdict == "ok")]
    print()
    print(f"{len(bad)} scenes went wrong:")
    for r in bad:
        t = r.truth
        print(f"- seed {t.seed} #{t.index} {t.condition} {t.frame_size}: ours {r.ours:.3f} "
              f"base {r.base:.3f} verdict {r.verdict!r} (expected {t.expected!r}); "
              f"{', '.join(t.tags)}")
        if dump is None or not regenerate:
            continue
        dump.mkdir(parents=True, exist_ok=True)
        image = HeldoutGenerator(t.seed).scene(t.index, condition or t.condition).image.copy()
        if t.corners is not None:
            cv2.polylines(image, [np.round(np.array(t.corners)).astype(np.int32)], True,
                          (0, 200, 0), 1)
        if r.corners is not None:
            cv2.polylines(image, [np.round(r.corners).astype(np.int32)], True, (0, 0, 255), 1)
        cv2.imwrite(str(dump / f"s{t.seed}_{t.index:04d}_{t.condition}.jpg"), image)
