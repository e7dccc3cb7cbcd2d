"""The kiosk's figures (docs/benchmarks.md), offscreen:

    python -m bench.kiosk [--matters 5000] [--keys 300] [--starts 3]

* cold start: a new process imports the kiosk, builds the window and loads the catalogue
  until the home screen is usable (the find screen has its matters), wall time; the big
  catalogue with the hall's search tokens in it (as ``/catalogue`` sends them) and without;
* keystroke to updated results: letters typed one at a time on the find screen over a catalogue
  of ``--matters`` matters (the demo catalogue's matters, renamed with generated names),
  from the key to the results replaced on the UI thread (p50, p95, max);
* card tap to identity on screen: the demo city card laid on the virtual reader (vpcd, the card
  simulator's control socket) while the apply screen asks for it, through pcscd and ``cardsvc
  serve`` (its event, then ``/v1/card/holder``), to the form showing the holder; also from the
  service's ``card_present`` event (seen by a second client) to the form: the kiosk's own part,
  without pcsc-lite's ~0.4 s vpcd poll, which a real reader's interrupt does not have. pcsc-lite
  sees a vpcd card only at that poll, so when a tap comes matters: a citizen taps at any moment
  (the headline figure: each tap after a random pause of 0-0.4 s, seeded), while a tap made at
  once after the previous lift was seen falls just after a poll and waits nearly a whole period
  (reported beside it as the worst case);
* ID card to identity on screen: the virtual ID-card reader (its own process, a pty) with the
  card on it, from the apply screen asking for it to the form showing the holder;
* the longest UI-thread stall (:class:`kiosk.tasks.StallMeter`, 5 ms ticks) while the document
  camera streams and captures and while a receipt prints on the virtual printer (TCP);
* resident memory (VmRSS, VmHWM) of the kiosk's process after all of it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "config" / "demo" / "hall" / "catalogue.json"

COLD = """
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from pathlib import Path
from config.settings import KioskSettings
from kiosk.app import Ports, build
from kiosk.adapters.hall_offline import OfflineHall
from bench.kiosk import NullPrinter as FakePrinter, NullScanner as FakeScanner
import tempfile
d = Path(tempfile.mkdtemp())
k = build(Ports(hall=OfflineHall(Path(sys.argv[2])), printer=FakePrinter(),
                scanner=FakeScanner()),
          KioskSettings(catalogue_file=Path(sys.argv[2]), session_dir=d / "s"),
          px_per_mm=4.0)
while k.vm.find.total == 0:
    app.processEvents()
