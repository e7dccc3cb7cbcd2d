"""The runtime's operations: what a kiosk, a cash register, a validator and the CLI ask of the
card service. Every public method is thread-safe and blocking (it runs on the card thread).

Retries (the local API's ``client_ref``):
* a ``client_ref`` that names a completed entry answers that entry again (``replayed``), without
  touching any card: a retry after a lost answer never charges twice;
* one that names an unresolved entry first resolves it when its card is tapped (recovery from
  the card's own log): completed -> the replay; failed (nothing taken) -> the operation runs;
  another card -> refused (:class:`EarlierAttemptUnresolved`);
* a failed entry (nothing taken) frees its ``client_ref`` for the next attempt of the same sale.
Without a ``client_ref`` (the CLI), when recovery finds that the card's earlier attempt went
through, the new charge is refused (:class:`EarlierAttemptCompleted`) unless ``again``; at a
validator the recovered fare *is* the tap's result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from cardsvc.clearing_client import RefundAuthority
from cardsvc.codes import ErrorCode
from cardsvc.errors import (
    AlreadyTapped,
    CardServiceError,
    ClientRefReused,
    EarlierAttemptCompleted,
    EarlierAttemptUnresolved,
    NoCardPresent,
    ReaderBusyError,
    Refusal,
    SamUnavailableError,
    ServiceConfigError,
    SeveralCards,
)
from cardsvc.journal import Entry
from cardsvc.messages import MESSAGES
from cardsvc.money import format_fen
from cardsvc.profile import PurchaseKind, mask_card_number
from cardsvc.purse.client import translate_reader_error
from cardsvc.records import PublicData
from cardsvc.recovery import Resolution
from cardsvc.sales import Sales
from cardsvc.sam.none import NoSam
from cardsvc.session import load_authority
from cardsvc.terminal import CardInfo, CardTerminal, FreeRide, History, TxResult
from drivers.pcsc import errors as pcsc
from drivers.pcsc import monitor as mon
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.feedback import Signal

if TYPE_CHECKING:
    from cardsvc.load_authority import LoadAuthority
    from cardsvc.runtime import Runtime

__all__ = ["Operations", "Replay"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")
CONNECT_TIMEOUT_S = 0.5
_NOT_REFUSALS = frozenset({ErrorCode.CARD_REMOVED, ErrorCode.SAM_UNAVAILABLE,
                           ErrorCode.SAM_HELD, ErrorCode.NO_CARD})


NO_SAM = NoSam()


class Replay(CardServiceError):
    """Internal: the operation's answer is an earlier entry (never leaves this module)."""

    def __init__(self, entry: Entry) -> None:
        super().__init__("replay of an earlier entry")
        self.entry = entry


@dataclass
class _Guard:
    """What the operation in progress checks once the card's torn entries are resolved."""

    client_ref: str | None
    again: bool
    counter: str  # "debit" or "load"
    replay_recovered: bool = False


