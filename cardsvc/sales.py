"""Sales at a till (cashier mode): the cash register posts an amount, the service waits for a
tap, charges it once, answers. One sale waits at a time per terminal; the cashier may cancel it
while it waits. A card already on the reader that was not charged during its tap counts (the
customer tapped before the amount was typed); a card left on the reader after it paid does not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cardsvc.codes import ErrorCode
from cardsvc.errors import CardServiceError, SaleEnded
from cardsvc.profile import PurchaseKind
from cardsvc.terminal import TxResult
from drivers.pcsc import monitor as mon

if TYPE_CHECKING:
    from cardsvc.runtime_ops import Operations

__all__ = ["Sales"]


@dataclass
class _Sale:
    amount_fen: int
    kind: PurchaseKind
    client_ref: str
    done: threading.Event = field(default_factory=threading.Event)
    result: TxResult | None = None
    error: CardServiceError | None = None
    state: str = "waiting"  # waiting, charging, done

    def finish(self, result: TxResult | None, error: CardServiceError | None) -> None:
        self.result, self.error, self.state = result, error, "done"
        self.done.set()


class Sales:
    def __init__(self, ops: Operations) -> None:
        self.ops = ops
        self.rt = ops.rt
        self._sale: _Sale | None = None
        self._lock = threading.Lock()

    def sale(self, amount_fen: int, kind: PurchaseKind, client_ref: str,
             timeout_s: float = 60.0) -> TxResult:
        """Wait up to ``timeout_s`` for a fresh tap and charge it. A ``client_ref`` that already
        paid answers that payment at once. Raises :class:`SaleEnded` (timeout, cancelled, or
        another sale waiting) or the purchase's error."""
        done = self.rt.call(lambda: self.ops.precheck(client_ref, "debit", amount_fen))
        if done is not None:
            return done
        sale = _Sale(amount_fen, kind, client_ref)
        with self._lock:
            if self._sale is not None and self._sale.state != "done":
                raise SaleEnded(code=ErrorCode.SALE_PENDING)
            self._sale = sale
        self.rt.events.publish("sale_waiting", client_ref=client_ref, amount_fen=amount_fen,
                               kind=kind)
        self.rt.post(self._try_present_card)
        if not sale.done.wait(timeout_s):
            with self._lock:
                if sale.state == "waiting":
                    sale.finish(None, SaleEnded(code=ErrorCode.SALE_TIMEOUT))
            sale.done.wait()
        self.rt.events.publish("sale_ended", client_ref=client_ref, ok=sale.error is None,
                               code=None if sale.error is None else str(sale.error.code))
        if sale.error is not None:
            raise sale.error
        assert sale.result is not None
        return sale.result

    def cancel(self, client_ref: str) -> bool:
        """Cancel a waiting sale; False when it is not waiting (already charging or done)."""
        with self._lock:
            sale = self._sale
            if sale is None or sale.client_ref != client_ref or sale.state != "waiting":
                return False
            sale.finish(None, SaleEnded(code=ErrorCode.SALE_CANCELLED))
            return True

    def shutdown(self) -> None:
        with self._lock:
            if self._sale is not None and self._sale.state == "waiting":
                self._sale.finish(None, SaleEnded(code=ErrorCode.SALE_CANCELLED))

    def _take(self) -> _Sale | None:
        with self._lock:
            sale = self._sale
            if sale is None or sale.state != "waiting":
                return None
            sale.state = "charging"
            return sale

    def _try_present_card(self) -> None:
        for name, info in self.rt.user_readers().items():
            if info.state is not mon.CardState.NO_CARD and not self.ops.charged_tap.get(name):
                self.charge(name)
                return

    def charge(self, reader: str) -> None:
        """On the card thread, at a tap: charge the waiting sale, if any."""
        sale = self._take()
        if sale is None:
            return
        self.ops.charged_tap[reader] = True
        try:
            result = self.ops.purchase(sale.amount_fen, sale.kind, client_ref=sale.client_ref,
                                       reader=reader)
        except CardServiceError as exc:
            sale.finish(None, exc)
        else:
            sale.finish(result, None)
