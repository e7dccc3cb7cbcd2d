"""The virtual card: a :class:`~drivers.pcsc.spi.SimulatedCard` over a file tree and applications.

The card itself handles the ISO 7816-4 commands every card has (SELECT, READ BINARY,
READ RECORD, GET CHALLENGE) and the transmission protocol (T=CL: data answered directly; T=0:
``61xx`` + GET RESPONSE and ``6Cxx`` on a wrong Le). Everything else goes to the application of
the current DF (the e-purse, the PSAM application), which handles its own INS codes.

State: the file tree and each application's persistent state form one JSON document, written
atomically (:class:`~simulators.card.store.StateStore`) by :meth:`VirtualCard.commit`, which an
application calls once per change, before it answers. Volatile state (current DF/EF, sessions,
PIN verified, challenge, a pending GET RESPONSE) lives only in memory and is cleared by power-off
and reset.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulators.card.apdu import (
    SW_CONDITIONS,
    SW_FILE_NOT_FOUND,
    SW_INCOMPATIBLE_FILE,
    SW_NO_CURRENT_EF,
    SW_OFFSET_OUT_OF_FILE,
    SW_OK,
    SW_RECORD_NOT_FOUND,
    SW_UNKNOWN_CLA,
    SW_UNKNOWN_INS,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    Command,
    Reply,
    SwError,
)
from simulators.card.files import (
    DF,
    MF_FID,
    Cache,
    CyclicEF,
    Node,
    TransparentEF,
    cached,
    dumps,
    fci,
    node_from_dict,
)
from simulators.card.store import StateStore

STATE_FORMAT = 1
KNOWN_CLA = frozenset((0x00, 0x80, 0x84))
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_RECORD = 0xB2
INS_GET_CHALLENGE = 0x84
INS_GET_RESPONSE = 0xC0

RandomSource = Callable[[int], bytes]


def fixed_rng(*values: bytes) -> RandomSource:
    """A random source for tests: answers ``values`` in turn (the last one repeats).

    Each value must have the length asked (4 for INIT, 4 or 8 for GET CHALLENGE).
    """
    if not values:
        raise ValueError("give at least one value")
    queue = list(values)

    def source(n: int) -> bytes:
        value = queue.pop(0) if len(queue) > 1 else queue[0]
        if len(value) != n:
            raise ValueError(f"fixed random value has {len(value)} bytes, {n} asked")
        return value

    return source


class CardServices(Protocol):
    """What an application may ask of the card it lives on."""

    def random(self, n: int) -> bytes:
        """``n`` random bytes from the card's (injectable) random source."""
        ...

    def commit(self) -> None:
        """Write the whole card state atomically (call once per change, before answering)."""
        ...

    @property
    def challenge(self) -> bytes | None:
        """The GET CHALLENGE answer if the previous command was GET CHALLENGE, else None."""
        ...


class Application(Protocol):
    """A card application bound to one DF (see ``DF.app``)."""

    def snapshot(self) -> dict[str, Any]:
        """The persistent state, JSON-able (stored in the card's state document)."""
        ...

    def on_power(self) -> None:
        """Power-on, power-off or reset: drop every volatile state (sessions, PIN verified)."""
        ...

    def on_command(self, cmd: Command) -> None:
        """Seen before every command (any DF), so that a session can close on "any other"."""
        ...

    def on_select(self) -> int:
        """Its DF was selected: reset per-selection state, answer ``9000`` or ``6283``."""
        ...

    def handle(self, cmd: Command, card: CardServices) -> Reply | None:
        """Answer a command while its DF is current; None when the INS is not its own."""
        ...


