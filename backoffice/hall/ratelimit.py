"""Lookups rate-limited against guessing: failed lookups per caller in a sliding window.

A caller is the token's id plus the client address. A failed lookup (no such number, wrong ID
tail, unknown token) counts; once a caller has ``limit`` failures in ``window_s`` seconds every
lookup is refused with 429 until the oldest failure leaves the window, so guessing a 6-digit
tail (10^6 tries) or a number with its check digits is hopeless. Per server process (held on the
app object; with several workers each keeps its own window: the bound multiplies by workers).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from backoffice.errors import TooManyRequests

__all__ = ["LookupLimiter"]


class LookupLimiter:
    def __init__(self, limit: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = max(1, limit)
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def check(self, key: str) -> None:
        """Refuse (429) a caller that used up its failures."""
        now = self._clock()
        with self._lock:
            q = self._recent(key, now)
            if len(q) >= self.limit:
                wait = int(q[0] + self.window_s - now) + 1
                raise TooManyRequests(f"too many failed lookups; try again in {wait} s",
                                      f"查询失败次数过多，请 {wait} 秒后再试", retry_after_s=wait)
            if not q:
                self._failures.pop(key, None)

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bounded memory: forget the oldest callers
                for old in list(self._failures)[:10_000]:
                    del self._failures[old]
