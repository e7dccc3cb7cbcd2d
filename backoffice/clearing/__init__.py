"""The clearing service of the city card (issue 4): TAC checks, hotlist, loads, reconciliation.

Its HTTP API is :func:`backoffice.clearing.app.create_app` (alone) or
:func:`backoffice.clearing.app.install_clearing` (beside the hall in ``backoffice serve``).
"""
