"""Family 3: faults between the uploader and clearing.

The product's :class:`~cardsvc.uploader.Uploader` runs as the card service runs it (its own
thread and journal connection, batches, backoff), over the product's
:class:`~cardsvc.clearing_client.ClearingClient`, whose httpx transport is wrapped in
:class:`FaultTransport`. Meanwhile a terminal keeps making transactions (in-process tier), and
the real ``backoffice serve`` child process is killed (``kill -9``) and restarted now and then,
also in the middle of a request. Faults, each drawn per request:

* ``drop request``: the request never reaches clearing (connection error);
* ``drop response``: clearing stored the batch, the answer is lost (read error);
* ``duplicate``: the request reaches clearing twice (the client sees the second answer);
* ``replay``: an earlier upload arrives again before this one (a delayed duplicate);
* ``5xx``: an answer 503 from something in between, nothing reached clearing;
* ``garbled``: the answer is cut short (not JSON) after clearing stored the batch;
* ``kill during``: clearing is killed a few milliseconds after the request went out
  (stored or not: the SQLite transaction decides), then restarted in the background;
* ``restart``: clearing is killed just before the request and restarted after a pause (and,
  with ``restart_every_s``, also at random moments, busy or not).

At the end, with the faults still on, the uploader must get everything acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx

from bench.chaos.clearing import TOKEN, BackofficeProcess
from bench.chaos.report import FamilyReport, Progress
from bench.chaos.station import Station, plan
from bench.chaos.world import World
from cardsvc.clearing_client import ClearingClient
from cardsvc.errors import CardServiceError
from cardsvc.uploader import Uploader

FAULTS = ("drop request", "drop response", "duplicate", "replay", "5xx", "garbled",
          "kill during", "restart")


class FaultTransport(httpx.BaseTransport):
    """Wraps the real transport; ``fault_rate`` of the upload requests get one fault of
    ``FAULTS`` (a quarter as many of the other requests, the hotlist's, get a network fault)."""

    def __init__(self, inner: httpx.BaseTransport, server: BackofficeProcess,
                 rng: random.Random, fault_rate: float,
                 schedule: list[str] | None = None) -> None:
        self.inner = inner
        self.server = server
        self.rng = rng
        self.fault_rate = fault_rate
        self.schedule = list(schedule or [])
        """Faults to inject first, one per upload request, in order (deterministic runs)."""
        self.injected: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        """Requests the uploader made: ``upload`` (POST /v1/transactions) or ``other``."""
        self.enabled = True
        self._uploads: list[bytes] = []
        self._lock = threading.Lock()

    def _draw(self, request: httpx.Request) -> str | None:
        upload = request.url.path == "/v1/transactions"
        with self._lock:
            self.requests["upload" if upload else "other"] += 1
            if not self.enabled:
                return None
            if upload and self.schedule:
                return self.schedule.pop(0)
            if self.rng.random() >= self.fault_rate * (1.0 if upload else 0.25):
                return None
            choices = FAULTS if upload else ("drop request", "drop response", "5xx")
            return self.rng.choice(choices)

    def _forward(self, request: httpx.Request, body: bytes) -> httpx.Response:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = self.inner.handle_request(copy)
        content = response.read()
        response.close()
        if request.url.path == "/v1/transactions" and response.status_code == 200:
            doc = json.loads(content)
            with self._lock:
                self.seen.update(new=doc["new"], duplicate=doc["duplicate"],
                                 rejected=doc["rejected"])
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request)

    def _restart_later(self, pause: float) -> None:
        def again() -> None:
            time.sleep(pause)
            self.server.start()
        threading.Thread(target=again, name="clearing-restart", daemon=True).start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        fault = self._draw(request)
        if fault is not None:
            with self._lock:
                self.injected[fault] += 1
        if fault == "drop request":
            raise httpx.ConnectError("injected: request dropped", request=request)
        if fault == "restart":
            self.server.kill()
            self._restart_later(self.rng.uniform(0.1, 1.0))
            raise httpx.ConnectError("injected: clearing restarting", request=request)
        if fault == "5xx":
            return httpx.Response(503, json={"error": "unavailable", "message": "injected"},
                                  request=request)
        if fault == "replay":
            with self._lock:
                old = self.rng.choice(self._uploads) if self._uploads else body
            self._forward(request, old)
        if fault == "kill during":
            return self._kill_during(request, body)
        response = self._forward(request, body)
        if request.url.path == "/v1/transactions":
            with self._lock:
                self._uploads.append(body)
        if fault == "duplicate":
            response = self._forward(request, body)
        if fault == "drop response":
            raise httpx.ReadError("injected: response lost", request=request)
        if fault == "garbled":
            return httpx.Response(200, content=response.content[: len(response.content) // 2],
                                  headers={"content-type": "application/json"},
                                  request=request)
        return response

    def _kill_during(self, request: httpx.Request, body: bytes) -> httpx.Response:
        result: list[httpx.Response] = []

        def send() -> None:
            with contextlib.suppress(httpx.HTTPError):
                result.append(self._forward(request, body))

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(self.rng.uniform(0.0, 0.01))
        self.server.kill()
        sender.join(30)
        self._restart_later(self.rng.uniform(0.0, 0.5))
        if result:  # it answered before it died: the answer is lost all the same
            raise httpx.ReadError("injected: clearing killed, answer lost", request=request)
        raise httpx.RemoteProtocolError("injected: clearing killed mid-request", request=request)


def _restarts(server: BackofficeProcess, rng: random.Random, every_s: float,
              stop: threading.Event, count: Callable[[], None]) -> None:
    while not stop.wait(rng.uniform(0.5, 1.5) * every_s):
        if not server.running:
            continue
        server.kill()
        count()
        time.sleep(rng.uniform(0.0, 1.0))
        if not stop.is_set():
            server.start()


def run(world: World, station: Station, *, transactions: int, fault_rate: float = 0.3,
        restart_every_s: float = 0.0, batch_size: int = 10, seed: int = 3,
        schedule: list[str] | None = None, deadline_s: float = 300.0,
        progress: Progress | None = None) -> FamilyReport:
    """Make ``transactions`` transactions while the uploader uploads them through faults;
    with ``restart_every_s`` clearing is also killed and restarted about that often."""
    rng = random.Random(seed)
    report = FamilyReport("uploads")
    started = time.perf_counter()
    transport = FaultTransport(httpx.HTTPTransport(), world.clearing, random.Random(seed + 1),
                               fault_rate, schedule)
    client = ClearingClient(world.clearing.url, TOKEN, timeout_s=5.0, transport=transport)
    uploader = Uploader(station.journal.path, client, batch_size=batch_size, interval_s=0.05,
                        backoff_initial_s=0.02, backoff_max_s=0.3)
    stop = threading.Event()
    restarts = Counter[str]()
    chaos = threading.Thread(target=_restarts, args=(
        world.clearing, random.Random(seed + 2), restart_every_s, stop,
        lambda: restarts.update(["restart (timer)"])), daemon=True)
    uploader.start()
    if restart_every_s:
        chaos.start()
    cards = list(station.specs)
    try:
        for i in range(transactions):
            if i % 5 == 0:
                station.use("memory", rng.choice(cards))
            planned = plan(rng, station.specs[station.where.card_no], station.truth().balance)
            try:
                station.transact(planned)
            except CardServiceError as exc:
                report.anomaly(f"transaction {planned} failed: {exc!r}")
            uploader.poke()
            report.trials += 1
            report.transactions = station.transactions
            report.injected.update(transport.injected)  # a snapshot for the progress line
            report.tick(progress, 500)
            report.injected.clear()
        stop.set()
        if chaos.is_alive():
            chaos.join(30)
        world.clearing.start()  # up for the end (no-op when it is)
        until = time.monotonic() + deadline_s
        while station.journal.counts()["not_uploaded"] and time.monotonic() < until:
            uploader.poke()
            time.sleep(0.05)
    finally:
        stop.set()
        uploader.stop()
        client.close()
    report.transactions = station.transactions
    report.injected.update(transport.injected)
    report.injected.update(restarts)
    report.details.update({f"clearing answered {k}": n for k, n in transport.seen.items()})
    report.details.update({f"requests {k}": n for k, n in transport.requests.items()})
    world.clearing.start()
    report.verdict = world.final_check(station.journal.entries())
    report.wall_s = time.perf_counter() - started
    return report
