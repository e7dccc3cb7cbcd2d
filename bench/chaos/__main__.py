"""``python -m bench.chaos``: the chaos suite (issue 4 item 7). See bench/chaos/__init__.py.

Exit status 0 when every invariant holds after every family, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.chaos import kills, tears, terminals, uploads
from bench.chaos.readers import Readers, private_readers
from bench.chaos.report import FamilyReport, describe, table
from bench.chaos.station import memory_tier, open_station
from bench.chaos.world import World, world
from config.runtime import configure_logging
from simulators.card import open_psam, open_user_card

FAMILIES = ("tears", "kills", "uploads", "terminals")


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    p.add_argument("--families", default=",".join(FAMILIES),
                   help="comma-separated subset of tears,kills,uploads,terminals")
    p.add_argument("--tears", type=int, default=1200,
                   help="tear trials (default 1200: about 1020 tears and 180 damaged answers)")
    p.add_argument("--pcscd-share", type=float, default=0.15,
                   help="share of the tear trials run through pcscd (default 0.15)")
    p.add_argument("--kills", type=int, default=200, help="kill -9 trials (default 200)")
    p.add_argument("--upload-tx", type=int, default=3000,
                   help="transactions uploaded through faults (default 3000)")
    p.add_argument("--batch", type=int, default=5,
                   help="the uploader's batch size in the upload family (default 5: many "
                        "requests)")
    p.add_argument("--fault-rate", type=float, default=0.3,
                   help="share of requests to clearing given a fault (default 0.3)")
    p.add_argument("--restart-every", type=float, default=2.0,
                   help="kill and restart clearing about this often, seconds (default 2)")
    p.add_argument("--terminal-trials", type=int, default=600,
                   help="trials of the terminals family: a tear at one terminal, the card used "
                        "at the others, back (default 600)")
    p.add_argument("--terminals", type=int, default=3,
                   help="terminals sharing the cards in the terminals family (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", type=Path, help="keep everything here (default: a temp dir)")
    p.add_argument("--json", type=Path, help="also write the reports as JSON")
    return p.parse_args(argv)


def _scratch_dir(stack: ExitStack) -> Path:
    """Card state on tmpfs when there is one: the simulator's fsyncs are a card's EEPROM."""
    ram = "/dev/shm" if Path("/dev/shm").is_dir() else None
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chaos-cards-", dir=ram)))


@contextmanager
def _world(stack: ExitStack, root: Path, name: str) -> Iterator[World]:
    with world(root / name, cards_dir=_scratch_dir(stack) / name) as w:
        yield w


def _say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    chosen = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = set(chosen) - set(FAMILIES)
    if unknown:
        print(f"unknown families: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    reports: list[FamilyReport] = []
    with ExitStack() as stack:
        root = args.workdir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="chaos-")))
        root.mkdir(parents=True, exist_ok=True)
        log = stack.enter_context((root / "bench.log").open("a", encoding="utf-8"))
        configure_logging(logging.INFO, stream=log)
        load = os.getloadavg()
        print(f"chaos suite: {', '.join(chosen)}; seed {args.seed}; work dir {root}; "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
        readers: Readers | None = None
        if "kills" in chosen or ("tears" in chosen and args.pcscd_share > 0):
            scratch = _scratch_dir(stack)
            readers = stack.enter_context(private_readers(
                root, open_user_card(scratch), open_psam(scratch)))
        if "tears" in chosen:
            with _world(stack, root, "tears") as w:
                tiers = [memory_tier()] + ([readers.tier()] if readers and args.pcscd_share
                                           else [])
                station = open_station(w.root / "station", w.keys, w.cards_dir, w.specs, tiers)
                reports.append(tears.run(w, station, trials=args.tears,
                                         pcscd_share=args.pcscd_share, seed=args.seed,
                                         progress=_say))
                station.journal.close()
            print(describe(reports[-1]), flush=True)
        if "kills" in chosen:
            assert readers is not None
            with _world(stack, root, "kills") as w:
                reports.append(kills.run(w, readers, trials=args.kills, seed=args.seed + 1,
                                         progress=_say))
            print(describe(reports[-1]), flush=True)
        if "uploads" in chosen:
            with _world(stack, root, "uploads") as w:
                station = open_station(w.root / "station", w.keys, w.cards_dir, w.specs,
                                       [memory_tier()])
                reports.append(uploads.run(
                    w, station, transactions=args.upload_tx, fault_rate=args.fault_rate,
                    restart_every_s=args.restart_every, batch_size=args.batch,
                    seed=args.seed + 2, progress=_say))
                station.journal.close()
            print(describe(reports[-1]), flush=True)
        if "terminals" in chosen:
            with _world(stack, root, "terminals") as w:
                reports.append(terminals.run(w, trials=args.terminal_trials,
                                             terminals=args.terminals, seed=args.seed + 3,
                                             progress=_say))
            print(describe(reports[-1]), flush=True)
        load = os.getloadavg()
        print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
              f"{time.strftime('%Y-%m-%d %H:%M')}")
        print(table(reports))
        if args.json:
            args.json.write_text(json.dumps([r.as_dict() for r in reports], indent=2,
                                            ensure_ascii=False), encoding="utf-8")
    ok = all(r.ok for r in reports)
    print("all invariants hold" if ok else "INVARIANTS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
