"""The kiosk on the card service (pytest-qt, offscreen): ``cardsvc serve`` as its own process
on a private pcscd, the demo card and PSAM as virtual cards behind vpcd (each its own process,
tapped and lifted through the card simulator's control socket), the hall back office and the
virtual printer as in make demo. A tap logs in with the holder, 一卡通 shows the balance and
tops it up with the PIN, and pulling the card mid-form ends the session with nothing personal
left; then the adapter itself: the holder in full, history, a wrong PIN, report lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardsvc.client import CardServiceClient
from cardsvc.codes import ErrorCode
from demo.devices import Stack
from demo.journey import Journey
from kiosk.adapters.card import ServiceCard
from kiosk.ports import CardEvent, CardEventKind, Fault, PortError
from tests.kiosk.screens import artifacts, ui_strings
from tests.kiosk.stack import kiosk_on, running_stack

pytestmark = pytest.mark.pcscd

HOLDER, ID_NUMBER = "张明华", "410202198503150315"
PERSONAL = (HOLDER, ID_NUMBER, "13700001111", "4102000000000001")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("card-stack"), Stack.start_hall,
                       Stack.start_printer, Stack.start_cards) as s:
        yield s


@pytest.fixture
def journey(stack: Stack, qapp: Any, tmp_path: Path) -> Iterator[Journey]:
    with kiosk_on(stack, tmp_path) as (j, _):
        try:
            yield j
        finally:
            assert stack.cards is not None
            stack.cards.lift()


def _shot(j: Journey, name: str) -> None:
    assert j.kiosk is not None
    j.settle()
    j.kiosk.window.grabWindow().save(str(artifacts() / f"card-stack-{name}.png"))


def test_tap_balance_top_up_then_the_card_pulled_mid_form_wipes_everything(
        journey: Journey, stack: Stack) -> None:
    j, cards = journey, stack.cards
    assert j.kiosk is not None and cards is not None
    vm: Any = j.kiosk.vm
    j.wait(lambda: vm.find.total > 0, "the catalogue")
    vm.open("card")
    assert vm.card.stage == "wait"
    cards.tap()  # the demo card on the reader: pcscd -> cardsvc -> event -> the kiosk
    j.wait(lambda: vm.card.stage == "account", "the balance", 30)
    assert (vm.card.balance, vm.card.cardNumber) == ("100.00", "4102********0001")
    _shot(j, "account")
    vm.card.topUp()
    vm.card.chooseAmount(2000)
    for d in "111111":
        vm.card.pin.key(d)
    vm.card.enterPin()
    j.wait(lambda: vm.card.fault != "", "the wrong PIN's answer", 30)
    assert vm.card.stage == "pin" and "2" in vm.card.fault  # tries left, said in words
    for d in "123456":
        vm.card.pin.key(d)
    vm.card.enterPin()
    j.wait(lambda: vm.card.stage == "result", "the top-up", 30)
    assert vm.card.ok and "120.00" in vm.card.result
    _shot(j, "topped-up")
    vm.card.back()
    j.wait(lambda: vm.card.stage == "account" and vm.card.history.count == 1, "history", 30)
    assert vm.card.history.get(0)["amount"] == "+20.00"

    # apply with the card still on the reader: the holder is the identity, never typed
    vm.home()
    vm.open("apply")
    for ch in "yyzz":
        vm.find.type(ch)
    j.wait(lambda: not vm.find.busy and vm.find.results.count > 0, "results")
    vm.find.open(vm.find.results.get(0)["code"])
    j.wait(lambda: vm.guide.loaded, "the guide")
    vm.guide.apply()
    j.wait(lambda: vm.apply.stepCode == "form", "the holder as the identity", 30)
    assert HOLDER in vm.apply.who and "0315" in vm.apply.who and ID_NUMBER not in vm.apply.who
    form = vm.apply.formPart
    form.edit("phone")
    form.kb.setMode("digits")
    for ch in "13700001111":
        form.kb.key(ch)
    form.stopEditing()
    during = "\n".join(ui_strings(j.kiosk.window))
    assert HOLDER in during and "13700001111" in during  # the probe sees the screen
    _shot(j, "form")

    cards.lift()  # pulled mid-form
    j.wait(lambda: vm.current == "home" and not j.kiosk.session.is_personal,
           "the session to end", 30)
    j.settle(300)
    after = "\n".join(ui_strings(j.kiosk.window)) + "\n".join(
        str(v) for screen in vm.screens.values() for v in vars(screen).values())
    assert [p for p in PERSONAL if p in after] == []
    folder = j.kiosk.folder.path
    assert not folder.exists() or not any(folder.rglob("*"))
    _shot(j, "after-pull")


def test_the_adapter_on_the_service(stack: Stack) -> None:
    cards = stack.cards
    assert cards is not None
    port = ServiceCard(cards.client)
    events: list[CardEvent] = []
    seen = threading.Condition()

    def on_event(event: CardEvent) -> None:
        with seen:
            events.append(event)
            seen.notify_all()

    def wait_for(kind: CardEventKind) -> CardEvent:
        with seen:
            assert seen.wait_for(lambda: any(e.kind is kind for e in events), 30)
            return next(e for e in events if e.kind is kind)

    port.watch(on_event)
    try:
        cards.tap()
        present = wait_for(CardEventKind.CARD_PRESENT)
        who = present.identity
        assert who is not None and (who.name, who.id_number) == (HOLDER, ID_NUMBER)
        assert (who.source, who.birth_date, who.sex) == ("city_card", "1985-03-15", "男")
        assert ID_NUMBER not in repr(present)
        before = port.account().balance_fen
        assert port.top_up(100, "123456", "adapter-0").balance_fen == before + 100
        assert (port.history()[0].kind, port.history()[0].amount_fen) == ("load", 100)
        with pytest.raises(PortError) as wrong:
            port.top_up(100, "000000", "adapter-1")
        assert wrong.value.code is Fault.WRONG_PIN and wrong.value.details["tries_left"] == 2
        port.report_lost("123456", "adapter-lost-1")
        assert port.account().status == "blocked"
        with pytest.raises(PortError) as blocked:
            port.top_up(100, "123456", "adapter-2")
        assert blocked.value.code is Fault.CARD_BLOCKED
        cards.lift()
        wait_for(CardEventKind.CARD_REMOVED)
    finally:
        port.close()


def test_no_card_service_is_said_not_raised_raw(tmp_path: Path) -> None:
    def refuse() -> CardServiceClient:
        return CardServiceClient.from_settings(_settings_without_service(tmp_path))

    port = ServiceCard(refuse)
    with pytest.raises(PortError) as down:
        port.account()
    assert down.value.code is Fault.CARD_SERVICE
    assert str(ErrorCode.SERVICE_NOT_RUNNING) in str(down.value)


def _settings_without_service(tmp_path: Path) -> Any:
    from config.settings import load_settings  # noqa: PLC0415

    cfg = tmp_path / "k.toml"
    cfg.write_text(f'[paths]\nvar_dir = "{tmp_path}"\n', encoding="utf-8")
    return load_settings(cfg)
