"""The PC/SC reader layer: the public face.

```python
from drivers.pcsc import CardChannel, open_backend

backend = open_backend("pcsc://")            # pcscd; or "memory://" / MemoryBackend()
with CardChannel.connect(backend, "Virtual PCD 00 00", timeout=5.0) as ch:
    r = ch.transmit(bytes.fromhex("00A4040009A00000000386980701"))
    r.sw == 0x9000; r.data
```

Backends are named by URL scheme and imported lazily (so importing this package never loads
libpcsclite): ``pcsc://`` -> :class:`PyscardBackend`, ``memory://`` -> :class:`MemoryBackend`.
A URL may name a reader (``pcsc://Virtual PCD 00 00``); :func:`split_url` returns it, for
programs that take one URL for "which reader".
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from config.registry import Registry, UnknownKind
from drivers.pcsc.apdu import CommandApdu, HexError, Response, parse_apdu, parse_hex, to_hex
from drivers.pcsc.channel import CardChannel, ChannelStats
from drivers.pcsc.errors import (
    CardRemoved,
    ChannelClosed,
    NoCard,
    PcscError,
    ReaderUnavailable,
    ServiceUnavailable,
    TransmitError,
    TransmitTimeout,
)
from drivers.pcsc.spi import BackendSpi, CardWithdrawn, ConnectionSpi, ReaderStatus, SimulatedCard

if TYPE_CHECKING:
    from drivers.pcsc.memory_backend import MemoryBackend
    from drivers.pcsc.monitor import ReaderMonitor
    from drivers.pcsc.pyscard_backend import PyscardBackend

BACKENDS: Registry[BackendSpi] = Registry("reader backend URL", {
    "pcsc": "drivers.pcsc.pyscard_backend:PyscardBackend",
    "memory": "drivers.pcsc.memory_backend:MemoryBackend",
})
"""URL scheme -> ``module:Class`` (imported on first use: :class:`config.registry.Registry`)."""

_LAZY: Mapping[str, str] = MappingProxyType({
    "PyscardBackend": "drivers.pcsc.pyscard_backend",
    "MemoryBackend": "drivers.pcsc.memory_backend",
    "ReaderMonitor": "drivers.pcsc.monitor",
})


def split_url(url: str) -> tuple[str, str | None]:
    """``"pcsc://Virtual PCD 00 00"`` -> ``("pcsc", "Virtual PCD 00 00")``; ``"pcsc://"`` ->
    ``("pcsc", None)``. Raises ValueError for a URL without a known scheme."""
    try:
        scheme, rest = BACKENDS.split(url, "://")
    except UnknownKind as exc:
        raise ValueError(str(exc)) from None
    return scheme, (rest or None)


def open_backend(url: str = "pcsc://") -> BackendSpi:
    """A new backend for ``url`` (``pcsc://`` or ``memory://``; a reader part is ignored)."""
    scheme, _reader = split_url(url)
    return BACKENDS.load(scheme)()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "BACKENDS",
    "BackendSpi",
    "CardChannel",
    "CardRemoved",
    "CardWithdrawn",
    "ChannelClosed",
    "ChannelStats",
    "CommandApdu",
    "ConnectionSpi",
    "HexError",
    "MemoryBackend",
    "NoCard",
    "PcscError",
    "PyscardBackend",
    "ReaderMonitor",
    "ReaderStatus",
    "ReaderUnavailable",
    "Response",
    "ServiceUnavailable",
    "SimulatedCard",
    "TransmitError",
    "TransmitTimeout",
    "open_backend",
    "parse_apdu",
    "parse_hex",
    "split_url",
    "to_hex",
]
