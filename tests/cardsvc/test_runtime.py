"""The warm runtime in-process (MemoryBackend, the virtual card and PSAM): the PSAM held
exclusively and selected once, taps driven by the reader state machine, retries by client_ref,
the CLI's earlier-attempt rule, the validator (fares, passback, free rides, feedback), several
cards in the field, sales."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardsvc.errors import (
    CardRemovedError,
    CardServiceError,
    ClientRefReused,
    EarlierAttemptCompleted,
    SaleEnded,
)
from cardsvc.events import Event, Subscription
from cardsvc.runtime import Runtime, RuntimeOptions
from cardsvc.terminal import TxResult
from config.settings import load_settings
from drivers.pcsc import errors as pcsc
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.feedback import AcsFeedback
from drivers.pcsc.memory_backend import MemoryBackend
from simulators.card.controls import ControlledCard
from simulators.card.factory import open_psam, open_user_card

CARD, SAM = "Card 00", "SAM 01"


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.backend = MemoryBackend([CARD, SAM])
        self.psam = ControlledCard(open_psam(root / "psam"))
        self.backend.insert(SAM, self.psam)
        base = load_settings(env={})
        self.settings = dataclasses.replace(
            base, paths=dataclasses.replace(base.paths, var_dir=root / "var"),
            card=dataclasses.replace(base.card, sam=f"pcsc:{SAM}", backend="memory://"))
        self.cards: dict[str, ControlledCard] = {}

    def card(self, number: str = "4102000000000001") -> ControlledCard:
        if number not in self.cards:
            self.cards[number] = ControlledCard(open_user_card(self.root / "cards", number))
        return self.cards[number]

    def tap(self, number: str = "4102000000000001") -> ControlledCard:
        card = self.card(number)
        self.backend.insert(CARD, card)
        return card

    def lift(self) -> None:
        self.backend.remove(CARD)

    def runtime(self, **options: object) -> Runtime:
        rt = Runtime(self.settings, RuntimeOptions(**options),  # type: ignore[arg-type]
                     backend=self.backend)
        rt.start()
        return rt


def wait_for(sub: Subscription, kind: str, timeout: float = 5.0) -> Event:
    while (event := sub.get(timeout)) is not None:
        if event.type == kind:
            return event
    raise AssertionError(f"no {kind} event within {timeout} s")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@pytest.fixture
def service(world: World) -> Iterator[Runtime]:
    rt = world.runtime()
    yield rt
    rt.stop()


def test_the_psam_is_held_exclusively_and_selected_once(world: World, service: Runtime) -> None:
    with service.events.subscribe() as sub:
        world.tap()
        present = wait_for(sub, "card_present")
    assert present.data["holder_name"] == "张明华"
    assert present.data["card_no_masked"] == "4102********0001"
    for _ in range(3):
        service.ops.purchase(10)
    selects = [h for h in world.psam._counters.history if h.startswith(b"\x00\xa4")]
    assert len(selects) == 1  # SELECT 1001 once for the runtime's life
    with pytest.raises(pcsc.ReaderBusy):
        CardChannel.connect(world.backend, SAM)  # another program: sharing violation
    assert service.status()["sam_connects"] == 1


def test_a_retry_with_the_same_client_ref_never_charges_twice(world: World,
                                                            service: Runtime) -> None:
    card = world.tap()
    card.tear(1, "after", prefix="8054")  # the card debits, the answer is lost
    with pytest.raises(CardRemovedError):
        service.ops.purchase(250, client_ref="pos-1")
    world.lift()
    world.tap()
    again = service.ops.purchase(250, client_ref="pos-1")  # recovered, not charged again
    assert again.replayed and again.balance_after_fen == 10000 - 250
    third = service.ops.purchase(250, client_ref="pos-1")
    assert third.entry_id == again.entry_id
    assert service.ops.balance()[1] == 10000 - 250
    with pytest.raises(ClientRefReused):
        service.ops.purchase(999, client_ref="pos-1")


def test_without_a_client_ref_an_earlier_attempt_that_went_through_is_said(
        world: World, service: Runtime) -> None:
    card = world.tap()
    card.tear(1, "after", prefix="8054")
    with pytest.raises(CardRemovedError):
        service.ops.purchase(200)
    world.lift()
    world.tap()
    with pytest.raises(EarlierAttemptCompleted) as refused:
        service.ops.purchase(200)
    assert refused.value.params["amount"] == "2.00"
    assert service.ops.balance()[1] == 9800
    service.ops.purchase(200, again=True)  # confirmed by the cashier
    assert service.ops.balance()[1] == 9600


def test_a_sale_charges_the_next_tap_once(world: World, service: Runtime) -> None:
    results: list[TxResult] = []
    waiter = threading.Thread(target=lambda: results.append(
        service.ops.sale(300, "canteen", "sale-1", timeout_s=10)))
    with service.events.subscribe() as sub:
        waiter.start()
        wait_for(sub, "sale_waiting")
        world.tap()
        waiter.join(10)
    assert results and results[0].amount_fen == 300
    with pytest.raises(SaleEnded) as ended:  # the card left on the reader is not charged again
        service.ops.sale(300, "canteen", "sale-2", timeout_s=0.5)
    assert ended.value.code == "sale_timeout"
    assert service.ops.balance()[1] == 9700


def test_a_waiting_sale_can_be_cancelled(world: World, service: Runtime) -> None:
    errors: list[SaleEnded] = []

    def sell() -> None:
        try:
            service.ops.sale(100, "retail", "sale-9", timeout_s=10)
        except SaleEnded as exc:
            errors.append(exc)

    with service.events.subscribe() as sub:
        waiter = threading.Thread(target=sell)
        waiter.start()
        wait_for(sub, "sale_waiting")
        assert service.ops.cancel_sale("sale-9")
        waiter.join(5)
    assert errors and errors[0].code == "sale_cancelled"


def test_several_cards_in_the_field_charge_nothing(world: World) -> None:
    rt = world.runtime(role="validator", line="1")
    try:
        with rt.events.subscribe() as sub:
            world.tap()
            first = wait_for(sub, "operation_finished")
            world.backend.add_to_field(CARD, world.card("4102000000000002"))
            several = wait_for(sub, "several_cards")
        assert first.data["ok"]
        assert several.data["message_zh"] == "请只出示一张卡"
    finally:
        rt.stop()


def test_the_validator_charges_each_tap_once_with_passback_and_free_rides(
        world: World) -> None:
    rt = world.runtime(role="validator", line="1", passback_s=60, feedback=AcsFeedback())
    try:
        with rt.events.subscribe() as sub:
            card = world.tap()
            paid = wait_for(sub, "operation_finished")
            world.lift()
            wait_for(sub, "card_removed")
            world.tap()  # put back within the window: not charged again
            again = wait_for(sub, "operation_finished")
            world.lift()
            world.tap("4102000000000002")  # student: half fare
            student = wait_for(sub, "operation_finished")
        assert paid.data["ok"] and paid.data["result"]["amount_fen"] == 100
        assert not again.data["ok"] and again.data["code"] == "already_tapped"
        assert student.data["result"]["amount_fen"] == 50
        # each answer names the card it is about (the soak matches a result to its tap)
        assert [e.data["card_no"] for e in (paid, again, student)] == [
            paid.data["result"]["card_no"], paid.data["result"]["card_no"], "4102000000000002"]
        assert card.feedback[0].startswith(bytes.fromhex("2A04"))  # green, one beep
        assert card.feedback[1].startswith(bytes.fromhex("5D04"))  # red: refused
        assert rt.status()["journal"]["completed"] == 2
    finally:
        rt.stop()


def test_a_torn_tap_is_the_recovered_fare_at_the_next_tap(world: World) -> None:
    rt = world.runtime(role="validator", line="1", passback_s=60)
    try:
        with rt.events.subscribe() as sub:
            card = world.card()
            card.tear(1, "after", prefix="8054")
            world.tap()
            torn = wait_for(sub, "operation_finished")
            world.backend.remove(CARD)
            world.tap()
            recovered = wait_for(sub, "operation_finished")
        assert torn.data["code"] == "card_removed"
        assert recovered.data["ok"] and recovered.data["result"]["replayed"]
        assert rt.ops.balance()[1] == 9900
    finally:
        rt.stop()


def test_the_validator_needs_no_web_framework() -> None:
    """`cardsvc validator` runs on the `terminal` extra: no FastAPI, Starlette or uvicorn."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    probe = ("import sys, cardsvc.cli_validator, cardsvc.runtime; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'fastapi', 'starlette', 'uvicorn', 'sse_starlette', 'pydantic'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_a_card_lying_on_the_validator_when_it_starts_is_not_charged(world: World) -> None:
    world.tap()
    rt = world.runtime(role="validator", line="1", passback_s=60)
    try:
        with rt.events.subscribe(0) as sub:
            lying = wait_for(sub, "operation_finished")
            world.lift()
            world.tap()
            tapped = wait_for(sub, "operation_finished")
        assert lying.data["code"] == "tap_again"
        assert tapped.data["ok"] and tapped.data["result"]["amount_fen"] == 100
    finally:
        rt.stop()


def test_the_holder_right_after_a_tap_is_the_taps_own_read(world: World,
                                                            service: Runtime) -> None:
    """A kiosk asks for the holder right after ``card_present``: answered from the tap's own
    read (no second SELECT + READ BINARY EF16); a card lifted and another laid is read again
    (its own holder, never the previous one); a card blocked meanwhile is read again."""
    with service.events.subscribe() as sub:
        card = world.tap()
        wait_for(sub, "card_present")
        sent = card._counters.total
        info = service.ops.holder()
        assert info.holder is not None and info.holder.id_number == "410202198503150315"
        assert card._counters.total == sent  # nothing sent to the card
        world.lift()
        wait_for(sub, "card_removed")
        other = world.tap("4102000000000002")
        wait_for(sub, "card_present")
        info = service.ops.holder()
        assert info.holder is not None and info.holder.name == "李思雨"
        assert info.card_no == "4102000000000002"
        sent = other._counters.total
        service.ops.block()
        assert service.ops.holder().holder is None  # read again: a blocked card names nobody
        assert other._counters.total > sent
        world.lift()
        wait_for(sub, "card_removed")
    with pytest.raises(CardServiceError):
        service.ops.holder()  # no card: not the last tap's holder
