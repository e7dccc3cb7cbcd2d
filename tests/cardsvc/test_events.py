"""The event hub: a client that connects afresh sees the cards lying on the readers now (a kiosk
that connects just after the tap logs the holder in), a resuming client sees only what it
missed, and a card taken away or a reader gone is no longer replayed."""

from __future__ import annotations

from cardsvc.events import Event, EventHub, Subscription


def _drain(sub: Subscription) -> list[Event]:
    out = []
    while (event := sub.get(0)) is not None:
        out.append(event)
    return out


def test_a_fresh_subscriber_first_sees_the_cards_lying_on_the_readers() -> None:
    hub = EventHub()
    hub.publish("reader_available", reader="A")
    tapped = hub.publish("card_present", reader="A", card_no="4102000000000001")
    hub.publish("card_present", reader="B", card_no="4102000000000002")
    hub.publish("card_removed", reader="B")
    with hub.subscribe() as sub:
        assert _drain(sub) == [tapped]
        later = hub.publish("card_removed", reader="A")
        assert _drain(sub) == [later]
    with hub.subscribe() as sub:
        assert _drain(sub) == []  # nothing lies on a reader now


def test_a_reader_gone_takes_its_card_with_it_and_an_unreadable_card_still_lies() -> None:
    hub = EventHub()
    hub.publish("card_present", reader="A", card_no="4102000000000001")
    hub.publish("reader_unavailable", reader="A", code="reader_unavailable")
    unreadable = hub.publish("card_present", reader="B", code="card_unreadable")
    with hub.subscribe() as sub:
        assert _drain(sub) == [unreadable]


def test_a_resuming_subscriber_gets_what_it_missed_not_the_replay() -> None:
    hub = EventHub()
    first = hub.publish("card_present", reader="A", card_no="4102000000000001")
    sale = hub.publish("sale_waiting", client_ref="s-1", amount_fen=300, kind="canteen")
    with hub.subscribe(first.id) as sub:
        assert _drain(sub) == [sale]