class Operations:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.sales = Sales(self)
        self._authority: LoadAuthority | None = None
        self._last_ride: dict[str, tuple[float, TxResult | FreeRide]] = {}
        self._recovered: dict[str, list[int]] = {}
        """Per card: entries that recovery completed at a tap, not yet told to a money
        operation (the CLI's earlier-attempt rule must see them)."""
        self.charged_tap: dict[str, bool] = {}
        """Per reader: whether the card now on it was already charged during this tap."""
        self._read_at_tap: dict[str, tuple[int, CardInfo]] = {}
        """Per reader: the card as read at its tap (with the monitor's number of that tap),
        until it leaves: the holder request that follows ``card_present`` answers from it."""

    # -- plumbing (card thread) ----------------------------------------------------------
    def _reader(self, wanted: str | None) -> str:
        readers = self.rt.user_readers()
        if wanted:
            if wanted not in readers:
                raise NoCardPresent(f"no card in {wanted!r}")
            return wanted
        for name, info in readers.items():
            if info.state is not mon.CardState.NO_CARD:
                return name
        backend = self.rt.backend  # the monitor may not have looked yet: ask the readers
        assert backend is not None
        try:
            for name in backend.list_readers():
                if self.rt.is_user_reader(name) and backend.card_present(name):
                    return name
        except pcsc.PcscError as exc:
            raise translate_reader_error(exc) from exc
        raise NoCardPresent()

    @contextmanager
    def _terminal(self, reader: str, guard: _Guard | None = None, load: bool = False,
                  signal: bool = False, sam: bool = True,
                  authority: LoadAuthority | None = None) -> Iterator[CardTerminal]:
        """The terminal bound to the card in ``reader`` (connected exclusively for this one
        operation); ``signal``: tell the reader's buzzer/LED how it ended; ``sam``: the
        operation needs the SAM (reading a card does not)."""
        rt = self.rt
        assert rt.backend is not None and rt.journal is not None and rt.psam is not None
        try:
            channel = CardChannel.connect(rt.backend, reader, timeout=CONNECT_TIMEOUT_S,
                                          exclusive=True)
        except pcsc.ReaderBusy as exc:
            raise ReaderBusyError(str(exc)) from exc
        except pcsc.PcscError as exc:
            raise translate_reader_error(exc) from exc
        try:
            term = CardTerminal(channel, rt.psam.sam() if sam else NO_SAM, rt.journal,
                                fares=rt.fares,
                                max_amount_fen=rt.settings.card.max_amount_fen,
                                load_authority=authority or (
                                    self._load_authority() if load else None),
                                clock=rt.clock)
            if guard is not None:
                term.client_ref = guard.client_ref
                term.after_recovery = lambda pub, res: self._check(guard, pub, res)
            yield term
        except SamUnavailableError:
            rt.psam.failed()
            if signal:
                rt.feedback.signal(channel, Signal.ERROR)
            raise
        except Replay:
            if signal:
                rt.feedback.signal(channel, Signal.OK)
            raise
        except CardServiceError as exc:
            if signal:
                rt.feedback.signal(channel, Signal.ERROR if exc.code in _NOT_REFUSALS
                                   else Signal.REFUSED)
            raise
        else:
            if signal:
                rt.feedback.signal(channel, Signal.OK)
        finally:
            channel.disconnect()

    def _load_authority(self) -> LoadAuthority:
        if self._authority is None:
            self._authority = self.rt.clearing() or load_authority(self.rt.settings)
        return self._authority

    def _check(self, guard: _Guard, pub: PublicData, resolved: list[Resolution]) -> None:
        journal = self.rt.journal
        assert journal is not None
        if guard.client_ref:
            existing = journal.by_client_ref(guard.client_ref)
            if existing is None:
                return
            if existing.status == "completed":
                raise Replay(existing)
            raise EarlierAttemptUnresolved(card=mask_card_number(existing.card_no))
        ids = self._recovered.pop(pub.card_no, []) + [
            r.entry_id for r in resolved if r.outcome == "completed"]
        done = [e for e in map(journal.get, ids) if e.counter_kind == guard.counter]
        if not done:
            return
        if guard.replay_recovered:
            raise Replay(done[-1])
        if not guard.again:
            e = done[-1]
            load = e.counter_kind == "load"
            raise EarlierAttemptCompleted(amount=format_fen(e.amount_fen),
                                          when=e.date_time.replace("T", " "), entry_id=e.id,
                                          what_zh="充值" if load else "扣款",
                                          what="top-up" if load else "payment")

    def precheck(self, client_ref: str | None, kind: str,
                  amount_fen: int | None) -> TxResult | None:
        """A completed entry with this ``client_ref`` is the answer at once (no card needed)."""
        if not client_ref:
            return None
        assert self.rt.journal is not None
        existing = self.rt.journal.by_client_ref(client_ref)
        if existing is None:
            return None
        if existing.counter_kind != kind or (amount_fen is not None
                                             and existing.amount_fen != amount_fen):
            raise ClientRefReused(client_ref=client_ref)
        if existing.status == "completed":
            return TxResult.from_entry(existing)
        return None

    def _money(self, name: str, reader: str | None, client_ref: str | None,
               op: Callable[[CardTerminal], _T], guard: _Guard, load: bool = False,
               authority: LoadAuthority | None = None) -> _T | TxResult:
        where = self._reader(reader)
        self.rt.events.publish("operation_started", reader=where, operation=name,
                               client_ref=client_ref)
        try:
            with self._processing(where), \
                    self._terminal(where, guard, load, signal=True,
                                   authority=authority) as term:
                result: _T | TxResult = op(term)
        except Replay as replay:
            result = TxResult.from_entry(replay.entry)
        except CardServiceError as exc:
            self._finished(where, name, client_ref, None, exc)
            raise
        finally:
            self.rt.poke_uploader()
        self._finished(where, name, client_ref, result, None)
        return result

    @contextmanager
    def _processing(self, reader: str) -> Iterator[int | None]:
        """The card in ``reader`` is being processed; yields the monitor's number of its tap."""
        monitor = self.rt.monitor
        tap: int | None = None
        if monitor is not None:
            try:
                if monitor.state(reader) is mon.CardState.CARD_PRESENT:
                    tap = monitor.begin_processing(reader)
            except (pcsc.PcscError, mon.InvalidTransition):
                tap = None
        try:
            yield tap
        finally:
            if tap is not None and monitor is not None:
                monitor.end_processing(reader, tap)

    def _finished(self, reader: str, name: str, client_ref: str | None, result: Any,
                  error: CardServiceError | None, card_no: str | None = None) -> None:
        """Publish ``operation_finished``; ``card_no`` is the card it was about, where known
        (a refused ride says which card it refused: a result is matched to its tap)."""
        data: dict[str, Any] = {"reader": reader, "operation": name, "client_ref": client_ref,
                                "ok": error is None}
        if card_no is not None:
            data["card_no"] = card_no
        if error is None:
            data["result"] = _as_dict(result)
        else:
            words = MESSAGES.words(error)
            data.update(code=str(error.code), message=words.en, message_zh=words.zh)
        self.rt.events.publish("operation_finished", **data)

    # -- public operations (any thread) --------------------------------------------------
    def identify(self, reader: str | None = None) -> CardInfo:
        return self.rt.call(lambda: self._read_card(self._reader(reader)))

    def holder(self, reader: str | None = None) -> CardInfo:
        """The card with its holder: the tap's own read while that card is still on the reader
        (a kiosk asks right after ``card_present``: SELECT and READ BINARY EF16 not sent
        twice); read now otherwise."""
        def run() -> CardInfo:
            where = self._reader(reader)
            kept = self._read_at_tap.get(where)
            monitor = self.rt.monitor
            if kept is not None and monitor is not None and monitor.tap(where) == kept[0]:
                return kept[1]
            return self._read_card(where)
        return self.rt.call(run)

    def _read_card(self, where: str) -> CardInfo:
        """The card in ``where`` read now (card thread): SELECT and READ BINARY, no PSAM."""
        with self._terminal(where, sam=False) as term:
            return term.identify()

    def balance(self, reader: str | None = None) -> tuple[str, int]:
        def run() -> tuple[str, int]:
            with self._terminal(self._reader(reader), sam=False) as term:
                return term.balance()
        return self.rt.call(run)

    def history(self, reader: str | None = None) -> History:
        def run() -> History:
            with self._terminal(self._reader(reader), sam=False) as term:
                return term.history()
        return self.rt.call(run)

    def recover(self, reader: str | None = None) -> list[Resolution]:
        def run() -> list[Resolution]:
            with self._terminal(self._reader(reader), sam=False) as term:
                return term.recover()
        return self.rt.call(run)

    def purchase(self, amount_fen: int, kind: PurchaseKind = "canteen", *,
                 client_ref: str | None = None, again: bool = False,
                 reader: str | None = None) -> TxResult:
        def run() -> TxResult:
            done = self.precheck(client_ref, "debit", amount_fen)
            if done is not None:
                return done
            guard = _Guard(client_ref, again, "debit")
            result = self._money("purchase", reader, client_ref,
                                 lambda t: t.purchase(amount_fen, kind), guard)
            assert isinstance(result, TxResult)
            return result
        return self.rt.call(run)

    def ride(self, line: str, fare_fen: int | None = None, *, client_ref: str | None = None,
             again: bool = False, reader: str | None = None) -> TxResult | FreeRide:
        def run() -> TxResult | FreeRide:
            done = self.precheck(client_ref, "debit", None)
            if done is not None:
                return done
            guard = _Guard(client_ref, again, "debit")
            return self._money("ride", reader, client_ref, lambda t: t.ride(line, fare_fen),
                               guard)
        return self.rt.call(run)

    def load(self, amount_fen: int, pin: str, *, client_ref: str | None = None,
             again: bool = False, reader: str | None = None) -> TxResult:
        def run() -> TxResult:
            done = self.precheck(client_ref, "load", amount_fen)
            if done is not None:
                return done
            guard = _Guard(client_ref, again, "load")
            result = self._money("load", reader, client_ref,
                                 lambda t: t.load(amount_fen, pin), guard, load=True)
            assert isinstance(result, TxResult)
            return result
        return self.rt.call(run)

    def refund(self, pin: str, *, original_client_ref: str | None = None,
               original_entry_id: int | None = None, client_ref: str | None = None,
               reader: str | None = None) -> TxResult:
        """Refund a purchase made here by mistake: an online load of its whole amount onto the
        same card, authorised by clearing against the original, at most once per original."""
        def run() -> TxResult:
            journal, clearing = self.rt.journal, self.rt.clearing()
            assert journal is not None
            if clearing is None:
                raise ServiceConfigError("refunds need clearing ([clearing_client] url)",
                                         code=ErrorCode.CLEARING_NOT_CONFIGURED)
            original = (journal.by_client_ref(original_client_ref) if original_client_ref
                        else journal.get(original_entry_id) if original_entry_id else None)
            if original is None or original.status != "completed" or \
                    original.counter_kind != "debit":
                raise Refusal("no completed purchase to refund", code=ErrorCode.REFUND_REFUSED)
            done = self.precheck(client_ref, "load", original.amount_fen)
            if done is not None:
                return done
            if not original.uploaded and self.rt.uploader is not None:
                self.rt.uploader.upload_once()  # clearing must hold the original first

            def credit(term: CardTerminal) -> TxResult:
                if term.purse.select().public.card_no != original.card_no:
                    raise Refusal("present the card of the original purchase",
                                  code=ErrorCode.REFUND_REFUSED)
                return term.load(original.amount_fen, pin, kind="refund")

            result = self._money("refund", reader, client_ref, credit,
                                 _Guard(client_ref, True, "load"), load=True,
                                 authority=RefundAuthority(clearing, original.terminal_id,
                                                           original.ttsn))
            assert isinstance(result, TxResult)
            return result
        return self.rt.call(run)

    def block(self, pin: str | None = None, reader: str | None = None) -> str:
        def run() -> str:
            where = self._reader(reader)
            self._read_at_tap.pop(where, None)  # a blocked card names no holder any more
            with self._terminal(where) as term:
                if pin is not None:
                    term.purse.select()
                    term.purse.verify_pin(pin)
                card_no = term.block()
            clearing = self.rt.clearing()
            if clearing is not None:
                try:
                    clearing.report_lost(card_no, "lost")
                except CardServiceError as exc:
                    log.warning("could not report the card lost to clearing",
                                extra={"error": str(exc)})
            return card_no
        return self.rt.call(run)

    # -- sales (cashier): cardsvc.sales ------------------------------------------------
    def sale(self, amount_fen: int, kind: PurchaseKind, client_ref: str,
             timeout_s: float = 60.0) -> TxResult:
        """Wait for a fresh tap and charge it (:meth:`cardsvc.sales.Sales.sale`)."""
        return self.sales.sale(amount_fen, kind, client_ref, timeout_s)

    def cancel_sale(self, client_ref: str) -> bool:
        return self.sales.cancel(client_ref)

    def shutdown(self) -> None:
        self.sales.shutdown()

    # -- taps (card thread) --------------------------------------------------------------
    def on_reader_event(self, event: mon.MonitorEvent) -> None:
        hub = self.rt.events
        if isinstance(event, mon.ReaderAdded):
            hub.publish("reader_available", reader=event.reader)
        elif isinstance(event, mon.ReaderRemoved | mon.ReaderUnavailable):
            self._read_at_tap.pop(event.reader, None)
            hub.publish("reader_unavailable", reader=event.reader,
                        code=str(ErrorCode.READER_NOT_FOUND))
        elif isinstance(event, mon.ServiceUnavailable):
            self._read_at_tap.clear()
            hub.publish("reader_unavailable", reader=None, code=str(ErrorCode.PCSC_UNAVAILABLE))
        elif isinstance(event, mon.CardRemoved):
            self.charged_tap.pop(event.reader, None)
            self._read_at_tap.pop(event.reader, None)
            hub.publish("card_removed", reader=event.reader)
        elif isinstance(event, mon.FieldMute) and event.mute:
            error = SeveralCards()
            hub.publish("several_cards", reader=event.reader, code=str(error.code),
                        message=MESSAGES.en(error), message_zh=MESSAGES.zh(error))
        elif isinstance(event, mon.CardInserted):
            self._on_tap(event.reader, lying=event.initial)

    def _on_tap(self, reader: str, lying: bool = False) -> None:
        self.charged_tap[reader] = False
        self._read_at_tap.pop(reader, None)
        if self.rt.options.role == "validator":
            if lying:  # on the reader when the validator started: no tap of the rider's
                self.charged_tap[reader] = True
                self._finished(reader, "ride", None, None, Refusal(code=ErrorCode.TAP_AGAIN))
                return
            self._validate(reader)
            return
        self.sales.charge(reader)  # a waiting sale first: the till's answer does not wait
        try:
            with self._processing(reader) as tap, self._terminal(reader, sam=False) as term:
                info = term.identify()
                if self.rt.journal is not None and self.rt.journal.unresolved(info.card_no):
                    self._recovered.setdefault(info.card_no, []).extend(
                        r.entry_id for r in term.recover() if r.outcome == "completed")
        except CardServiceError as exc:
            words = MESSAGES.words(exc)
            self.rt.events.publish("card_present", reader=reader, code=str(exc.code),
                                   message=words.en, message_zh=words.zh)
        else:
            if tap is not None:
                self._read_at_tap[reader] = (tap, info)
            self.rt.events.publish("card_present", reader=reader, **card_event(info))

    def _validate(self, reader: str) -> None:
        self.charged_tap[reader] = True
        line = self.rt.options.line
        self.rt.events.publish("operation_started", reader=reader, operation="ride",
                               client_ref=None)
        card_no: str | None = None
        try:
            with self._processing(reader), \
                    self._terminal(reader, _Guard(None, False, "debit", True),
                                   signal=True) as term:
                card_no = term.purse.select().public.card_no
                self._passback(card_no)
                try:
                    result: TxResult | FreeRide = term.ride(line)
                except Replay as replay:
                    result = TxResult.from_entry(replay.entry)
                self._last_ride[card_no] = (time.monotonic(), result)
        except CardServiceError as exc:
            self._finished(reader, "ride", None, None, exc, card_no)
        else:
            self._finished(reader, "ride", None, result, None, card_no)
        self.rt.poke_uploader()

    def _passback(self, card_no: str) -> None:
        window = self.rt.options.passback_s
        now = time.monotonic()
        for key in [k for k, (t, _) in self._last_ride.items() if now - t > window]:
            del self._last_ride[key]
        if card_no in self._last_ride:
            raise AlreadyTapped(seconds=f"{window:g}")


def card_event(info: CardInfo) -> dict[str, Any]:
    """The ``card_present`` event's data for a card that was read."""
    return {"card_no": info.card_no, "card_no_masked": mask_card_number(info.card_no),
            "holder_name": info.holder.name if info.holder else None,
            "id_number_masked": info.holder.masked_id if info.holder else None,
            "card_type": info.card_type.label_en, "card_type_zh": info.card_type.label_zh,
            "status": info.status}


def _as_dict(result: Any) -> Any:
    as_dict = getattr(result, "as_dict", None)
    return as_dict() if callable(as_dict) else result
