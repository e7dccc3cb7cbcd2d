"""Cards, PSAM and readers for the chaos suite.

* :class:`Socket` is a ``SimulatedCard`` that holds another one (``inner``, swappable while the
  card is out of the reader) and can fire a *tripwire* at a chosen command: before the inner card
  gets it (nothing applied) or after it applied it (the answer then goes to a dead peer). The
  kill family aims its ``kill -9`` with it; behind vpcd it also lets one bridge serve several
  cards in turn.
* A *slot* is where a card sits, in a socket: :class:`MemorySlot` (a ``MemoryBackend`` reader) or
  :class:`VpcdSlot` (a vpcd reader of pcscd, driven through a handle that inserts and removes the
  card and waits until pcscd has seen it: the test fixtures' ``VirtualCard`` or
  :class:`BridgeHandle` in the bench). Every card put into a slot is wrapped in a
  :class:`~simulators.card.controls.ControlledCard`, whose ``tear`` the tear family arms.
* :data:`FLEET` is the set of cards the suite issues (3DES and SM4, T=CL and T=0, adult, student
  and staff), and :func:`read_truth` asks a card itself for its balance and both counters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from cardsvc.demo_issuer import demo_issuer_keys
from cardsvc.purse.client import PurseClient, Transmitter
from drivers.pcsc.spi import BackendSpi, SimulatedCard
from simulators.card import (
    CardDescription,
    PsamDescription,
    issue_user_card,
    open_psam,
    open_user_card,
    personalise_psam,
    psam_path,
)
from simulators.card.controls import ControlledCard
from simulators.card.store import StateStore
from simulators.card.wrapper import CardWrapper
from simulators.vpcd import VpcdBridge

When = Literal["before", "after"]
Trip = Literal["before", "after", "damaged"]
PIN = "123456"
TRUTH_TERMINAL = bytes.fromhex("999999999999")
SW_NO_ANSWER = b"\x6f\x00"


# --------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class CardSpec:
    number: str
    card_type: str = "adult"
    algorithm: str = "3des"
    t0: bool = False
    balance_fen: int = 50_000
    offline_atc: int = 0
    online_atc: int = 0


FLEET: tuple[CardSpec, ...] = (
    CardSpec("4102000000070001"),
    CardSpec("4102000000070002", "student", offline_atc=120, online_atc=7, balance_fen=30_000),
    CardSpec("4102000000070003", algorithm="sm4", balance_fen=40_000),
    CardSpec("4102000000070004", t0=True, balance_fen=40_000, offline_atc=3),
    CardSpec("4102000000070005", "staff", algorithm="sm4", t0=True, online_atc=2),
    CardSpec("4102000000070006", "student", algorithm="sm4", balance_fen=60_000),
)


def issue_fleet(state_dir: Path, specs: tuple[CardSpec, ...] = FLEET) -> None:
    """Personalise the cards of ``specs`` (demo issuer keys) into ``state_dir``."""
    keys = demo_issuer_keys()
    for i, spec in enumerate(specs):
        issue_user_card(state_dir, CardDescription(
            spec.number, f"测试{i + 1}", f"CHAOS{spec.number[-6:]}", spec.card_type,
            balance_fen=spec.balance_fen, algorithm=spec.algorithm, pin=PIN,
            offline_atc=spec.offline_atc, online_atc=spec.online_atc), keys)


def open_card(state_dir: Path, spec: CardSpec) -> SimulatedCard:
    """A new card object from the card's state dir (what a card shows after a power cycle)."""
    return open_user_card(state_dir, spec.number, t0=spec.t0)


def open_terminal_psam(state_dir: Path) -> SimulatedCard:
    return open_psam(state_dir)


def issue_terminal_psam(state_dir: Path, terminal_id: str) -> None:
    """Personalise a PSAM with its own terminal ID into ``state_dir`` (another terminal)."""
    image = personalise_psam(PsamDescription(terminal_id, 1), demo_issuer_keys())
    StateStore(psam_path(state_dir)).save(image.as_dict())


@dataclass(frozen=True)
class CardTruth:
    """What the card itself says: balance and both counters (the next ATC INIT would use)."""

    card_no: str
    balance: int
    offline_atc: int
    online_atc: int


def read_truth(channel: Transmitter, pin: str = PIN) -> CardTruth:
    """SELECT, GET BALANCE, INIT FOR PURCHASE (1 fen) and VERIFY + INIT FOR LOAD (1 fen).

    An INIT writes nothing (the session it opens is closed by the next command), so this reads
    the counters without moving them. The balance must be in 1..99999 fen.
    """
    purse = PurseClient(channel)
    card_no = purse.select().public.card_no
    balance = purse.balance()
    offline = purse.init_purchase(1, TRUTH_TERMINAL).offline_atc
    purse.verify_pin(pin)
    online = purse.init_load(1, TRUTH_TERMINAL).online_atc
    return CardTruth(card_no, balance, offline, online)


# --------------------------------------------------------------------------- tripwire


@dataclass
class _Trip:
    n: int
    when: Trip
    prefix: bytes
    action: Callable[[], object]
    seen: int = 0


