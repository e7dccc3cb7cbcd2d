"""The back office: the clearing service of the city card and the hall's service (matters,
cases, progress, ratings, complaints), run together by ``backoffice serve`` or one at a time.

:mod:`backoffice.hallcat` is the hall's catalogue library (exchange format, forms, search engine,
working days, case numbers): pure Python, no web or database stack, shared with the kiosk's
offline catalogue. This ``__init__`` imports nothing at import time (the names below are
resolved on first use), so ``import backoffice.hallcat`` never pulls in FastAPI or SQLAlchemy.

The clearing service (issue 4 item 5):

An HTTP JSON service (FastAPI, OpenAPI at ``/openapi.json`` and ``/docs``) that verifies the
TAC of every uploaded transaction with MTK, stores each transaction once, keeps the rejected
ones as flagged suspects, publishes the hotlist, authorises online loads (MAC1 in, MAC2 out)
and reconciles each day per terminal and per card. SQLite by default, PostgreSQL by URL.

HTTP API (every ``/v1`` route needs ``Authorization: Bearer <token>``; errors answer
``{"error": code, "message": text}``)::

    GET  /healthz                      liveness, database kind, hotlist version (no token)
    POST /v1/transactions              upload a JSON array of records -> per-record outcome
    GET  /v1/transactions              ?card_no= &date= &after_id= &limit=
    GET  /v1/flagged                   rejected suspects (bad_tac, conflict, malformed)
    GET  /v1/hotlist                   ?since=V -> entries added after V (else the whole list)
    POST /v1/hotlist                   {card_no, reason} report a card lost (201 new, 200 known)
    POST /v1/loads/authorise           INIT FOR LOAD answer -> {mac2}; 403 card_hotlisted,
                                       mac1_invalid, load_limit
    POST /v1/cards                     register an issued card (201 new, 200 same, 409 other)
    GET  /v1/cards                     registered cards
    GET  /v1/reconciliation/{date}     totals, per terminal, per card, mismatches

Modules: :mod:`~backoffice.clearing.app` (``create_app(settings)``, no global app),
:mod:`~backoffice.clearing.service` (the operations, transport-free),
:mod:`~backoffice.clearing.repository` (every SQL statement) over :mod:`~backoffice.db`
(connections, the two dialects), :mod:`~backoffice.clearing.verify` (TAC and load MACs over
:mod:`cardsvc.crypto`, cached card keys),
:mod:`~backoffice.clearing.reconcile` (pure), :mod:`~backoffice.clearing.models` (the API's data),
:mod:`~backoffice.errors` (the one exception tree), ``cli*.py`` (the ``backoffice`` program).
The terminal's client is :mod:`cardsvc.clearing_client`.
"""

from importlib import import_module
from typing import Any

__all__ = ["BackofficeError", "ClearingService", "ServerSettings", "build_service", "create_app"]

_PUBLIC = {
    "BackofficeError": "backoffice.errors",
    "ClearingService": "backoffice.clearing.service",
    "ServerSettings": "backoffice.clearing.settings",
    "build_service": "backoffice.clearing.app",
    "create_app": "backoffice.clearing.app",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'backoffice' has no attribute {name!r}")
    return getattr(import_module(module), name)
