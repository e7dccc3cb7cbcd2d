"""The card service: the one owner of the readers and the PSAM (purse protocol, SAM, journal,
hotlist, uploader, local API). The public face, imported on first use (so ``cardsvc readers``
never pays for what ``cardsvc pay`` needs)::

    from cardsvc import MESSAGES, CardServiceError, card_session
    try:
        with card_session(settings) as terminal:      # the card now in the reader
            tx = terminal.purchase(1250, "canteen")   # TxResult; .as_dict() for JSON
    except CardServiceError as exc:                   # exc.code: an ErrorCode
        print(MESSAGES.line(exc))                     # "余额不足：... / insufficient ..."

Modules behind it: ``codes`` and ``messages`` (stable codes and their words), ``errors``,
``profile`` (the card profile's vocabulary), ``money``, ``crypto``, ``keys``, ``demo_issuer``,
``records``, ``purse``, ``sam``, ``journal``, ``recovery``, ``terminal``, ``session``,
``clearing_client``, ``uploader``, ``runtime`` (the warm terminal) with ``runtime_ops``,
``sales``, ``psam_session`` and ``events``, ``service`` (the API token), ``api`` and
``api_models`` (the local API), ``client`` (its client), ``receipts``, ``display`` and the
``cli_*`` commands.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardsvc.clearing_client import ClearingClient
    from cardsvc.client import CardServiceClient
    from cardsvc.codes import ErrorCode
    from cardsvc.errors import (
        CardProtocolError,
        CardServiceError,
        DeviceError,
        Refusal,
        ServiceConfigError,
    )
    from cardsvc.messages import MESSAGES
    from cardsvc.money import format_fen, parse_yuan, yuan
    from cardsvc.runtime import Runtime, RuntimeOptions
    from cardsvc.session import card_session
    from cardsvc.terminal import CardInfo, CardTerminal, FreeRide, History, TxResult

_PUBLIC = {
    "CardInfo": "cardsvc.terminal",
    "CardProtocolError": "cardsvc.errors",
    "CardServiceClient": "cardsvc.client",
    "Runtime": "cardsvc.runtime",
    "RuntimeOptions": "cardsvc.runtime",
    "CardServiceError": "cardsvc.errors",
    "CardTerminal": "cardsvc.terminal",
    "ClearingClient": "cardsvc.clearing_client",
    "DeviceError": "cardsvc.errors",
    "ErrorCode": "cardsvc.codes",
    "FreeRide": "cardsvc.terminal",
    "History": "cardsvc.terminal",
    "MESSAGES": "cardsvc.messages",
    "Refusal": "cardsvc.errors",
    "ServiceConfigError": "cardsvc.errors",
    "TxResult": "cardsvc.terminal",
    "card_session": "cardsvc.session",
    "format_fen": "cardsvc.money",
    "parse_yuan": "cardsvc.money",
    "yuan": "cardsvc.money",
}

__all__ = [
    "MESSAGES",
    "CardInfo",
    "CardProtocolError",
    "CardServiceClient",
    "CardServiceError",
    "CardTerminal",
    "ClearingClient",
    "DeviceError",
    "ErrorCode",
    "FreeRide",
    "History",
    "Refusal",
    "Runtime",
    "RuntimeOptions",
    "ServiceConfigError",
    "TxResult",
    "card_session",
    "format_fen",
    "parse_yuan",
    "yuan",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
