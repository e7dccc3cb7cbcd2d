"""50 kiosks at once against the hall service: each files applications with 3 scanned pages of
about 300 KB (JPEG), submits them and looks their progress up (by QR token and by number + ID
tail). Throughput and latency percentiles per operation, on SQLite and PostgreSQL.

    python -m bench.hall_load [--kiosks 50] [--applications 4] [--lookups 5]
        [--db sqlite|postgresql|both] [--workers 1]

The server is ``backoffice serve --only hall`` in its own process (as deployed); the kiosks are
threads of this process over real HTTP on loopback. PostgreSQL is a throwaway cluster with its
durable defaults (fsync on).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image

from backoffice.auth import TokenStore
from backoffice.pgtemp import ThrowawayPostgres
from config.runtime import free_tcp_port, wait_http_ok
from drivers.idcard.codes import check_character
from tests.backoffice.hall.catalogue import code_of, document

ROOT = Path(__file__).resolve().parents[1]
MATTER = "营业执照登记（个体工商户）"  # materials: id_card_copy, premises


def scanned_page(seed: int, size: int = 300_000) -> bytes:
    """A JPEG of about ``size`` bytes (a grey page with noise: scans compress badly)."""
    rng = random.Random(seed)
    side = int((size * 1.65) ** 0.5)
    image = Image.frombytes("L", (side, side), rng.randbytes(side * side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/hall.sqlite3"
        return
    with ThrowawayPostgres(durable=True) as pg:
        yield pg.create_database("hall_bench")


@contextmanager
def server(db_url: str, workers: int) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(f'[paths]\nvar_dir = "{tmp}/var"\n\n[hall]\ndb = "{db_url}"\n'
                       'lookup_limit = 100000\n', encoding="utf-8")
        catalogue = Path(tmp) / "catalogue.json"
        catalogue.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "CITIZEN_HALL_CONFIG": str(cfg)}
        subprocess.run([sys.executable, "-m", "backoffice.cli", "hall", "import",
                        str(catalogue)], cwd=ROOT, env=env, check=True, capture_output=True)
        token = TokenStore(Path(tmp) / "var/backoffice/tokens.json").issue(
            "kiosk", label="bench")[1]
        port = free_tcp_port()
        proc = subprocess.Popen([sys.executable, "-m", "backoffice.cli", "serve", "--only",
                                 "hall", "--port", str(port), "--workers", str(workers),
                                 "--log-level", "warning"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            if not wait_http_ok(f"{url}/healthz", 60, lambda: proc.poll() is None):
                raise SystemExit("the hall server did not start")
            yield url, token
        finally:
            proc.terminate()
            proc.wait(30)


def id_number(n: int) -> str:
    first = f"410102199{n % 10}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"[:17]
    return first + check_character(first)


def kiosk(url: str, token: str, k: int, apps: int, lookups: int, pages: list[bytes],
          times: dict[str, list[float]], lock: threading.Lock) -> None:
    try:
        _kiosk(url, token, k, apps, lookups, pages, times, lock)
    except (RuntimeError, httpx.HTTPError) as exc:
        with lock:
            times.setdefault("errors", []).append(0.0)
        print(f"kiosk {k}: {exc}", file=sys.stderr)


def _kiosk(url: str, token: str, k: int, apps: int, lookups: int, pages: list[bytes],
           times: dict[str, list[float]], lock: threading.Lock) -> None:
    client = httpx.Client(base_url=url, timeout=120,
                          headers={"Authorization": f"Bearer {token}"})

    def timed(name: str, method: str, path: str, **kw: object) -> httpx.Response:
        started = time.perf_counter()
        r = client.request(method, path, **kw)  # type: ignore[arg-type]
        elapsed = (time.perf_counter() - started) * 1000
        if r.status_code >= 300:
            raise RuntimeError(f"{name}: {r.status_code} {r.text[:200]}")
        with lock:
            times.setdefault(name, []).append(elapsed)
        return r

    for a in range(apps):
        who = id_number(k * 100 + a)
        started = time.perf_counter()
        case = timed("file", "POST", "/v1/hall/cases", json={
            "matter_code": code_of(MATTER), "form": {"phone": "13800000000"},
            "identity": {"source": "id_card", "id_number": who, "name": "测试"}}).json()
        for i, mid in enumerate(("id_card_copy", "id_card_copy", "premises")):
            timed("upload_300kb", "POST", f"/v1/hall/cases/{case['token']}/materials/{mid}",
                  content=pages[(k + a + i) % len(pages)],
                  headers={"Content-Type": "image/jpeg"})
        timed("submit", "POST", f"/v1/hall/cases/{case['token']}/submit")
        with lock:
            times.setdefault("application", []).append((time.perf_counter() - started) * 1000)
        for _ in range(lookups):
            timed("progress_token", "GET", f"/v1/hall/cases/{case['token']}")
            timed("progress_number", "GET", f"/v1/hall/progress/{case['number']}",
                  params={"id_tail": who[-6:]})
    client.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)


def run(kind: str, kiosks: int, apps: int, lookups: int, workers: int) -> dict[str, object]:
    pages = [scanned_page(seed) for seed in range(12)]
    times: dict[str, list[float]] = {}
    lock = threading.Lock()
    with database(kind) as url, server(url, workers) as (base, token):
        threads = [threading.Thread(target=kiosk, args=(base, token, k, apps, lookups, pages,
                                                         times, lock)) for k in range(kiosks)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    count = len(times.get("application", []))
    errors = len(times.pop("errors", []))
    return {
        "database": kind, "kiosks": kiosks, "workers": workers, "applications": count,
        "failed_kiosks": errors,
        "page_kb": round(sum(map(len, pages)) / len(pages) / 1000),
        "wall_s": round(wall, 1), "applications_per_s": round(count / wall, 2),
        "requests_per_s": round(sum(len(v) for k, v in times.items()
                                    if k != "application") / wall, 1),
        "p50_ms": {k: pct(v, 0.5) for k, v in sorted(times.items())},
        "p95_ms": {k: pct(v, 0.95) for k, v in sorted(times.items())},
        "load_average": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kiosks", type=int, default=50)
    p.add_argument("--applications", type=int, default=4, help="per kiosk")
    p.add_argument("--lookups", type=int, default=5, help="progress lookups per application")
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args()
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        print(json.dumps(run(kind, args.kiosks, args.applications, args.lookups, args.workers),
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