@dataclass
class CardImage:
    """The persistent content of a card: kind, ATR, file tree, application states."""

    kind: str
    atr: bytes
    root: DF
    apps: dict[str, dict[str, Any]]
    _json_head: Cache | None = field(default=None, init=False, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {**self._head(), "fs": self.root.as_dict(), "apps": self.apps}

    def to_json(self) -> str:
        """:meth:`as_dict` as compact JSON; the unchanged parts of the tree are not re-encoded."""
        self._json_head = cached(self._json_head, (self.kind, self.atr), self._json_head_text)
        return f'{self._json_head[1]},"fs":{self.root.to_json()},"apps":{dumps(self.apps)}}}'

    def _json_head_text(self) -> str:
        text = dumps(self._head())
        return text[:-1]  # without the closing brace

    def _head(self) -> dict[str, Any]:
        return {"format": STATE_FORMAT, "kind": self.kind, "atr": self.atr.hex().upper()}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> CardImage:
        if doc.get("format") != STATE_FORMAT:
            raise ValueError(f"unsupported card state format {doc.get('format')!r}")
        root = node_from_dict(doc["fs"])
        if not isinstance(root, DF) or root.fid != MF_FID:
            raise ValueError("the file tree must start at the MF (3F00)")
        return cls(str(doc["kind"]), bytes.fromhex(doc["atr"]), root, dict(doc["apps"]))


class VirtualCard:
    """A virtual smart card (satisfies :class:`drivers.pcsc.spi.SimulatedCard`).

    ``t0=True`` makes the card answer the T=0 way (``61xx`` + GET RESPONSE for data of a
    command that carried data, ``6Cxx`` for a wrong Le). ``rng`` is the card's random source
    (GET CHALLENGE, INIT randoms); tests inject a fixed one. The attributes ``t0`` and ``rng``
    may be changed at any time.
    """

    def __init__(
        self,
        image: CardImage,
        apps: Mapping[str, Application] | None = None,
        *,
        store: StateStore | None = None,
        t0: bool = False,
        rng: RandomSource | None = None,
    ) -> None:
        self.image = image
        self.apps: dict[str, Application] = dict(apps or {})
        self.store = store
        self.t0 = t0
        self.rng: RandomSource = rng if rng is not None else os.urandom
        self._powered = False
        self._current_df: DF = image.root
        self._current_ef: TransparentEF | CyclicEF | None = None
        self._challenge: bytes | None = None
        self._command_challenge: bytes | None = None
        self._pending: tuple[bytes, int] | None = None
        self._lock = threading.RLock()
        self._handlers: dict[int, Callable[[Command], Reply]] = {
            INS_SELECT: self._select,
            INS_READ_BINARY: self._read_binary,
            INS_READ_RECORD: self._read_record,
            INS_GET_CHALLENGE: self._get_challenge,
        }

    # ------------------------------------------------------------------ SimulatedCard

    @property
    def atr(self) -> bytes:
        return self.image.atr

    @property
    def powered(self) -> bool:
        return self._powered

    def power_on(self) -> None:
        with self._lock:
            self._volatile_reset()
            self._powered = True

    def power_off(self) -> None:
        with self._lock:
            self._volatile_reset()
            self._powered = False

    def reset(self) -> None:
        with self._lock:
            self._volatile_reset()
            self._powered = True

    def transmit(self, apdu: bytes) -> bytes:
        """Process one C-APDU; an unpowered card is powered on first (a cold reset).

        Thread-safe: one command at a time (a bridge thread and a test may share the card).
        """
        with self._lock:
            return self._transmit(bytes(apdu))

    def _transmit(self, apdu: bytes) -> bytes:
        if not self._powered:
            self.power_on()
        try:
            cmd = Command.parse(apdu)
        except SwError as exc:
            self._pending = None
            for app in self.apps.values():
                app.on_command(_MALFORMED)
            return exc.sw.to_bytes(2, "big")
        if self.t0 and cmd.ins == INS_GET_RESPONSE and cmd.cla == 0x00:
            return self._get_response(cmd)
        self._pending = None
        reply = self._process(cmd)
        return self._frame(cmd, reply)

    # ------------------------------------------------------------------ CardServices

    def random(self, n: int) -> bytes:
        value = bytes(self.rng(n))
        if len(value) != n:
            raise ValueError(f"random source gave {len(value)} bytes, {n} asked")
        return value

    def commit(self) -> None:
        for name, app in self.apps.items():
            self.image.apps[name] = app.snapshot()
        if self.store is not None:
            self.store.write(self.image.to_json().encode("utf-8"))

    @property
    def challenge(self) -> bytes | None:
        return self._command_challenge

    # ------------------------------------------------------------------ inspection (tests)

    @property
    def current_df(self) -> DF:
        return self._current_df

    def app(self, name: str) -> Application:
        """The application object ``name`` (``purse`` or ``psam``), e.g. to inspect its state."""
        return self.apps[name]

    def find_df(self, app: str) -> DF | None:
        """The DF bound to application ``app``."""
        return next((d for d in self.image.root.walk() if d.app == app), None)

    # ------------------------------------------------------------------ internals

    def _volatile_reset(self) -> None:
        self._current_df = self.image.root
        self._current_ef = None
        self._challenge = None
        self._command_challenge = None
        self._pending = None
        for app in self.apps.values():
            app.on_power()

    def _process(self, cmd: Command) -> Reply:
        self._command_challenge, self._challenge = self._challenge, None
        for app in self.apps.values():
            app.on_command(cmd)
        try:
            if cmd.cla not in KNOWN_CLA:
                raise SwError(SW_UNKNOWN_CLA)
            app_name = self._current_df.app
            if app_name is not None and app_name in self.apps:
                reply = self.apps[app_name].handle(cmd, self)
                if reply is not None:
                    return reply
            return self._basic(cmd)
        except SwError as exc:
            return Reply(sw=exc.sw)

    def _basic(self, cmd: Command) -> Reply:
        handler = self._handlers.get(cmd.ins)
        if handler is None:
            raise SwError(SW_UNKNOWN_INS)
        if cmd.cla != 0x00:
            raise SwError(SW_UNKNOWN_CLA)
        return handler(cmd)

    def _frame(self, cmd: Command, reply: Reply) -> bytes:
        data, sw = reply.data, reply.sw
        sw_bytes = sw.to_bytes(2, "big")
        if not data:
            return sw_bytes
        if not self.t0:
            if cmd.le:
                data = data[: cmd.le]
            return data + sw_bytes
        if cmd.data:  # T=0 case 3 TPDU with response data: the terminal must GET RESPONSE
            self._pending = (data, sw)
            return bytes((0x61, len(data) & 0xFF))
        if _ne(cmd.le) != len(data):
            return bytes((0x6C, len(data) & 0xFF))
        return data + sw_bytes

    def _get_response(self, cmd: Command) -> bytes:
        pending = self._pending
        if pending is None:
            return SW_CONDITIONS.to_bytes(2, "big")
        if cmd.data or cmd.p1 or cmd.p2:
            self._pending = None
            return SW_WRONG_P1P2.to_bytes(2, "big")
        data, sw = pending
        wanted = _ne(cmd.le)
        if wanted > len(data):
            return bytes((0x6C, len(data) & 0xFF))
        if wanted < len(data):
            self._pending = (data[wanted:], sw)
            return data[:wanted] + bytes((0x61, (len(data) - wanted) & 0xFF))
        self._pending = None
        return data + sw.to_bytes(2, "big")

    # ------------------------------------------------------------------ ISO commands

    def _select(self, cmd: Command) -> Reply:
        if cmd.p2 not in (0x00, 0x04, 0x0C):
            raise SwError(SW_WRONG_P1P2)
        node: Node | None
        if cmd.p1 == 0x00:
            if not cmd.data:
                node = self.image.root
            elif len(cmd.data) == 2:
                node = self._find_fid(int.from_bytes(cmd.data, "big"))
            else:
                raise SwError(SW_WRONG_LENGTH)
        elif cmd.p1 == 0x04:
            node = next((d for d in self.image.root.walk() if d.name == cmd.data), None)
        else:
            raise SwError(SW_WRONG_P1P2)
        if node is None:
            raise SwError(SW_FILE_NOT_FOUND)
        if not isinstance(node, DF):
            self._current_ef = node
            return Reply()
        self._current_df = node
        self._current_ef = None
        sw = SW_OK
        if node.app is not None and node.app in self.apps:
            sw = self.apps[node.app].on_select()
        return Reply(b"" if cmd.p2 == 0x0C else fci(node), sw)

    def _find_fid(self, fid: int) -> Node | None:
        if fid == MF_FID:
            return self.image.root
        df = self._current_df
        if fid == df.fid:
            return df
        found = df.child_by_fid(fid)
        if found is None and df.parent is not None:
            parent = df.parent
            found = parent if parent.fid == fid else parent.child_by_fid(fid)
        if found is None:
            found = self.image.root.child_by_fid(fid)
        return found

    def _read_binary(self, cmd: Command) -> Reply:
        ef: Node | None
        if cmd.p1 & 0x80:
            ef = self._current_df.ef_by_sfi(cmd.p1 & 0x1F)
            if ef is None:
                raise SwError(SW_FILE_NOT_FOUND)
            self._current_ef = ef
            offset = cmd.p2
        else:
            ef = self._current_ef
            if ef is None:
                raise SwError(SW_NO_CURRENT_EF)
            offset = (cmd.p1 << 8) | cmd.p2
        if not isinstance(ef, TransparentEF):
            raise SwError(SW_INCOMPATIBLE_FILE)
        if offset >= len(ef.data):
            raise SwError(SW_OFFSET_OUT_OF_FILE)
        end = len(ef.data) if not cmd.le else min(len(ef.data), offset + cmd.le)
        return Reply(bytes(ef.data[offset:end]))

    def _read_record(self, cmd: Command) -> Reply:
        if cmd.p2 & 0x07 != 0x04:
            raise SwError(SW_WRONG_P1P2)
        sfi = cmd.p2 >> 3
        ef: Node | None
        if sfi:
            ef = self._current_df.ef_by_sfi(sfi)
            if ef is None:
                raise SwError(SW_FILE_NOT_FOUND)
            self._current_ef = ef
        else:
            ef = self._current_ef
            if ef is None:
                raise SwError(SW_NO_CURRENT_EF)
        if not isinstance(ef, CyclicEF):
            raise SwError(SW_INCOMPATIBLE_FILE)
        if not 1 <= cmd.p1 <= len(ef.records):
            raise SwError(SW_RECORD_NOT_FOUND)
        return Reply(ef.records[cmd.p1 - 1])

    def _get_challenge(self, cmd: Command) -> Reply:
        if cmd.p1 or cmd.p2:
            raise SwError(SW_WRONG_P1P2)
        if cmd.data or cmd.le not in (0, 4, 8):
            raise SwError(SW_WRONG_LENGTH)
        challenge = self.random(cmd.le or 8)
        self._challenge = challenge
        return Reply(challenge)


_MALFORMED = Command(0xFF, 0xFF, 0x00, 0x00)
"""Shown to the applications for an APDU that did not parse (it closes any session)."""


def _ne(le: int | None) -> int:
    """Expected response length of a short Le (absent = 0 bytes, ``00`` = 256)."""
    if le is None:
        return 0
    return le or 256
