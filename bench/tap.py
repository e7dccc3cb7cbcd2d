"""Tap to result through pcscd, warm: a cashier's sale (``cardsvc serve`` + the client), a bus
fare (``cardsvc validator``), and how soon a kiosk hears of a tap (``card_present`` over the
server-sent events); plus the commands an API purchase sends, counted from the APDU trace.

    .venv/bin/python -m bench.tap [--n 60]

"From the moment pcscd reports the card": this bench watches the reader with its own PC/SC
context (``SCardGetStatusChange``) and stamps the insertion when pcscd tells it; the result is
stamped when the sale's answer, the validator's result line or the event arrives. pcscd itself
notices a vpcd card only at its ~0.4 s poll: that delay comes before the stamp and is not
counted (it is the reader's, and a real reader reports at once).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from smartcard import scard

from cardsvc.client import CardServiceClient
from config.runtime import free_tcp_port, wait_http_ok
from simulators.card.controls import ControlledCard
from simulators.card.factory import open_psam, open_user_card
from simulators.pcscd import PcscdProcess
from simulators.vpcd import VpcdBridge


class Watch:
    """Stamps the moment pcscd reports a card in ``reader`` (own context, own thread)."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.inserted = threading.Event()
        self.at = 0.0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            rc, states = scard.SCardGetStatusChange(ctx, 200, [(self.reader, state)])
            if rc != scard.SCARD_S_SUCCESS:
                continue
            _, event, _ = states[0]
            present = bool(event & scard.SCARD_STATE_PRESENT)
            if present and not state & scard.SCARD_STATE_PRESENT:
                self.at = time.monotonic()
                self.inserted.set()
            state = event & ~scard.SCARD_STATE_CHANGED

    def arm(self) -> None:
        self.inserted.clear()

    def stop(self) -> None:
        self._stop.set()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(name: str, samples: list[float]) -> dict[str, Any]:
    ms = [s * 1e3 for s in samples]
    return {"what": name, "n": len(ms), "median_ms": round(statistics.median(ms), 1),
            "p95_ms": round(pct(ms, 0.95), 1), "max_ms": round(max(ms), 1)}


def wait_absent(reader: str, timeout: float = 5.0) -> None:
    _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rc, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if rc == scard.SCARD_S_SUCCESS and not states[0][1] & scard.SCARD_STATE_PRESENT:
            break
        time.sleep(0.05)
    scard.SCardReleaseContext(ctx)


def sales(env: dict[str, str], root: Path, bridge: VpcdBridge, reader: str,
          n: int) -> dict[str, Any]:
    port = free_tcp_port()
    config = root / "serve.toml"
    config.write_text(f'[paths]\nvar_dir = "{root / "serve"}"\n[service]\nport = {port}\n'
                      f'[card]\nreader = "{reader}"\n')
    env = {**env, "CITIZEN_HALL_CONFIG": str(config)}
    log = (root / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "serve", "-v",
                             "--no-receipts"], env=env, stderr=log)
    try:
        assert wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30)
        token = (root / "serve" / "cardsvc.token").read_text().strip()
        svc = CardServiceClient(token, f"http://127.0.0.1:{port}")
        watch = Watch(reader)
        taps, reacts = [], []
        stop = threading.Event()
        heard = threading.Event()
        heard_at = [0.0]

        def listen() -> None:
            for event in svc.events(stop=stop):
                if event.type == "card_present":
                    heard_at[0] = time.monotonic()
                    heard.set()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)
        for i in range(n + 2):  # a kiosk: no sale waiting, how soon it hears of the tap
            watch.arm()
            heard.clear()
            bridge.insert()
            if heard.wait(5) and watch.inserted.wait(2) and i >= 2:
                reacts.append(heard_at[0] - watch.at)
            bridge.remove()
            wait_absent(reader)
        for i in range(n + 2):
            watch.arm()
            heard.clear()
            done: list[float] = []

            def sell(i: int = i, done: list[float] = done) -> None:
                svc.sale(1, "canteen", f"bench-{i}-{time.time_ns()}", receipt=False)
                done.append(time.monotonic())

            seller = threading.Thread(target=sell)
            seller.start()
            time.sleep(0.2)
            bridge.insert()
            seller.join(20)
            if i >= 2 and done and watch.inserted.is_set():  # two taps to warm up
                taps.append(done[0] - watch.at)
            bridge.remove()
            wait_absent(reader)
        stop.set()
        bridge.insert()
        watch.arm()
        watch.inserted.wait(5)
        svc.purchase(1)  # warm
        mark = (root / "serve.log").stat().st_size
        svc.purchase(1)
        counts = count_commands(root / "serve.log", mark)
        bridge.remove()
        wait_absent(reader)
        svc.close()
        watch.stop()
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()
    return {"sale": figures("sale (cashier): pcscd reports the card -> answer", taps),
            "event": figures("kiosk: pcscd reports the card -> card_present event", reacts),
            "commands": counts}


def count_commands(log: Path, start: int) -> dict[str, int]:
    out: dict[str, int] = {}
    with log.open("rb") as fh:
        fh.seek(start)
        for raw in fh:
            line = json.loads(raw)
            if line.get("logger") == "drivers.pcsc.apdu" and line.get("direction") == "C":
                apdu = line["apdu"].replace(" ", "")
                kind = "GET RESPONSE" if apdu.startswith("00C0") else \
                    f"{line['reader']} {apdu[:4]}"
                out[kind] = out.get(kind, 0) + 1
    return out


def fares(env: dict[str, str], root: Path, bridge: VpcdBridge, reader: str,
          n: int) -> dict[str, Any]:
    config = root / "validator.toml"
    config.write_text(f'[paths]\nvar_dir = "{root / "validator"}"\n[card]\nreader = "{reader}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "validator", "--line", "1",
                             "--json", "--passback", "0"],
                            env={**env, "CITIZEN_HALL_CONFIG": str(config)},
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    watch = Watch(reader)
    samples = []
    try:
        while json.loads(proc.stdout.readline())["type"] != "reader_available":
            pass
        for i in range(n + 2):
            watch.arm()
            bridge.insert()
            while (line := json.loads(proc.stdout.readline()))["type"] != "operation_finished":
                pass
            got = time.monotonic()
            if i >= 2 and line["ok"] and watch.inserted.wait(2):
                samples.append(got - watch.at)
            bridge.remove()
            while json.loads(proc.stdout.readline())["type"] != "card_removed":
                pass
    finally:
        watch.stop()
        proc.terminate()
        proc.wait(15)
    return {"fare": figures("bus fare (validator): pcscd reports the card -> result", samples)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=60, help="taps per figure")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tap-") as tmp:
        root = Path(tmp)
        with PcscdProcess(root / "pcscd") as pcscd:
            os.environ.update(pcscd.env)
            card = ControlledCard(open_user_card(Path("/dev/shm") / f"tap-{os.getpid()}",
                                                 "4102000000000001"))
            psam = VpcdBridge(ControlledCard(open_psam(root / "psam")), pcscd.ports[1])
            bridge = VpcdBridge(card, pcscd.ports[0], inserted=False)
            psam.start()
            bridge.start()
            psam.wait_connected(5)
            time.sleep(1)
            env = {**os.environ}
            try:
                out = sales(env, root, bridge, pcscd.readers[0], args.n)
                out |= fares(env, root, bridge, pcscd.readers[0], args.n)
            finally:
                bridge.stop()
                psam.stop()
    print(f"machine {platform.machine()}, {os.cpu_count()} cpu(s), load "
          f"{os.getloadavg()[0]:.1f}, through pcscd + vpcd, warm, n={args.n}")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
