"""``make demo``: the whole stack on its simulators, driven from the top (a program, like the
kiosk and the back office).

It starts a private pcscd, the virtual card and PSAM, the clearing service, then uses the card
service's own terminal and uploader, and says what happens at each step
(:mod:`demo.run`). It may import every layer below it; nothing imports it. Run it with
``python -m demo`` (or ``make demo``).
"""