class Socket(CardWrapper):
    """A card holder: delegates to ``inner``; counts commands; fires armed tripwires."""

    def __init__(self, inner: SimulatedCard) -> None:
        super().__init__(inner)
        self.commands = 0
        self.damaged = 0
        """Answers actually cut short (an answer without data stays as it is)."""
        self.fired: list[tuple[bytes, Trip]] = []
        self._trip: _Trip | None = None
        self._lock = threading.Lock()

    def arm(self, n: int, when: Trip, action: Callable[[], object] = lambda: None,
            prefix: bytes = b"") -> None:
        """Call ``action`` at the ``n``-th command from now (matching ``prefix``): ``before``
        the inner card gets it, or ``after`` it answered; ``damaged``: after, and the answer's
        data is then cut to half its length (the status word kept)."""
        with self._lock:
            self._trip = _Trip(n, when, prefix, action)

    def disarm(self) -> bool:
        """Drop the tripwire; True if it was still armed (it never fired)."""
        with self._lock:
            armed, self._trip = self._trip is not None, None
        return armed

    def transmit(self, apdu: bytes) -> bytes:
        header = bytes(apdu[:4])
        with self._lock:
            self.commands += 1
            trip = self._trip
            if trip is not None and header.startswith(trip.prefix):
                trip.seen += 1
                if trip.seen == trip.n:
                    self._trip = None
                    self.fired.append((header, trip.when))
                else:
                    trip = None
            else:
                trip = None
        if trip is not None and trip.when == "before":
            trip.action()
            return SW_NO_ANSWER  # never applied; whoever sent it is gone
        response = bytes(self.inner.transmit(apdu))
        if trip is not None:
            trip.action()
            if trip.when == "damaged" and len(response) > 2:
                self.damaged += 1
                data = response[:-2]
                return data[: len(data) // 2] + response[-2:]
        return response


# --------------------------------------------------------------------------- slots


class _Absent:
    """What an empty memory slot's socket holds (never in a reader)."""

    atr = b""

    def power_on(self) -> None:
        raise RuntimeError("no card")

    power_off = reset = power_on

    def transmit(self, apdu: bytes) -> bytes:
        raise RuntimeError("no card")


class Slot(Protocol):
    """Where one card sits: ``put`` replaces what is there and waits until it is usable."""

    reader: str
    controls: ControlledCard | None
    socket: Socket

    def put(self, card: SimulatedCard) -> ControlledCard: ...

    def take(self) -> None: ...


class MemorySlot:
    def __init__(self, backend: object, reader: str) -> None:
        from drivers.pcsc.memory_backend import MemoryBackend  # noqa: PLC0415

        assert isinstance(backend, MemoryBackend)
        self.backend = backend
        self.reader = reader
        self.controls: ControlledCard | None = None
        self.socket = Socket(_Absent())
        if reader not in backend.list_readers():
            backend.add_reader(reader)

    def put(self, card: SimulatedCard) -> ControlledCard:
        self.backend.remove(self.reader)
        self.socket = Socket(card)
        self.controls = ControlledCard(self.socket)
        self.backend.insert(self.reader, self.controls)
        return self.controls

    def take(self) -> None:
        self.backend.remove(self.reader)


class Handle(Protocol):
    """A card attached to a vpcd reader (tests: the fixtures' ``VirtualCard``)."""

    reader: str
    card: ControlledCard

    def insert(self, *, wait: bool = True) -> None: ...

    def remove(self, *, wait: bool = True) -> None: ...


class VpcdSlot:
    """A vpcd reader whose bridge serves ``ControlledCard(Socket(card))``; cards are swapped
    inside the socket while the card is out."""

    def __init__(self, handle: Handle, socket: Socket) -> None:
        self.handle = handle
        self.socket = socket
        self.reader = handle.reader
        self.controls: ControlledCard | None = handle.card

    def put(self, card: SimulatedCard) -> ControlledCard:
        self.handle.remove()
        self.socket.inner = card
        self.handle.card.clear()
        self.handle.insert()
        self.controls = self.handle.card
        return self.handle.card

    def take(self) -> None:
        self.handle.remove()


class BridgeHandle:
    """The bench's ``VirtualCard``: a vpcd bridge, with presence waits through a backend."""

    def __init__(self, card: SimulatedCard, port: int, reader: str, backend: BackendSpi,
                 name: str = "card") -> None:
        self.card = card if isinstance(card, ControlledCard) else ControlledCard(card)
        self.reader = reader
        self.backend = backend
        self.bridge = VpcdBridge(self.card, port, name=name, backoff_max=0.25)
        self.bridge.start()
        self.wait(True)

    def wait(self, present: bool, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.backend.card_present(self.reader) == present:
                    return
            except Exception:  # noqa: BLE001 - pcscd busy or restarting: look again
                pass
            time.sleep(0.02)
        raise RuntimeError(f"pcscd does not see the card {'in' if present else 'out of'} "
                           f"{self.reader!r} after {timeout:.0f} s")

    def insert(self, *, wait: bool = True) -> None:
        self.bridge.insert()
        if wait:
            self.wait(True)

    def remove(self, *, wait: bool = True) -> None:
        self.bridge.remove()
        if wait:
            self.wait(False)

    def close(self) -> None:
        self.bridge.stop()
