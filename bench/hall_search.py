"""Search benchmark and ranking quality of the hall's matter search (backoffice.hallcat.search).

    python -m bench.hall_search [--matters 5000] [--queries 3000] [--seed 1]
    python -m bench.hall_search --quality

Speed: an index over N generated matters (names from realistic parts: 营业执照 / 住房公积金 /
不动产 ... x 登记 / 变更 / 注销 ... x qualifiers, with aliases), queried the ways people type
(characters, full pinyin, initials, mixed, one or two letters, aliases); latency of the engine
alone (no database, no HTTP), p50 / p95 / p99 / max.

Quality: the test catalogue (tests/backoffice/hall/catalogue.py) with two query sets: the one the
ranking was tuned on, and a held-out set written before any tuning and never tuned on. Hit@1,
hit@3 and mean reciprocal rank of the matter each query wants.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

from backoffice.hallcat.pinyin import normalise, tokens
from backoffice.hallcat.search import SearchEntry, SearchIndex, entry_keys

SUBJECTS = ["营业执照", "住房公积金", "不动产", "养老保险", "失业保险", "工伤保险", "医疗保险",
            "户口", "居民身份证", "居住证", "出入境证件", "增值税发票", "个人所得税",
            "食品经营许可", "药品经营许可", "建筑工程施工许可", "道路运输经营许可", "排污许可",
            "公共租赁住房", "社会保障卡", "残疾人证", "婚姻", "收养", "殡葬", "机动车", "驾驶证",
            "特种设备", "卫生许可", "教师资格", "网约车", "房屋租赁", "车船税", "契税", "水电气",
            "燃气经营许可", "人力资源服务许可", "劳务派遣", "职业资格", "消防安全检查",
            "城市道路占用", "户外广告设置"]
ACTIONS = ["登记", "变更登记", "注销登记", "申领", "提取", "补发", "换发", "核发", "备案", "审批",
           "转移", "查询", "延续", "撤销", "年度报告", "信息更正", "证明开具", "缴存", "退还"]
QUALIFIERS = ["", "（个人）", "（企业）", "（个体工商户）", "（分支机构）", "（首次）",
              "（异地）", "（补办）", "（农村）", "（外籍人员）", "（港澳台）"]
ALIASES = {"住房公积金": ["公积金"], "养老保险": ["社保"], "营业执照": ["执照", "开店"],
           "居民身份证": ["身份证"], "增值税发票": ["发票"], "个人所得税": ["个税"],
           "公共租赁住房": ["公租房"], "不动产": ["房产证"], "出入境证件": ["护照", "港澳通行证"]}
DEPARTMENTS = ["AMR", "HRSS", "HPF", "NRB", "PSB", "TAX", "MIB", "HUD", "CA", "TRANS", "HEALTH",
               "EDU", "ENV", "CULT"]


def generate(n: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    names: set[str] = set()
    out: list[tuple[str, str, list[str]]] = []
    while len(out) < n:
        subject = rng.choice(SUBJECTS)
        name = subject + rng.choice(ACTIONS) + rng.choice(QUALIFIERS)
        if name in names:
            name += f"（第{len(out) % 97 + 1}类）"
            if name in names:
                continue
        names.add(name)
        out.append((f"M{len(out):05d}", name, ALIASES.get(subject, [])))
    return out


def build(matters: list[tuple[str, str, list[str]]], *,
          keep_short: bool = True) -> tuple[SearchIndex, float]:
    started = time.perf_counter()
    entries = [SearchEntry(code, name, DEPARTMENTS[i % len(DEPARTMENTS)], ("c",),
                           entry_keys(name, "", aliases, tokens))
               for i, (code, name, aliases) in enumerate(matters)]
    index = SearchIndex(entries, normalise=normalise, keep_short=keep_short)
    return index, time.perf_counter() - started


def queries(matters: list[tuple[str, str, list[str]]], count: int,
            rng: random.Random) -> list[str]:
    out = []
    for _ in range(count):
        _, name, aliases = rng.choice(matters)
        toks = tokens(name)
        n = rng.randint(2, min(6, len(toks)))
        kind = rng.random()
        if kind < 0.25:
            out.append(name[:n])                                   # characters
        elif kind < 0.5:
            out.append("".join(py[0] for py, _ in toks[:n] if py))   # initials
        elif kind < 0.7:
            out.append("".join(py for py, _ in toks[:n]))            # full pinyin
        elif kind < 0.8:
            out.append(name[:2] + "".join(py[0] for py, _ in toks[2:n] if py))  # mixed
        elif kind < 0.9:
            out.append(rng.choice("abcdefghjklmnpqrstwxyz") * rng.randint(1, 2))  # 1-2 letters
        else:
            out.append(rng.choice(aliases) if aliases else name[-3:])
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def speed(n: int, count: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    matters = generate(n, rng)
    index, built = build(matters)
    qs = queries(matters, count, rng)
    for q in qs[:50]:  # warm up (regex cache, pinyin dictionary)
        index.search(q)
    times, cpu = [], []
    for q in qs:
        started, started_cpu = time.perf_counter(), time.thread_time()
        index.search(q)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    plain = build(matters, keep_short=False)[0]
    uncached = []
    for q in qs:
        started = time.thread_time()
        plain.search(q)
        uncached.append((time.thread_time() - started) * 1000)
    return {"matters": n, "queries": count, "build_s": round(built, 2),
            "wall_p50_ms": round(percentile(times, 0.50), 3),
            "wall_p95_ms": round(percentile(times, 0.95), 3),
            "wall_p99_ms": round(percentile(times, 0.99), 3),
            "wall_max_ms": round(max(times), 3),
            "cpu_p50_ms": round(percentile(cpu, 0.50), 3),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 3),
            "cpu_p99_ms": round(percentile(cpu, 0.99), 3),
            "cpu_p95_ms_no_short_store": round(percentile(uncached, 0.95), 3),
            "cpu_p99_ms_no_short_store": round(percentile(uncached, 0.99), 3),
            "short_queries_share": round(sum(len(q) <= 2 for q in qs) / len(qs), 3),
            "load_average": round(os.getloadavg()[0], 2)}


def quality() -> dict[str, dict[str, object]]:
    from tests.backoffice.hall.catalogue import MATTERS, matter_code  # noqa: PLC0415

    entries = [SearchEntry(matter_code(r[0], r[1], r[2]), r[3], r[0], (r[8],),
                           entry_keys(r[3], r[4], r[9], tokens)) for r in MATTERS]
    index = SearchIndex(entries, normalise=normalise)
    by_name = {e.name_zh: e.code for e in entries}
    here = Path(__file__).resolve().parents[1] / "tests" / "backoffice" / "hall"
    out: dict[str, dict[str, object]] = {}
    for name in ("tuned", "heldout"):
        data = json.loads((here / f"search_queries_{name}.json").read_text(encoding="utf-8"))
        ranks = []
        misses = []
        for item in data["queries"]:
            codes = [h.code for h in index.search(item["q"], limit=20)]
            want = by_name[item["want"]]
            rank = codes.index(want) + 1 if want in codes else 0
            ranks.append(rank)
            if rank != 1:
                misses.append(f"{item['q']}->{rank or '-'}")
        out[name] = {"queries": len(ranks),
                     "hit@1": round(sum(r == 1 for r in ranks) / len(ranks), 3),
                     "hit@3": round(sum(0 < r <= 3 for r in ranks) / len(ranks), 3),
                     "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3),
                     "not_first": misses}
    return out


def demo_quality() -> dict[str, dict[str, object]]:
    """The demo catalogue (config/demo/hall/) with its author's two query sets (written before
    any tuning; this engine was tuned on neither)."""
    from backoffice.hallcat.exchange import parse_document  # noqa: PLC0415

    here = Path(__file__).resolve().parents[1] / "config" / "demo" / "hall"
    doc = parse_document((here / "catalogue.json").read_bytes())
    entries = [SearchEntry(m.code, m.name.zh, m.department, tuple(m.category),
                           entry_keys(m.name.zh, m.name.en, m.aliases, tokens))
               for m in doc.matters if m.status == "published"]
    groups = {d.code: tokens(d.name.zh) for d in doc.departments}
    groups.update({c.code: tokens(c.name.zh) for c in doc.categories})
    index = SearchIndex(entries, normalise=normalise, groups=groups)
    sets = json.loads((here / "search_queries.json").read_text(encoding="utf-8"))
    out: dict[str, dict[str, object]] = {}
    for name in ("tuning", "held_out"):
        first = within = 0
        rr = 0.0
        misses = []
        for item in sets[name]:
            codes = [h.code for h in index.search(item["query"], limit=20)]
            expect = item["expect"]
            k = max(3, len(expect))
            rank = codes.index(expect[0]) + 1 if expect[0] in codes else 0
            first += rank == 1
            rr += 1 / rank if rank else 0.0
            ok = all(c in codes[:k] for c in expect)
            within += ok
            if rank != 1 or not ok:
                misses.append(f"{item['query']}->{rank or '-'}")
        n = len(sets[name])
        out[name] = {"queries": n, "first_expected_first": round(first / n, 3),
                     "all_expected_in_top_k": round(within / n, 3), "mrr": round(rr / n, 3),
                     "misses": misses}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", type=int, default=5000)
    p.add_argument("--queries", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quality", action="store_true", help="ranking quality instead of speed")
    p.add_argument("--demo-quality", action="store_true",
                   help="ranking quality on the demo catalogue's own query sets")
    args = p.parse_args()
    result: object = demo_quality() if args.demo_quality else quality() if args.quality \
        else speed(args.matters, args.queries, args.seed)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
