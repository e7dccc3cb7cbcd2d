"""The PSAM kept warm for a terminal's whole life: connected once, selected once, reconnected
with backoff when it fails.

A PSAM in a reader is connected in PC/SC **exclusive** mode: while the card service (or any
program that runs the runtime) holds it, no other program can send it a command, so no two
programs' 8070 / 8072 ever interleave on one PSAM. Another program that tries gets a sharing
violation, which it reports as :data:`~cardsvc.codes.ErrorCode.SAM_HELD` ("the card service
holds the PSAM"). A software SAM (``soft:KEY_FILE``) is opened once the same way.

After a failure (the PSAM was pulled, pcscd restarted) the session drops its channel; the next
operation reconnects, at most once per backoff step (0.2 s doubling to 5 s; at once when the
reader reports the PSAM inserted again), so a missing PSAM
costs each operation one quick refusal, not a connect timeout. Used by one thread at a time (the
runtime's card thread).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError, SamUnavailableError
from cardsvc.sam import Sam, SamError, SamSpec, open_sam, to_service_error
from drivers.pcsc import errors as pcsc
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.spi import BackendSpi

__all__ = ["PsamSession", "sam_held"]

log = logging.getLogger(__name__)

BACKOFF_INITIAL_S = 0.2
BACKOFF_MAX_S = 5.0


def sam_held(reader: str) -> SamUnavailableError:
    """The error another program gets while the card service holds the PSAM."""
    return SamUnavailableError(f"the PSAM in {reader!r} is held by another program (the card "
                               "service)", code=ErrorCode.SAM_HELD)


class PsamSession:
    """One SAM for the runtime's life. :meth:`sam` gives it, (re)connecting when needed."""

    def __init__(self, spec: SamSpec, backend: BackendSpi, state_dir: object, *,
                 connect_timeout: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self._backend = backend
        self._state_dir = state_dir
        self._connect_timeout = connect_timeout
        self._clock = clock
        self._sam: Sam | None = None
        self._channel: CardChannel | None = None
        self._backoff = BACKOFF_INITIAL_S
        self._next_try = 0.0
        self._last_error: CardServiceError | None = None
        self.connects = 0
        """How many times the SAM was (re)connected (1 for a warm runtime)."""

    def _connect(self, reader: str) -> CardChannel:
        try:
            channel = CardChannel.connect(self._backend, reader, timeout=self._connect_timeout,
                                          exclusive=True)
        except pcsc.ReaderBusy as exc:
            raise sam_held(reader) from exc
        self._channel = channel
        return channel

    def sam(self) -> Sam:
        """The SAM, connected and ready; :class:`SamUnavailableError` while it cannot be."""
        if self._sam is not None and (self._channel is None or not self._channel.closed):
            return self._sam
        self.drop()
        now = self._clock()
        if now < self._next_try and self._last_error is not None:
            raise self._last_error
        try:
            sam = open_sam(self.spec, state_dir=str(self._state_dir), connect=self._connect)
            sam.terminal_id()  # SELECT and the terminal ID now, once
        except (SamError, CardServiceError) as exc:
            self.drop()
            error = exc if isinstance(exc, CardServiceError) else to_service_error(exc)
            self._last_error = error
            self._next_try = now + self._backoff
            self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)
            log.warning("SAM unavailable", extra={"sam": str(self.spec), "error": str(error),
                                                  "retry_in_s": round(self._backoff, 2)})
            raise error from exc
        self._sam = sam
        self._backoff = BACKOFF_INITIAL_S
        self._last_error = None
        self.connects += 1
        log.info("SAM ready", extra={"sam": str(self.spec), "connects": self.connects})
        return sam

    def retry_now(self) -> None:
        """The PSAM's reader reports a card again: the next operation tries at once."""
        self._next_try = 0.0
        self._backoff = BACKOFF_INITIAL_S

    def failed(self) -> None:
        """An operation found the SAM unusable: reconnect next time."""
        self.drop()

    def drop(self) -> None:
        sam, self._sam = self._sam, None
        self._channel = None
        if sam is not None:
            sam.close()

    def close(self) -> None:
        self.drop()
