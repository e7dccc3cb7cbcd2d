"""The invariants checked after every chaos run, against the cards themselves, the terminals'
journals and what clearing stored (read through its HTTP API).

For every card, with its state at issue and its state now (both read from the card):

* **balance**: balance on the card = issued balance + loads - debits *as cleared*;
* **counters**: each counter value the card used since issue (offline ATC for debits, online
  ATC for loads) is at clearing exactly once, and clearing holds no other: so the number of
  cleared debits/loads equals how far the card's counters moved;
* **no lost transaction**: every counter value the card used has a ``completed`` journal
  entry *and* a cleared record;
* **no double**: no counter value is cleared twice or completed twice in the journals, and
  nothing is cleared or completed that the card did not do (*phantom*);
* every completed journal entry is at clearing exactly once, with the same content
  (amount, type, balance after, TAC), and is marked uploaded;
* **verified**: clearing flagged nothing (bad TAC, conflict, malformed), the journals hold no
  dead letter and no completed entry without a TAC;
* **resolved**: no journal entry is left ``pending`` or ``unknown``;
* clearing's own reconciliation of each day reports no mismatch.

With several terminals sharing cards (``grey_allowed``), recovery may complete an entry without
a TAC (the proof superseded by a later transaction elsewhere, or the torn counter scrolled out
of the card's log): a *grey record*. Clearing rejects it (no TAC) and flags it with the card,
terminal and counter it names, for the card's reconciliation, which settles it: void when a
valid record of that counter is cleared (another terminal's transaction took it), the card's
transaction otherwise. Then every grey record must be flagged at clearing (accounted for), and
the counters, balances and doubles above are checked on the valid cleared records plus the
settled grey ones; the reconciliation's mismatches that the grey records explain (their flags,
and the counter gaps and balances they leave) are expected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.chaos.devices import CardTruth
from cardsvc.journal import Entry

Key = tuple[str, str, int]  # card, counter kind, counter value
MAX_PROBLEMS = 20


@dataclass
class Verdict:
    cards: int = 0
    applied: int = 0
    """Transactions the cards applied (how far their counters moved)."""
    cleared: int = 0
    completed: int = 0
    failed: int = 0
    recovered_completed: int = 0
    recovered_failed: int = 0
    lost: int = 0
    double: int = 0
    phantom: int = 0
    unverified: int = 0
    unresolved: int = 0
    not_uploaded: int = 0
    balance_mismatch: int = 0
    content_mismatch: int = 0
    reconciliation_mismatch: int = 0
    grey: int = 0
    """Completed without a TAC by recovery (grey records)."""
    grey_settled: int = 0
    """Grey records that are the card's transaction (no valid record of their counter)."""
    grey_unaccounted: int = 0
    """Grey records that clearing does not hold as flagged."""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.double or self.phantom or self.unverified
                    or self.unresolved or self.not_uploaded or self.balance_mismatch
                    or self.content_mismatch or self.reconciliation_mismatch
                    or self.grey_unaccounted)

    def note(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def _kind(tx_type: str) -> str:
    return "load" if tx_type == "load" else "debit"


def is_grey(e: Entry) -> bool:
    """Completed by recovery without a TAC."""
    return e.status == "completed" and not e.tac and (e.detail or "").startswith("recovered")


def _flag_key(f: Mapping[str, Any]) -> tuple[Any, ...]:
    return (f.get("card_no"), f.get("counter_kind"), f.get("card_atc"), f.get("terminal_id"),
            f.get("ttsn"))


def check(cards: Mapping[str, tuple[CardTruth, CardTruth]], entries: Sequence[Entry],
          cleared: Sequence[Mapping[str, Any]], flagged: Sequence[Mapping[str, Any]],
          reconciliations: Iterable[Mapping[str, Any]] = (), *,
          grey_allowed: bool = False) -> Verdict:
    """``cards``: card number -> (state at issue, state now), as the cards answer."""
    v = Verdict(cards=len(cards))
    mine = set(cards)
    entries = [e for e in entries if e.card_no in mine]
    cleared = [c for c in cleared if c["card_no"] in mine]
    v.cleared = len(cleared)
    greys = [e for e in entries if grey_allowed and is_grey(e)]
    completed = [e for e in entries if e.status == "completed" and e not in greys]
    v.completed = len(completed) + len(greys)
    flagged = _account_greys(v, greys, flagged)
    v.failed = sum(1 for e in entries if e.status == "failed")
    v.recovered_completed = sum(1 for e in completed if (e.detail or "").startswith("recovered"))
    v.recovered_failed = sum(1 for e in entries if e.status == "failed"
                             and (e.detail or "").startswith("recovered"))
    for e in entries:
        if e in greys and not e.uploaded and e.dead_letter:
            continue  # flagged at clearing (checked above), never marked uploaded
        if e.status in ("pending", "unknown"):
            v.unresolved += 1
            v.note(f"unresolved journal entry {e.id} ({e.status}): {e.card_no} {e.type} "
                   f"{e.amount_fen} fen, counter {e.card_atc}")
        elif e.status == "completed" and not e.uploaded:
            v.not_uploaded += 1
            v.note(f"journal entry {e.id} completed but not acknowledged by clearing")
        if e.status == "completed" and e not in greys and (not e.tac or e.dead_letter):
            v.unverified += 1
            v.note(f"journal entry {e.id}: no TAC or dead letter ({e.dead_letter})")
    for f in flagged:
        if f.get("card_no") in mine or f.get("card_no") is None:
            v.unverified += 1
            v.note(f"clearing flagged #{f['id']} [{f['reason_code']}] {f['reason']}")

    cleared_by_key = Counter((c["card_no"], c["counter_kind"], c["card_atc"]) for c in cleared)
    done_by_key = Counter((e.card_no, e.counter_kind, e.card_atc) for e in completed)
    settled = [e for e in greys if cleared_by_key[(e.card_no, e.counter_kind, e.card_atc)] == 0]
    v.grey_settled = len(settled)
    settled_by_key = Counter((e.card_no, e.counter_kind, e.card_atc) for e in settled)
    valid = cleared
    cleared = [*cleared, *({"card_no": e.card_no, "counter_kind": e.counter_kind,
                            "card_atc": e.card_atc, "amount_fen": e.amount_fen}
                           for e in settled)]
    cleared_by_key += settled_by_key
    done_by_key += settled_by_key
    applied: set[Key] = set()
    for card_no, (issued, now) in cards.items():
        for kind, first, last in (("debit", issued.offline_atc, now.offline_atc),
                                  ("load", issued.online_atc, now.online_atc)):
            applied.update((card_no, kind, atc) for atc in range(first, last))
        loads = sum(c["amount_fen"] for c in cleared
                    if c["card_no"] == card_no and c["counter_kind"] == "load")
        debits = sum(c["amount_fen"] for c in cleared
                     if c["card_no"] == card_no and c["counter_kind"] == "debit")
        if now.balance != issued.balance + loads - debits:
            v.balance_mismatch += 1
            v.note(f"card {card_no}: balance {now.balance} on the card, "
                   f"{issued.balance} + {loads} - {debits} as cleared")
    v.applied = len(applied)
    for key in sorted(applied):
        if cleared_by_key[key] == 0 or done_by_key[key] == 0:
            v.lost += 1
            v.note(f"lost: card {key[0]} {key[1]} counter {key[2]} applied on the card, "
                   f"{done_by_key[key]} completed in the journal, {cleared_by_key[key]} cleared")
    for key, n in sorted((cleared_by_key + done_by_key).items()):
        extra = max(0, cleared_by_key[key] - 1) + max(0, done_by_key[key] - 1)
        if extra:
            v.double += extra
            v.note(f"double: card {key[0]} {key[1]} counter {key[2]}: cleared "
                   f"{cleared_by_key[key]} times, completed {done_by_key[key]} times")
        if key not in applied:
            v.phantom += 1
            v.note(f"phantom: card {key[0]} {key[1]} counter {key[2]} is not on the card "
                   f"but {n} record(s) say so")

    # every completed entry at clearing exactly once, with its content
    by_full_key = {(c["card_no"], c["counter_kind"], c["card_atc"], c["terminal_id"], c["ttsn"]): c
                   for c in valid}
    for e in completed:
        c = by_full_key.get((e.card_no, e.counter_kind, e.card_atc, e.terminal_id, e.ttsn))
        if c is None:
            continue  # counted as lost above (its counter value has no cleared record)
        if (c["amount_fen"], c["type"], c["balance_after_fen"], c["tac"].upper()) != (
                e.amount_fen, e.type, e.balance_after_fen, (e.tac or "").upper()):
            v.content_mismatch += 1
            v.note(f"journal entry {e.id} and cleared #{c['id']} differ")
    grey_cards = {e.card_no for e in greys}
    for recon in reconciliations:
        for m in recon.get("mismatches", []):
            if m.get("card_no") in grey_cards and m.get("kind") in (
                    "flagged", "counter_gap", "balance_mismatch", "balance_chain"):
                continue  # what the card's grey records leave for its reconciliation
            if m.get("card_no") in mine or m.get("card_no") is None:
                v.reconciliation_mismatch += 1
                v.note(f"reconciliation {recon.get('date')}: {m['kind']} {m.get('card_no')} "
                       f"{m.get('detail')}")
    return v


def _account_greys(v: Verdict, greys: Sequence[Entry],
                   flagged: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Count the grey records and whether clearing holds each as flagged; returns the flags
    that are not grey records (for the ``unverified`` count)."""
    v.grey = len(greys)
    by_key: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for f in flagged:
        by_key.setdefault(_flag_key(f), []).append(f)
    for e in greys:
        key = (e.card_no, e.counter_kind, e.card_atc, e.terminal_id, e.ttsn)
        flags = by_key.pop(key, [])
        if not flags or not e.dead_letter:
            v.grey_unaccounted += 1
            v.note(f"grey record {e.id} ({e.card_no} {e.counter_kind} counter {e.card_atc}, "
                   f"terminal {e.terminal_id}): {len(flags)} flags at clearing, dead letter "
                   f"{e.dead_letter!r}")
    return [f for fs in by_key.values() for f in fs]


def days_of(cleared: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({str(c["date_time"])[:10] for c in cleared})
