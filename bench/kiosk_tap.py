"""Card tap to identity on screen, stage by stage (``python -m bench.kiosk --stack-only``).

The taps are :func:`bench.kiosk.card_taps`'; this module stamps each stage of one tap, all on
the wall clock (``time.time()``: the kiosk's process and the card service's log share it):

    tap        the demo card laid on the virtual reader (the card simulator's control socket)
    pcscd      pcscd reports the card (this bench's own PC/SC context, its own thread)
    monitor    the card service's reader monitor sees it (its ``reader event`` log line)
    read       the card thread's first command to the card, and its last answer (the APDU
               trace of ``cardsvc serve -v``: only with ``--breakdown``)
    published  the ``card_present`` event made (the event's own ``at``)
    received   the kiosk's card adapter has the event (its client's stream)
    holder     the kiosk asks ``/v1/card/holder`` and has the answer (when it asks)
    form       the apply screen's view-model moved to the form (UI thread)
    painted    the next frame of the window swapped after that: the holder on screen

The kiosk runs its own event loop while waiting (:func:`pump`), as ``kiosk run`` does: no
sleep between looks that would leave a posted event waiting.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cardsvc.client import CardServiceClient, Holder
from cardsvc.events import Event

STAGES = ("tap", "pcscd", "monitor", "read_first", "read_last", "published", "received",
          "holder_asked", "holder_back", "form", "painted")


class Stamps:
    """The stamps of the tap in progress (``arm`` starts a new one)."""

    def __init__(self) -> None:
        self.now: dict[str, float] = {}
        self.event_ids: set[int] = set()

    def arm(self) -> None:
        self.now = {}

    def stamp(self, stage: str, at: float | None = None) -> None:
        self.now.setdefault(stage, time.time() if at is None else at)


class PcscWatch:
    """Stamps the moment pcscd reports a card in ``reader`` (own context, own thread)."""

    def __init__(self, reader: str, stamps: Stamps) -> None:
        self.reader = reader
        self._stamps = stamps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-pcsc-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from smartcard import scard  # noqa: PLC0415

        _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        state = scard.SCARD_STATE_UNAWARE
        try:
            while not self._stop.is_set():
                rc, states = scard.SCardGetStatusChange(ctx, 200, [(self.reader, state)])
                if rc != scard.SCARD_S_SUCCESS:
                    continue
                event = states[0][1]
                if event & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_PRESENT:
                    self._stamps.stamp("pcscd")
                state = event & ~scard.SCARD_STATE_CHANGED
        finally:
            scard.SCardReleaseContext(ctx)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


def stamped_client(make: Callable[[], CardServiceClient],
                   stamps: Stamps) -> Callable[[], CardServiceClient]:
    """A client factory whose clients stamp ``received``, ``holder_asked``, ``holder_back``."""

    def factory() -> CardServiceClient:
        client = make()
        events, holder = client.events, client.holder

        def stamped_events(**kw: Any) -> Iterator[Event]:
            for event in events(**kw):
                if event.type == "card_present":
                    stamps.stamp("received")
                    stamps.stamp("published", event.at)
                yield event

        def stamped_holder() -> Holder:
            stamps.stamp("holder_asked")
            try:
                return holder()
            finally:
                stamps.stamp("holder_back")

        client.events = stamped_events  # type: ignore[method-assign]
        client.holder = stamped_holder  # type: ignore[method-assign]
        return client

    return factory


def watch_screen(kiosk: Any, stamps: Stamps) -> None:
    """Stamp ``form`` when the apply screen shows the form, ``painted`` at the next frame."""
    apply = kiosk.vm.apply

    def changed() -> None:
        if apply.stepCode == "form" and "tap" in stamps.now:
            stamps.stamp("form")

    def swapped() -> None:
        if "form" in stamps.now:
            stamps.stamp("painted")

    apply.changed.connect(changed)
    kiosk.window.frameSwapped.connect(swapped)


def pump(cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Run the Qt event loop until ``cond()`` (looked at every 5 ms by a timer)."""
    from PySide6.QtCore import QEventLoop, QTimer  # noqa: PLC0415

    if cond():
        return
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: loop.quit() if cond() or time.monotonic() > deadline
                           else None)
    ticker.start()
    loop.exec()
    ticker.stop()
    if not cond():
        raise TimeoutError(f"timed out waiting for {what}")


def service_stamps(log: Path, since: int, reader: str) -> tuple[list[dict[str, Any]], int]:
    """The card service's log lines about the user card's reader after byte ``since``: each
    with ``t`` (its wall time) and ``what`` (``monitor``, ``C`` or ``R``, ``http``)."""
    out: list[dict[str, Any]] = []
    with log.open("rb") as fh:
        fh.seek(since)
        data = fh.read()
    end = since + data.rfind(b"\n") + 1
    for raw in data[: end - since].splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict) or "ts" not in line:
            continue
        t = dt.datetime.fromisoformat(line["ts"]).timestamp()
        if line.get("logger") == "drivers.pcsc.monitor" and line.get("event") == "CardInserted" \
                and line.get("reader") == reader:
            out.append({"t": t, "what": "monitor"})
        elif line.get("logger") == "drivers.pcsc.apdu" and line.get("reader") == reader:
            out.append({"t": t, "what": line.get("direction"), "apdu": line.get("apdu", "")})
    return out, end


def split_reads(lines: list[dict[str, Any]], stamps: dict[str, float]) -> dict[str, Any]:
    """The tap's own read (before the event was published) and the holder request's read (after
    the kiosk asked), from the service's log lines of one tap."""
    published = stamps.get("published", float("inf"))
    asked = stamps.get("holder_asked", float("inf"))
    monitor = [x["t"] for x in lines if x["what"] == "monitor"]
    tap = [x for x in lines if x["what"] in ("C", "R") and x["t"] <= published + 0.0005]
    holder = [x for x in lines if x["what"] in ("C", "R") and x["t"] >= asked - 0.0005]
    out: dict[str, Any] = {"tap_commands": [x["apdu"][:11] for x in tap if x["what"] == "C"],
                           "holder_commands": [x["apdu"][:11] for x in holder
                                               if x["what"] == "C"]}
    if monitor:
        stamps.setdefault("monitor", monitor[0])
    if tap:
        stamps.setdefault("read_first", tap[0]["t"])
        stamps.setdefault("read_last", tap[-1]["t"])
    return out


def breakdown(taps: list[dict[str, float]]) -> dict[str, Any]:
    """Each stage from the one before it that was stamped: mean and p50 in ms."""
    from bench.kiosk import percentile  # noqa: PLC0415

    spans: dict[str, list[float]] = {}
    for tap in taps:
        done = [s for s in STAGES if s in tap]
        for before, stage in itertools.pairwise(done):
            spans.setdefault(f"{before}->{stage}", []).append((tap[stage] - tap[before]) * 1000)
    return {k: {"mean": round(sum(v) / len(v), 1), "p50": round(percentile(v, 50), 1),
                "n": len(v)} for k, v in spans.items()}
