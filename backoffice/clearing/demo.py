"""The demo issuer's cards at the back office (card-spec.md section 7, :mod:`cardsvc.demo_issuer`).

The five demo cards are registered with their balance at issue, algorithm and type, counters at
0 (as the virtual cards are personalised); the cards whose status is ``lost`` are put on the
hotlist. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from backoffice.clearing.models import CardRegistration, HotlistReport
from backoffice.clearing.service import ClearingService
from backoffice.errors import ConfigurationError
from cardsvc.demo_issuer import DemoDataError, load_demo_data

__all__ = ["SeedResult", "seed_demo"]


@dataclass(frozen=True)
class SeedResult:
    registered: tuple[str, ...]
    """Cards newly registered."""
    already: tuple[str, ...]
    """Cards that were registered before."""
    hotlisted: tuple[str, ...]
    """Lost cards newly put on the hotlist."""
    hotlist_version: int


def seed_demo(service: ClearingService) -> SeedResult:
    try:
        data = load_demo_data()
    except DemoDataError as exc:
        raise ConfigurationError(f"cannot read the demo cards: {exc}") from None
    registered: list[str] = []
    already: list[str] = []
    hotlisted: list[str] = []
    for card in data.cards:
        reg = CardRegistration.model_validate({
            "card_no": card.number, "alg": card.algorithm, "card_type": card.card_type,
            "issued_balance_fen": card.balance_fen})
        result = service.register_card(reg)
        (registered if result.created else already).append(card.number)
    for number in data.hotlist:
        change = service.report_lost(HotlistReport(card_no=number, reason="lost (demo card)"))
        if change.added:
            hotlisted.append(number)
    return SeedResult(tuple(registered), tuple(already), tuple(hotlisted),
                      service.repo.hotlist_version())
