"""The virtual city card and PSAM (card-spec.md): file tree, e-purse, PSAM application.

Public face::

    from simulators.card import open_user_card, open_psam
    card = open_user_card(Path("var/cards"), "4102000000000001")   # a SimulatedCard
    card.power_on(); card.transmit(bytes.fromhex("00A4040009A00000000386980701"))
"""

from simulators.card.card import CardImage, VirtualCard
from simulators.card.factory import (
    UnknownCard,
    issue_user_card,
    open_psam,
    open_user_card,
)
from simulators.card.personalise import CardDescription, PsamDescription

__all__ = [
    "CardDescription",
    "CardImage",
    "PsamDescription",
    "UnknownCard",
    "VirtualCard",
    "issue_user_card",
    "open_psam",
    "open_user_card",
]
