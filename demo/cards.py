"""The city card's side of the kiosk demo: a private pcscd with the vpcd driver, the demo card
and the demo PSAM as virtual cards (``simulators card|psam serve``, each its own process), and
``cardsvc serve`` on them, the kiosk's card service. The card is tapped and lifted through the
card simulator's control socket (the vpcd connection opened or closed: what pcscd sees as a card
laid on the reader or taken away)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardsvc.client import CardServiceClient
from config.files import read_token_file
from config.runtime import free_tcp_port, wait_http_ok
from simulators.card.cli import DEFAULT_CARD
from simulators.card.controls import ControlClient, ControlError
from simulators.pcscd import PcscdError, PcscdProcess

Spawn = Callable[[str, list[str], dict[str, str]], subprocess.Popen[bytes]]
Tail = Callable[[str], str]


class CardStackError(Exception):
    """pcscd, a virtual card or the card service did not start (the message says which)."""


@dataclass
class CardStack:
    """pcscd + the demo card and PSAM + ``cardsvc serve`` under ``root``."""

    root: Path
    card_no: str = DEFAULT_CARD
    pcscd: PcscdProcess | None = None
    service_url: str = ""
    control: ControlClient | None = None
    verbose: bool = False
    """``cardsvc serve -v``: debug logging, the APDU trace with it (a bench's breakdown)."""
    _own_pcscd: bool = field(default=False, repr=False)

    @property
    def token_file(self) -> Path:
        return self.root / "cardsvc" / "cardsvc.token"

    def start(self, spawn: Spawn, tail: Tail) -> None:
        """Start everything; the card starts lifted (off the reader)."""
        if self.pcscd is None:
            self.pcscd = PcscdProcess(self.root / "pcscd")
            self._own_pcscd = True
            try:
                self.pcscd.start()
            except PcscdError as exc:
                raise CardStackError(f"pcscd did not start: {exc}") from exc
        env = {**os.environ, **self.pcscd.env}
        ports = self.pcscd.ports
        control = self.root / "card.ctl"
        control.unlink(missing_ok=True)
        spawn("psam", ["simulators.cli", "psam", "serve", "--vpcd-port", str(ports[1]),
                       "--state", str(self.root / "psam"), "--log-level", "WARNING"], env)
        card = spawn("card", ["simulators.cli", "card", "serve", "--vpcd-port", str(ports[0]),
                              "--card", self.card_no, "--state", str(self.root / "cards"),
                              "--control", str(control), "--log-level", "WARNING"], env)
        deadline = time.monotonic() + 30
        while not control.exists():
            if card.poll() is not None or time.monotonic() > deadline:
                raise CardStackError(f"the virtual card did not start: {tail('card')}")
            time.sleep(0.05)
        self.control = ControlClient(control)
        self.lift()
        port = free_tcp_port()
        config = self.root / "cardsvc.toml"
        config.write_text(f'[paths]\nvar_dir = "{self.root / "cardsvc"}"\n'
                          f'[service]\nport = {port}\n', encoding="utf-8")
        service = spawn("cardsvc", ["cardsvc.cli", "serve", "--config", str(config),
                                    *(["-v"] if self.verbose else [])], env)
        self.service_url = f"http://127.0.0.1:{port}"
        if not wait_http_ok(f"{self.service_url}/healthz", 60,
                            alive=lambda: service.poll() is None):
            raise CardStackError(f"the card service did not start: {tail('cardsvc')}")

    def client(self, timeout_s: float = 20.0) -> CardServiceClient:
        """A client of the running card service (its token from the token file)."""
        return CardServiceClient(read_token_file(self.token_file), self.service_url,
                                 timeout_s=timeout_s)

    def tap(self, *, wait: bool = True) -> None:
        """Lay the demo card on the reader (``wait``: until it is connected to vpcd)."""
        self._control("insert", wait)

    def lift(self, *, wait: bool = True) -> None:
        """Take the demo card off the reader."""
        self._control("remove", wait)

    def _control(self, op: str, wait: bool) -> None:
        if self.control is None:
            raise CardStackError("the virtual card is not running")
        try:
            self.control.call(op, wait=wait)
        except ControlError as exc:
            raise CardStackError(f"the virtual card did not {op}: {exc}") from exc

    def stop(self) -> None:
        """Stop pcscd if this stack started it (the processes are the caller's children)."""
        if self.pcscd is not None and self._own_pcscd:
            with contextlib.suppress(PcscdError, OSError):
                self.pcscd.stop()
        self.pcscd = None
