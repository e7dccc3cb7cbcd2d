"""Receipt printing: time to build and send each template over TCP, and bytes per receipt.

    .venv/bin/python -m bench.receipt [--runs 50]

Starts the virtual printer as a separate process (``simulators printer serve --port 0
--no-png``: it decodes and answers, but draws no PNGs, so the figures are the driver's and the
link's, not the oracle's drawing), then for each template:

* build: the template function plus rendering to ESC/POS bytes (``Printer.render``);
* send: ``Printer.print`` of the ready bytes: connect, status check (``DLE EOT 1`` and ``4``),
  write, status again as the confirmation, close;
* bytes: the size of the receipt, with the QR native (``GS ( k``, profile ``generic-58``) and as
  a raster image (``GS v 0``, profile ``gbk-58``); python-escpos' own image QR for reference.

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from escpos.printer import Dummy

from cardsvc.receipts import CardReceipt, card_receipt
from config.runtime import stop_process
from drivers.printer import Document, Printer, get_profile
from drivers.printer.testpage import test_page
from kiosk.receipts import (
    Application,
    Fee,
    Material,
    MatterGuide,
    application_receipt,
    matter_guide,
)

ROOT = Path(__file__).resolve().parents[1]
WHEN = dt.datetime(2024, 5, 6, 12, 30, 45)


def templates() -> dict[str, Callable[[], Document]]:
    card = "4102000000000001"
    app = Application("KF20240506000123", "企业设立登记（有限责任公司）", "开封市市场监督管理局",
                      WHEN, dt.date(2024, 5, 9), 3, applicant="张小三", collect="窗口领取")
    guide = MatterGuide(
        "11410200MB0000000X-001", "营业执照（企业设立登记）", "开封市市场监督管理局", "承诺件",
        15, 3, conditions=["申请人具有完全民事行为能力", "企业名称已通过自主申报"],
        materials=[Material("公司登记（备案）申请书"), Material("公司章程"),
                   Material("法定代表人身份证明", "复印件", 2, required=False)],
        fees=[Fee("营业执照工本费", 0), Fee("副本加印", 1000)], place="市民之家二楼 B 区",
        hours="周一至周五 9:00-17:00", phone="0371-12345")
    return {
        "card: canteen": lambda: card_receipt(CardReceipt(
            "canteen", card, 1250, 8750, "000000000001", 123, WHEN, merchant="市民之家职工食堂")),
        "card: bus": lambda: card_receipt(CardReceipt(
            "bus", card, 100, 5051, "000000000003", 125, WHEN, line="1路")),
        "card: top-up": lambda: card_receipt(CardReceipt(
            "topup", card, 10000, 15051, "000000000004", 7, WHEN)),
        "application receipt (QR)": lambda: application_receipt(app),
        "matter guide": lambda: matter_guide(guide),
        "test page (QR)": lambda: test_page(get_profile("generic-58"), "tcp://127.0.0.1:9100",
                                            WHEN),
    }


def start_simulator(out: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "simulators.cli", "printer", "serve",
                             "--port", "0", "--out", str(out), "--no-png"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the virtual printer did not start: {line!r}")
    return proc, line.split()[4]


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(samples) * 1000:.2f} / {p95 * 1000:.2f}"


def escpos_image_qr_bytes(data: str) -> int:
    printer = Dummy()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a warning about the profile
        printer.qr(data)  # python-escpos' default: an image, size 3
    return len(printer.output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    native, image = get_profile("generic-58"), get_profile("gbk-58")
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_simulator(Path(tmp))
        try:
            rows = []
            for name, build in templates().items():
                for profile in (native, image) if "QR" in name else (native,):
                    printer = Printer(url, profile, timeout=3.0)
                    build_times, send_times, size = [], [], 0
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        data = printer.render(build())
                        t1 = time.perf_counter()
                        printer.print(data)
                        t2 = time.perf_counter()
                        build_times.append(t1 - t0)
                        send_times.append(t2 - t1)
                        size = len(data)
                    rows.append((name, f"{profile.name} ({profile.qr})" if "QR" in name
                                 else profile.name, ms(build_times), ms(send_times), size))
        finally:
            stop_process(proc, timeout=60)
    print(f"{args.runs} runs each; {platform.python_version()}, {os.cpu_count()} cores; "
          "times are median / p95 in ms")
    print()
    print("| template | profile (QR) | build + render ms | send over TCP ms | bytes |")
    print("|---|---|---:|---:|---:|")
    for name, profile_name, build_ms, send_ms, size in rows:
        print(f"| {name} | {profile_name} | {build_ms} | {send_ms} | {size} |")
    print()
    print(f"python-escpos `qr()` default (image, size 3) for the application number: "
          f"{escpos_image_qr_bytes('KF20240506000123')} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
