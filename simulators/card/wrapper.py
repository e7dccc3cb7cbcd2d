"""A card model that wraps another: the base of test devices that change what a card does
(faults, counters, tripwires) while the wrapped card keeps its own behaviour and state."""

from __future__ import annotations

from drivers.pcsc.spi import SimulatedCard


class CardWrapper:
    """Delegates everything to ``inner``; a subclass overrides what it changes."""

    def __init__(self, inner: SimulatedCard) -> None:
        self.inner = inner

    @property
    def atr(self) -> bytes:
        return bytes(self.inner.atr)

    def power_on(self) -> None:
        self.inner.power_on()

    def power_off(self) -> None:
        self.inner.power_off()

    def reset(self) -> None:
        self.inner.reset()

    def transmit(self, apdu: bytes) -> bytes:
        return bytes(self.inner.transmit(apdu))
