"""Card events: what the card service tells its clients as it happens (the local API pushes them
as server-sent events; an in-process program subscribes directly).

    reader_available    {reader}                      a user-card reader is there (again)
    reader_unavailable  {reader, code}                 gone, or pcscd is down
    card_present        {reader, card_no, card_no_masked, holder_name, id_number_masked,
                         card_type, card_type_zh, status}   a card was tapped and read
                        {reader, code}                 a card that could not be read
    several_cards       {reader, code}                 more than one card: nothing charged
    card_removed        {reader}
    operation_started   {reader, operation, client_ref}
    operation_finished  {reader, operation, client_ref, ok, result | code, message, message_zh}
                        (+ card_no for a ride, once the card was read: the tap it answers)
    sale_waiting        {client_ref, amount_fen, kind}  a sale waits for a tap
    sale_ended          {client_ref, ok, code}          paid, timed out or cancelled

Every event has an ``id`` (increasing, per service run), a ``type``, ``at`` (unix time) and
``data``. The hub keeps the last :data:`HISTORY` events so that a client that reconnects with
``Last-Event-ID`` gets what it missed (or, if that is gone, a ``resync`` event first); a client
that connects afresh gets, first, the ``card_present`` of each card lying on a reader now (a
kiosk that starts, or connects, just after the tap sees the card as if it had been watching). No
personal data beyond what a kiosk shows (the holder's name, masked ID and card numbers).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["EVENT_TYPES", "Event", "EventHub", "Subscription"]

HISTORY = 512
EVENT_TYPES = ("reader_available", "reader_unavailable", "card_present", "several_cards",
               "card_removed", "operation_started", "operation_finished", "sale_waiting",
               "sale_ended", "resync")


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "at": self.at, "data": dict(self.data)}


class Subscription:
    """One subscriber's queue (bounded: a client that stops reading loses the oldest events and
    is told with a ``resync``)."""

    def __init__(self, hub: EventHub, limit: int) -> None:
        self._hub = hub
        self._limit = limit
        self._items: collections.deque[Event] = collections.deque()
        self._cond = threading.Condition()
        self.closed = False

    def _put(self, event: Event) -> None:
        with self._cond:
            if len(self._items) >= self._limit:
                self._items.clear()
                self._items.append(Event(event.id, "resync", MappingProxyType({}), event.at))
            self._items.append(event)
            self._cond.notify_all()

    def get(self, timeout: float) -> Event | None:
        """The next event, or None after ``timeout`` seconds (or once closed)."""
        with self._cond:
            if not self._items and not self.closed:
                self._cond.wait(timeout)
            return self._items.popleft() if self._items else None

    def close(self) -> None:
        self._hub.unsubscribe(self)
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventHub:
    """Thread-safe publish/subscribe with a short history. One per runtime (no globals)."""

    def __init__(self, history: int = HISTORY) -> None:
        self._lock = threading.Lock()
        self._history: collections.deque[Event] = collections.deque(maxlen=history)
        self._subs: list[Subscription] = []
        self._next = 1
        self._lying: dict[str, Event] = {}  # reader -> its card's card_present, while it lies

    def publish(self, type_: str, **data: Any) -> Event:
        with self._lock:
            event = Event(self._next, type_, MappingProxyType(data), time.time())
            self._next += 1
            self._history.append(event)
            reader = str(data.get("reader", ""))
            if type_ == "card_present":
                self._lying[reader] = event
            elif type_ in ("card_removed", "reader_unavailable"):
                self._lying.pop(reader, None)
            subs = list(self._subs)
        for sub in subs:
            sub._put(event)
        return event

    def subscribe(self, last_id: int | None = None, *, limit: int = 1000) -> Subscription:
        """A new subscription; with ``last_id`` the events after it come first (a ``resync``
        first when some of them are no longer kept); without, the cards lying on the readers
        now (their ``card_present``) come first."""
        sub = Subscription(self, limit)
        with self._lock:
            if last_id is not None:
                missed = [e for e in self._history if e.id > last_id]
                if self._history and self._history[0].id > last_id + 1:
                    sub._put(Event(0, "resync", MappingProxyType({}), time.time()))
                for event in missed:
                    sub._put(event)
            else:
                for event in sorted(self._lying.values(), key=lambda e: e.id):
                    sub._put(event)
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def last_id(self) -> int:
        with self._lock:
            return self._next - 1
