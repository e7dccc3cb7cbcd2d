"""``python -m demo``: the kiosk demo (:mod:`demo.kiosk`); ``python -m demo cards``: the card
chain demo (:mod:`demo.run`)."""

import sys

if sys.argv[1:2] == ["cards"]:
    from demo.run import main as cards

    raise SystemExit(cards(sys.argv[2:]))
from demo.kiosk import main

raise SystemExit(main())
