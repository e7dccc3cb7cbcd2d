"""Off the UI thread: blocking calls run on worker threads and come back as Qt signals.

``Tasks.run(fn, on_ok, on_error)`` runs ``fn()`` on a thread pool; ``on_ok(result)`` or
``on_error(exc)`` is then called on the UI thread. ``Tasks.forget()`` (at every session end)
drops the answers of calls still running, so a slow answer meant for the previous citizen never
reaches the next one's screen. :class:`Relay` carries events from a device's own thread (camera
frames, card events) to the UI thread. :class:`StallMeter` measures the longest time the UI
thread did not run its event loop (the kiosk must never freeze: <= 50 ms).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], deliver: Callable[[Any, BaseException | None], None]
                 ) -> None:
        super().__init__()
        self._fn = fn
        self._deliver = deliver
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - delivered to the caller's on_error on the UI thread
            self._deliver(None, exc)
        else:
            self._deliver(result, None)


class Tasks(QObject):
    """A thread pool whose answers come back on the UI thread, tagged by session."""

    _answer = Signal(int, int, object, object)

    def __init__(self, threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._generation = 0
        self._next = 0
        self._callbacks: dict[int, tuple[Callable[[Any], None],
                                         Callable[[BaseException], None] | None]] = {}
        self._answer.connect(self._deliver)

    def run(self, fn: Callable[[], T], on_ok: Callable[[T], None],
            on_error: Callable[[BaseException], None] | None = None) -> int:
        """Start ``fn`` on a worker; returns a ticket. Never blocks."""
        self._next += 1
        ticket, generation = self._next, self._generation
        self._callbacks[ticket] = (on_ok, on_error)

        def deliver(result: Any, error: BaseException | None) -> None:
            self._answer.emit(ticket, generation, result, error)

        self._pool.start(_Job(fn, deliver))
        return ticket

    @property
    def busy(self) -> int:
        return len(self._callbacks)

    def forget(self) -> None:
        """Drop every answer still to come (the session they belonged to is over)."""
        self._generation += 1
        self._callbacks.clear()

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """For tests and shutdown: wait until the workers are done (blocks the caller)."""
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot(int, int, object, object)
    def _deliver(self, ticket: int, generation: int, result: object,
                 error: BaseException | None) -> None:
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is None or generation != self._generation:
            return
        on_ok, on_error = callbacks
        if error is None:
            on_ok(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("kiosk.task.failed: %s", type(error).__name__,
                      extra={"event": "kiosk.task.failed", "error": type(error).__name__})


class Relay(QObject):
    """Post objects from any thread; ``arrived`` fires with them on the relay's (UI) thread."""

    arrived = Signal(object)

    def post(self, item: object) -> None:
        self.arrived.emit(item)


class StallMeter(QObject):
    """Ticks every ``interval_ms`` on the UI thread and keeps the longest late tick."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.longest_ms = 0.0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.longest_ms = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.longest_ms

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self._last - self.interval) * 1000
        self.longest_ms = max(self.longest_ms, late)
        self._last = now
