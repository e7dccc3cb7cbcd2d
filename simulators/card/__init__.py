"""The virtual city card and PSAM (card-spec.md): file tree, e-purse, PSAM application.

Public face::

    from simulators.card import open_user_card, open_psam
    card = open_user_card(Path("var/cards"), "4102000000000001")   # a SimulatedCard
    card.power_on(); card.transmit(bytes.fromhex("00A4040009A00000000386980701"))

Test hooks: ``open_user_card(..., t0=True, rng=fixed_rng(bytes.fromhex("1A2B3C4D")))``, or set
``card.t0`` / ``card.rng`` on an open card; ``build_card(personalise_user_card(desc, keys))``
for a card in memory only; :mod:`simulators.card.reference` for scripted transactions.
Issuer keys are :class:`cardsvc.keys.IssuerKeys`; ``cardsvc.demo_issuer.demo_issuer_keys()``
gives the demo set.
"""

from simulators.card.card import CardImage, VirtualCard, fixed_rng
from simulators.card.factory import (
    UnknownCard,
    build_card,
    issue_user_card,
    open_psam,
    open_user_card,
    psam_path,
    user_card_path,
)
from simulators.card.personalise import (
    CardDescription,
    PersonaliseError,
    PsamDescription,
    personalise_psam,
    personalise_user_card,
)
from simulators.card.store import StateError

__all__ = [
    "CardDescription",
    "CardImage",
    "PersonaliseError",
    "PsamDescription",
    "StateError",
    "UnknownCard",
    "VirtualCard",
    "build_card",
    "fixed_rng",
    "issue_user_card",
    "open_psam",
    "open_user_card",
    "personalise_psam",
    "personalise_user_card",
    "psam_path",
    "user_card_path",
]
