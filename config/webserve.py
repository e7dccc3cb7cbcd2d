"""uvicorn for our services (`cardsvc serve`, `backoffice serve`): SIGTERM and SIGINT end in a
clean exit (status 0) after the graceful shutdown instead of re-raising the signal.

Imported only by the serve commands: roles without the web framework never import it."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import uvicorn


class GracefulServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
