"""The chaos suite (issue 4 item 7): faults injected into the product, then the invariants.

    .venv/bin/python -m bench.chaos                       # tears, kills, upload faults, terminals
    .venv/bin/python -m bench.chaos --families kills --kills 20

Four fault families, each on its own freshly issued cards and its own clearing database:

1. :mod:`bench.chaos.tears`: tears at every APDU boundary of purchase, bus fare (compound) and
   load, card side and PSAM side, before the card gets the command or after it applied it;
   in-process (``MemoryBackend``) and a share through the real pcscd (vpcd).
2. :mod:`bench.chaos.kills`: ``kill -9`` of the real ``cardsvc serve`` child process in the
   middle of transactions (at APDU boundaries and at random moments), restarted, the card
   re-inserted or left in; the restarted service resolves what was left.
3. :mod:`bench.chaos.uploads`: dropped requests and responses, duplicated and replayed
   requests, 5xx and garbled answers between the uploader and clearing, and ``kill -9`` /
   restart of the ``backoffice serve`` child process during uploads.

4. :mod:`bench.chaos.terminals`: several terminals (own PSAM and terminal ID, own journal)
   sharing the cards: a transaction torn at terminal A, the card used at the others (its
   counter taken there, A's record superseded or scrolled out of the card's log), then back at
   A, which resolves it; every torn entry judged against what the card says happened.

After each family :mod:`bench.chaos.invariants` checks the cards, the journal and clearing (its
HTTP API); the bench prints the counts and exits 1 if anything is lost, counted twice, unverified
or unresolved. ``tests/test_chaos.py`` runs a fast subset of each family.
"""
