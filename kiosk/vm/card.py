"""一卡通: the card on the reader, its balance and history; an online top-up (amount, then
the card's PIN on the PIN pad); reporting the card lost (PIN, then a confirmation). Every call
goes to the card service on a worker thread; a top-up carries a client reference so that a
retry never loads twice. Taking the card away ends the session (kiosk/app.py)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from PySide6.QtCore import Property, QObject, Signal, Slot

from cardsvc.money import format_fen
from cardsvc.profile import mask_card_number
from kiosk.ports import CardAccount, CardPort, CardTransaction, Fault, PortError
from kiosk.vm.base import Context, ScreenVm
from kiosk.vm.pinpad import PinEntry
from kiosk.vm.rows import Rows

AMOUNTS_FEN = (2000, 5000, 10000, 20000)
MAX_TYPED_YUAN = 1000
STAGES = ("wait", "account", "amount", "pin", "confirm", "working", "result")


class CardVm(ScreenVm):
    changed = Signal()

    def __init__(self, ctx: Context, card: CardPort | None, page_size: int = 6,
                 parent: QObject | None = None) -> None:
        super().__init__(ctx, parent)
        self._card = card
        self._page_size = page_size
        self._stage = "wait"
        self._operation = ""
        self._account: CardAccount | None = None
        self._history: list[CardTransaction] = []
        self._page = 0
        self._amount = 0
        self._typed = ""
        self._result = ""
        self._ok = False
        self._fault = ""
        self._busy = False
        self.entry = PinEntry(6, 6, self)
        self._rows = Rows(["at", "kind", "amount", "place", "credit"], self)

    # -- properties -----------------------------------------------------------------------------
    @Property(str, notify=changed)
    def stage(self) -> str:
        return self._stage

    @Property(str, notify=changed)
    def operation(self) -> str:
        return self._operation

    @Property(QObject, constant=True)
    def pin(self) -> PinEntry:
        return self.entry

    @Property(QObject, constant=True)
    def history(self) -> Rows:
        return self._rows

    @Property(str, notify=changed)
    def balance(self) -> str:
        return format_fen(self._account.balance_fen) if self._account else ""

    @Property(str, notify=changed)
    def cardNumber(self) -> str:  # noqa: N802
        return mask_card_number(self._account.card_no) if self._account else ""

    @Property(bool, notify=changed)
    def blocked(self) -> bool:
        return bool(self._account and self._account.status != "active")

    @Property(list, notify=changed)
    def amounts(self) -> list[dict[str, object]]:
        return [{"fen": a, "text": self.t("card_yuan", amount=format_fen(a))}
                for a in AMOUNTS_FEN]

    @Property(str, notify=changed)
    def amount(self) -> str:
        return format_fen(self._amount) if self._amount else ""

    @Property(str, notify=changed)
    def typed(self) -> str:
        return self._typed

    @Property(str, notify=changed)
    def result(self) -> str:
        return self._result

    @Property(bool, notify=changed)
    def ok(self) -> bool:
        return self._ok

    @Property(str, notify=changed)
    def fault(self) -> str:
        return self._fault

    @Property(bool, notify=changed)
    def busy(self) -> bool:
        return self._busy

    @Property(int, notify=changed)
    def page(self) -> int:
        return self._page

    @Property(int, notify=changed)
    def pageCount(self) -> int:  # noqa: N802
        return self._pages()

    def _pages(self) -> int:
        return max(1, -(-len(self._history) // self._page_size))

    # -- the card arrives -------------------------------------------------------------------------
    def start(self, present: bool) -> None:
        self.reset()
        if self._card is None:
            self._fault = self.fault_words(Fault.CARD_SERVICE)
        elif present:
            self.card_present()
        self.changed.emit()

    def card_present(self) -> None:
        """A card lies on the reader (its holder read): show its account."""
        card = self._card
        if card is None or self._stage not in ("wait", "account"):
            return
        self.ctx.begin_personal()
        self._busy, self._fault = True, ""
        self.changed.emit()

        def read() -> tuple[CardAccount, Sequence[CardTransaction]]:
            return card.account(), card.history()

        self.ctx.tasks.run(read, self._got, self._failed)

    def _got(self, pair: tuple[CardAccount, Sequence[CardTransaction]]) -> None:
        self._account, history = pair
        self._history = sorted(history, key=lambda t: t.at, reverse=True)
        self._busy, self._stage, self._page = False, "account", 0
        self._fill()

    # -- top-up and report lost ------------------------------------------------------------------
    @Slot()
    def topUp(self) -> None:  # noqa: N802
        if self._account is not None and not self.blocked:
            self._operation, self._stage, self._amount, self._typed = "topup", "amount", 0, ""
            self._fault = ""
            self.changed.emit()

    @Slot(int)
    def chooseAmount(self, fen: int) -> None:  # noqa: N802
        if fen > 0:
            self._amount = fen
            self._stage = "pin"
            self.entry.take()
            self.changed.emit()

    @Slot(str)
    def typeAmount(self, key: str) -> None:  # noqa: N802
        if key.isdigit() and len(self._typed) < 4 and (self._typed or key != "0"):
            self._typed += key
        self.changed.emit()

    @Slot()
    def amountBackspace(self) -> None:  # noqa: N802
        self._typed = self._typed[:-1]
        self.changed.emit()

    @Slot()
    def typedAmount(self) -> None:  # noqa: N802
        yuan = int(self._typed or "0")
        if 0 < yuan <= MAX_TYPED_YUAN:
            self.chooseAmount(yuan * 100)
        else:
            self._fault = self.t("card_amount_range", max=MAX_TYPED_YUAN)
            self.changed.emit()

    @Slot()
    def reportLost(self) -> None:  # noqa: N802
        if self._account is not None and not self.blocked:
            self._operation, self._stage, self._fault = "lost", "pin", ""
            self.entry.take()
            self.changed.emit()

    @Slot()
    def enterPin(self) -> None:  # noqa: N802
        if not self.entry.complete:
            return
        if self._operation == "lost":
            self._stage = "confirm"
            self.changed.emit()
            return
        self._run()

    @Slot()
    def confirm(self) -> None:
        if self._stage == "confirm":
            self._run()

    def _run(self) -> None:
        card = self._card
        if card is None:
            return
        pin, ref, amount = self.entry.take(), secrets.token_hex(12), self._amount
        self._stage, self._busy, self._fault = "working", True, ""
        self.changed.emit()
        if self._operation == "topup":
            self.ctx.tasks.run(lambda: card.top_up(amount, pin, ref), self._topped_up,
                               self._refused)
        else:
            self.ctx.tasks.run(lambda: card.report_lost(pin, ref), self._lost, self._refused)

    def _topped_up(self, account: CardAccount) -> None:
        self._account, self._busy, self._ok = account, False, True
        self._stage = "result"
        self._result = self.t("card_topped_up", amount=format_fen(self._amount),
                              balance=format_fen(account.balance_fen))
        self.ctx.speak("card_done")
        self.changed.emit()

    def _lost(self, _: object) -> None:
        self._busy, self._ok, self._stage = False, True, "result"
        self._result = self.t("card_reported_lost")
        self.changed.emit()

    def _refused(self, exc: BaseException) -> None:
        self._busy, self._ok = False, False
        if isinstance(exc, PortError) and exc.code is Fault.WRONG_PIN:
            left = exc.details.get("tries_left")
            self._stage = "pin"
            self._fault = (self.t("card_wrong_pin_left", n=left) if left is not None
                           else self.fault_words(exc))
        else:
            self._stage = "result"
            self._result = self.fault_words(exc)
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._fault = self.fault_words(exc)
        self.changed.emit()

    @Slot(result=bool)
    def back(self) -> bool:
        """上一步 inside the screen: from the PIN to the amount, from any step to the account."""
        if self._stage == "pin" and self._operation == "topup":
            self._stage = "amount"
        elif self._stage in ("amount", "pin", "confirm", "result"):
            self._stage, self._operation, self._fault = "account", "", ""
            self.entry.take()
            if self._ok:
                self._ok = False
                self.card_present()
        else:
            return False
        self.changed.emit()
        return True

    @Slot()
    def nextPage(self) -> None:  # noqa: N802
        if self._page + 1 < self._pages():
            self._page += 1
            self._fill()

    @Slot()
    def prevPage(self) -> None:  # noqa: N802
        if self._page > 0:
            self._page -= 1
            self._fill()

    # -- rows -------------------------------------------------------------------------------------
    def _fill(self) -> None:
        start = self._page * self._page_size
        self._rows.replace([
            {"at": f"{t.at:%Y-%m-%d %H:%M}", "kind": self.t(f"card_kind_{t.kind}"),
             "amount": ("+" if t.kind == "load" else "-") + format_fen(t.amount_fen),
             "place": t.place, "credit": t.kind == "load"}
            for t in self._history[start:start + self._page_size]])
        self.changed.emit()

    def relabel(self) -> None:
        self._fill()

    def reset(self) -> None:
        self._stage, self._operation, self._account, self._history = "wait", "", None, []
        self._page, self._amount, self._typed, self._result = 0, 0, "", ""
        self._ok, self._fault, self._busy = False, "", False
        self.entry.take()
        self._rows.clear()

    def wipe(self) -> None:
        self.reset()
        super().wipe()
