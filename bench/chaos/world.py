"""What every chaos family starts from and ends with: issued cards, keys, a clearing service,
and the final check of the invariants."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.chaos.clearing import BackofficeProcess, ClearingView
from bench.chaos.devices import FLEET, CardSpec, CardTruth, issue_fleet, open_card, read_truth
from bench.chaos.invariants import Verdict, check, days_of
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.journal import Entry
from drivers.pcsc.channel import CardChannel
from drivers.pcsc.memory_backend import MemoryBackend


@dataclass
class World:
    root: Path
    keys: Path
    cards_dir: Path
    psam_dir: Path
    clearing: BackofficeProcess
    view: ClearingView
    specs: dict[str, CardSpec]
    issued: dict[str, CardTruth] = field(default_factory=dict)

    def truth_at_rest(self, card_no: str) -> CardTruth:
        """Ask the card (a new object from its state dir, in a throwaway reader) for its state;
        use only while no other object of that card is transacting."""
        backend = MemoryBackend(["truth"])
        backend.insert("truth", open_card(self.cards_dir, self.specs[card_no]))
        with CardChannel.connect(backend, "truth", transmit_timeout=None) as channel:
            return read_truth(channel)

    def final_check(self, entries: Iterable[Entry], *, grey_allowed: bool = False) -> Verdict:
        """The invariants against every card now, the journal entries (of every terminal)
        and clearing; ``grey_allowed``: terminals share cards (see invariants)."""
        cards = {n: (self.issued[n], self.truth_at_rest(n)) for n in self.specs}
        cleared = self.view.transactions()
        recon = [self.view.reconciliation(day) for day in days_of(cleared)]
        return check(cards, list(entries), cleared, self.view.flagged(), recon,
                     grey_allowed=grey_allowed)


@contextmanager
def world(root: Path, specs: tuple[CardSpec, ...] = FLEET, *,
          cards_dir: Path | None = None) -> Iterator[World]:
    """Issue the cards, install the demo keys, start a fresh clearing service and register the
    cards there with what they hold at issue. ``cards_dir`` may be on tmpfs (the simulator's
    own fsyncs are a card's EEPROM writes, not what is measured)."""
    root.mkdir(parents=True, exist_ok=True)
    keys = install_demo_keys(root / "keys" / "issuer_keys.toml")
    cards = cards_dir or root / "cards"
    issue_fleet(cards, specs)
    clearing = BackofficeProcess(root / "clearing", keys)
    clearing.start()
    view = ClearingView(clearing.url)
    w = World(root, keys, cards, root / "psam", clearing, view, {s.number: s for s in specs})
    try:
        for spec in specs:
            w.issued[spec.number] = w.truth_at_rest(spec.number)
            view.register(spec, w.issued[spec.number])
        yield w
    finally:
        view.close()
        clearing.stop()
