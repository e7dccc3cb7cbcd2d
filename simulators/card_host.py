"""Virtual cards and PSAMs in a process of their own, inserted and removed on command.

A real card has its own processor: the terminal's CPU load never makes it answer late. Virtual
cards served as threads of a busy test process do (the GIL, shared with the process's other
threads, and the process's priority). For long runs on a loaded machine (``bench.soak``) the
cards therefore live in a separate process, optionally at a higher priority than the terminals
under test (``nice``; lowering it needs root), one :class:`~simulators.vpcd.VpcdBridge` per
vpcd reader. The parent drives it over the child's stdin, one command a line::

    insert SLOT CARD     put card number CARD (its index in the slot's list) into SLOT's reader
    remove SLOT          take SLOT's card out

and the child prints ``ready`` once every slot's PSAM is connected. End of input (the parent
closed stdin or died) stops every bridge and ends the process. The card state is on disk
(``open_user_card``/``open_psam``), so the parent reads the balances after the child ended.

    .venv/bin/python -m simulators.card_host spec.json [--nice -5]

``spec.json``: ``{"cards_dir": ..., "slots": [{"card_port": p, "sam_port": q, "psam_dir": ...,
"terminal_id": ..., "cards": [card numbers]}, ...]}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from config.runtime import configure_logging
from simulators.card import open_psam, open_user_card
from simulators.card.controls import ControlledCard
from simulators.vpcd import VpcdBridge

log = logging.getLogger(__name__)

READY = "ready"
CONNECT_S = 10.0


@dataclass
class Slot:
    """One terminal's two vpcd readers: its rider-card reader and its PSAM's."""

    card_port: int
    sam_port: int
    psam_dir: str
    terminal_id: str
    cards: list[str] = field(default_factory=list)


class CardHostError(RuntimeError):
    """The card host did not come up or went away."""


class CardHost:
    """The parent's handle on one card-host child process (see the module doc)."""

    def __init__(self, cards_dir: Path, slots: list[Slot], spec_path: Path, log_path: Path,
                 *, nice: int | None = None) -> None:
        spec_path.write_text(json.dumps({"cards_dir": str(cards_dir),
                                         "slots": [asdict(s) for s in slots]}), encoding="utf-8")
        command = [sys.executable, "-m", "simulators.card_host", str(spec_path)]
        if nice is not None:
            command += ["--nice", str(nice)]
        with log_path.open("ab") as err:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, text=True, bufsize=1)
        self._lock = threading.Lock()

    def wait_ready(self, timeout: float = 60.0) -> None:
        assert self.proc.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not result or result[0].strip() != READY:
            self.stop()
            raise CardHostError("the card host did not come up (see its log)")

    def insert(self, slot: int, card: int) -> None:
        self._send(f"insert {slot} {card}")

    def remove(self, slot: int) -> None:
        self._send(f"remove {slot}")

    def _send(self, line: str) -> None:
        assert self.proc.stdin is not None
        with self._lock:
            try:
                self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                raise CardHostError(f"the card host is gone: {exc}") from exc

    def stop(self, timeout: float = 20.0) -> None:
        """Close its stdin (it stops its bridges and ends); kill it if it does not."""
        with self._lock, contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ---------------------------------------------------------------------------- the child


def serve(spec: dict[str, Any], commands: IO[str], out: IO[str]) -> None:
    """Run the bridges of ``spec`` and obey ``commands`` until their end."""
    cards_dir = Path(spec["cards_dir"])
    slots = [Slot(**s) for s in spec["slots"]]
    bridges: list[VpcdBridge] = []
    readers: list[tuple[VpcdBridge, list[ControlledCard]]] = []
    try:
        for i, slot in enumerate(slots):
            psam = ControlledCard(open_psam(Path(slot.psam_dir), terminal_id=slot.terminal_id))
            sam_bridge = VpcdBridge(psam, slot.sam_port, name=f"psam{i}")
            bridges.append(sam_bridge)
            sam_bridge.start()
            cards = [ControlledCard(open_user_card(cards_dir, n)) for n in slot.cards]
            reader = VpcdBridge(cards[0], slot.card_port, name=f"reader{i}", inserted=False)
            bridges.append(reader)
            reader.start()
            readers.append((reader, cards))
        for bridge in bridges:
            if bridge.inserted and not bridge.wait_connected(CONNECT_S):
                raise CardHostError(f"{bridge.name} could not connect to vpcd")
        out.write(READY + "\n")
        out.flush()
        for line in commands:
            obey(line.split(), readers)
    finally:
        for bridge in bridges:
            bridge.stop()


def obey(words: list[str], readers: list[tuple[VpcdBridge, list[ControlledCard]]]) -> None:
    if len(words) == 3 and words[0] == "insert":
        reader, cards = readers[int(words[1])]
        reader.card = cards[int(words[2])]
        reader.insert()
    elif len(words) == 2 and words[0] == "remove":
        readers[int(words[1])][0].remove()
    elif words:
        log.warning("unknown card-host command", extra={"command": " ".join(words)})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("spec", help="the slots to serve (JSON, see the module doc)")
    p.add_argument("--nice", type=int, help="run at this niceness (below 0 needs root)")
    args = p.parse_args()
    configure_logging(logging.INFO, sys.stderr)
    if args.nice is not None:  # before any thread: new threads inherit it
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        except OSError as exc:
            log.warning("could not set the niceness", extra={"error": str(exc)})
    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    serve(spec, sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