k.window.grabWindow()
print(time.time() - t0)
"""


class NullPrinter:
    """Nothing prints (the figures without a printer)."""

    def submit(self, document: Any, key: str | None = None) -> Any:
        from kiosk.ports import PrintJob, PrintState  # noqa: PLC0415
        return PrintJob(1, PrintState.DONE)

    def job(self, job_id: int) -> Any:
        return self.submit(None)

    def watch(self, on_change: Any) -> None:
        pass


class NullScanner:
    """No camera (the figures without one)."""

    def start(self, on_frame: Any, on_fault: Any, *, qr: bool = False) -> None:
        pass

    def stop(self) -> None:
        pass

    def save_page(self, page: Any, path: Path) -> Path:
        return path


def big_catalogue(n: int, path: Path, seed: int = 1, *, keys: bool = True) -> Path:
    from bench.hall_search import generate  # noqa: PLC0415

    doc = json.loads(DEMO.read_text("utf-8"))
    base = doc["matters"]
    names = generate(n, random.Random(seed))
    matters = []
    for i, (_, name, aliases) in enumerate(names):
        m = copy.deepcopy(base[i % len(base)])
        m["code"] = f"{m['code'][:-6]}{i:06d}"
        m["name"] = {"zh": name, "en": f"Matter {i}"}
        m["aliases"] = aliases
        matters.append(m)
    doc["matters"] = matters
    if keys:  # as the back office's /catalogue sends it: the tokens stored at publish time
        from backoffice.hallcat.pinyin import tokens  # noqa: PLC0415
        from backoffice.hallcat.search import entry_keys  # noqa: PLC0415

        doc["search_keys"] = {m["code"]: entry_keys(m["name"]["zh"], m["name"]["en"],
                                                    m["aliases"], tokens) for m in matters}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def cold_start(catalogue: Path, starts: int) -> list[float]:
    out = []
    for _ in range(starts):
        proc = subprocess.run([sys.executable, "-c", COLD, repr(time.time()), str(catalogue)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120,
                              check=True)
        out.append(float(proc.stdout.strip().splitlines()[-1]))
    return out


def keystrokes(catalogue: Path, keys: int, seed: int = 2) -> dict[str, float]:
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    from config.settings import KioskSettings  # noqa: PLC0415
    from kiosk.adapters.hall_offline import OfflineHall  # noqa: PLC0415
    from kiosk.app import Ports, build  # noqa: PLC0415

    app = QGuiApplication.instance() or QGuiApplication([])
    tmp = Path(tempfile.mkdtemp())
    k = build(Ports(hall=OfflineHall(catalogue), printer=NullPrinter(), scanner=NullScanner()),
              KioskSettings(catalogue_file=catalogue, session_dir=tmp / "s"), px_per_mm=4.0)
    vm: Any = k.vm
    while vm.find.total == 0:
        app.processEvents()
    vm.go("find")
    rng = random.Random(seed)
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415

    names = [m.name["zh"] for m in k.vm.screens["find"]._hall.catalogue().matters]  # type: ignore[attr-defined]
    times: list[float] = []
    while len(times) < keys:
        initials = "".join(lazy_pinyin(rng.choice(names), style=Style.FIRST_LETTER))[:5]
        vm.find.clear()
        while vm.find.busy:
            app.processEvents()
        for ch in initials:
            started = time.perf_counter()
            vm.find.type(ch)
            while vm.find.busy:
                app.processEvents()
            times.append((time.perf_counter() - started) * 1000)
    k.close()
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 2), "keys": len(times)}


def on_the_stack(taps: int = 8, *, breakdown: bool = False,
                 cards_only: bool = False) -> dict[str, Any]:
    from PySide6.QtCore import QSize  # noqa: PLC0415
    from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

    from demo.devices import Stack  # noqa: PLC0415
    from demo.journey import Journey  # noqa: PLC0415
    from kiosk.tasks import StallMeter  # noqa: PLC0415

    QGuiApplication.instance() or QGuiApplication([])
    root = Path(tempfile.mkdtemp())
    stack = Stack(root)
    out: dict[str, Any] = {}
    try:
        stack.start_hall()
        stack.start_printer()
        stack.start_camera()
        stack.start_idcard("none")
        cards = stack.start_cards(verbose=breakdown)
        from bench.kiosk_tap import Stamps, stamped_client, watch_screen  # noqa: PLC0415

        stamps = Stamps()
        setattr(cards, "client", stamped_client(cards.client, stamps))  # noqa: B010
        j = Journey(stack, root / "shots")
        (root / "shots").mkdir()
        j.kiosk, closers = j.build_kiosk(root / "kiosk", QSize(1080, 1920), 4.0)
        vm: Any = j.kiosk.vm
        j.wait(lambda: vm.find.total > 0, "catalogue")
        vm.open("apply")
        vm.find.setQuery("yyzz")
        j.wait(lambda: not vm.find.busy and vm.find.results.count > 0, "results")
        code = vm.find.results.get(0)["code"]
        watch_screen(j.kiosk, stamps)
        out.update(card_taps(j, cards, code, taps, stamps=stamps,
                             log=root / "logs" / "cardsvc.log" if breakdown else None))
        if cards_only:
            j.kiosk.close()
            for close in closers:
                close()
            return out
        stack.stop_child("idcard")
        stack.start_idcard()
        vm.find.open(code)
        j.wait(lambda: vm.guide.loaded, "guide")
        started = time.perf_counter()
        vm.guide.apply()
        j.wait(lambda: vm.apply.stepCode == "form", "identity", 30)
        out["idcard_to_identity_ms"] = round((time.perf_counter() - started) * 1000, 1)
        j.fill_form()
        vm.apply.next()
        j.wait(lambda: vm.apply.materials.rows.count > 0, "materials")
        meter = StallMeter()
        meter.start()
        j.scan_materials(shots=False)  # a screenshot renders on the UI thread: not the kiosk's
        out["scan_longest_stall_ms"] = round(meter.stop(), 1)
        vm.apply.next()
        j.wait(lambda: vm.apply.stepCode == "review", "review")
        meter.start()
        vm.apply.next()
        j.wait(lambda: vm.apply.stepCode == "receipt", "receipt", 60)
        j.wait(lambda: "打印完成" in vm.apply.printStatus, "printed", 60)
        out["submit_and_print_longest_stall_ms"] = round(meter.stop(), 1)
        status = Path("/proc/self/status").read_text()
        for key in ("VmRSS", "VmHWM"):
            line = next(x for x in status.splitlines() if x.startswith(key))
            out[f"{key}_mb"] = round(int(line.split()[1]) / 1024, 1)
        j.kiosk.close()
        for close in closers:
            close()
    finally:
        stack.stop()
    return out


def card_taps(j: Any, cards: Any, code: str, taps: int = 8, *,
              stamps: Any = None, log: Path | None = None) -> dict[str, Any]:
    """Tap the card ``taps`` times at a random moment and ``taps`` times at once after the
    previous lift, on the apply screen's identity step (lifted in between: each lift ends the
    session). Each tap stamped stage by stage (:mod:`bench.kiosk_tap`): the figures from the
    tap and from pcscd's report to the view-model's form and to the frame that shows it; with
    the service's ``log`` (``cardsvc serve -v``) the breakdown of every stage."""
    from bench.kiosk_tap import PcscWatch, Stamps, breakdown, pump, service_stamps, split_reads  # noqa: PLC0415

    vm: Any = j.kiosk.vm
    stamps = stamps or Stamps()
    reader = cards.pcscd.readers[0]
    os.environ.update(cards.pcscd.env)  # this process' own PC/SC context: the demo's pcscd
    watch = PcscWatch(reader, stamps)
    time.sleep(0.5)
    done: dict[str, list[dict[str, float]]] = {"random": [], "at_once": []}
    lost: list[list[str]] = []
    commands: dict[str, list[str]] = {}
    pauses = random.Random(20261201)
    since = log.stat().st_size if log is not None else 0
    try:
        for i in range(2 * taps):
            vm.find.open(code)
            pump(lambda: vm.guide.loaded, "guide")
            vm.guide.apply()
            pump(lambda: vm.apply.stepCode == "identity", "the identity step")
            random_moment = i % 2 == 0
            if random_moment:
                time.sleep(pauses.uniform(0.0, 0.4))
            if log is not None:
                since = service_stamps(log, since, reader)[1]
            stamps.arm()
            stamps.stamp("tap")
            cards.tap(wait=False)
            try:
                pump(lambda: "painted" in stamps.now, "the holder on screen")
            except TimeoutError:  # counted and told, never dropped silently
                lost.append(sorted(stamps.now, key=stamps.now.__getitem__))
                print(f"tap {i}: not on screen within 30 s; stages reached: {lost[-1]}",
                      file=sys.stderr)
            tap = dict(stamps.now)
            cards.lift()
            pump(lambda: vm.current == "home" and not j.kiosk.session.is_personal, "the wipe")
            if log is not None:
                time.sleep(0.05)  # the service's log lines of this tap are written
                lines, since = service_stamps(log, since, reader)
                commands = split_reads(lines, tap)
            done["random" if random_moment else "at_once"].append(tap)
            vm.open("apply")
    finally:
        watch.stop()

    def figure(kind: str, start: str, end: str) -> dict[str, Any]:
        ms = [(t[end] - t[start]) * 1000 for t in done[kind] if start in t and end in t]
        return {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
                "max": round(max(ms), 1), "taps": len(ms)} if ms else {}

    out: dict[str, Any] = {
        "card_tap_to_identity_ms": figure("random", "tap", "painted"),
        "card_tap_to_identity_vm_ms": figure("random", "tap", "form"),
        "card_pcscd_to_identity_ms": figure("random", "pcscd", "painted"),
        "card_tap_at_once_after_lift_ms": figure("at_once", "tap", "painted"),
        "card_pcscd_to_identity_at_once_ms": figure("at_once", "pcscd", "painted"),
        "card_event_to_identity_ms": figure("random", "received", "painted"),
        "card_tap_stages_ms": breakdown(done["random"] + done["at_once"]),
        "card_taps_not_on_screen": len(lost),
    }
    if log is not None:
        out["card_commands_of_one_tap"] = commands
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.kiosk")
    p.add_argument("--matters", type=int, default=5000)
    p.add_argument("--keys", type=int, default=300)
    p.add_argument("--starts", type=int, default=3)
    p.add_argument("--stack-only", action="store_true", help="only the figures on the stack")
    p.add_argument("--taps", type=int, default=8,
                   help="card taps of each kind (at a random moment, at once after a lift)")
    p.add_argument("--cards-only", action="store_true",
                   help="with --stack-only: only the card taps (no ID card, scan, print)")
    p.add_argument("--breakdown", action="store_true",
                   help="the card service's debug log (APDU trace) for every stage of a tap")
    args = p.parse_args()
    if args.stack_only:
        load = f"{os.getloadavg()[0]:.1f}"
        print(json.dumps({"load_at_start": load, **on_the_stack(args.taps, breakdown=args.breakdown,
                                         cards_only=args.cards_only),
                          "machine": f"{os.cpu_count()} cores, load "
                          f"{os.getloadavg()[0]:.1f}"}, ensure_ascii=False, indent=1))
        return
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = big_catalogue(args.matters, Path(tmp) / "catalogue.json")
        bare = big_catalogue(args.matters, Path(tmp) / "bare.json", keys=False)
        demo_starts = cold_start(DEMO, args.starts)
        big_starts = cold_start(catalogue, args.starts)
        bare_starts = cold_start(bare, args.starts)
        keys = keystrokes(catalogue, args.keys)
    report = {"cold_start_s_demo_104": [round(s, 2) for s in demo_starts],
              f"cold_start_s_{args.matters}": [round(s, 2) for s in big_starts],
              f"cold_start_s_{args.matters}_tokens_computed": [round(s, 2) for s in bare_starts],
              f"keystroke_{args.matters}": keys,
              **on_the_stack(args.taps, breakdown=args.breakdown),
              "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"}
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
