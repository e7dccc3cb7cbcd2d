"""A day's reconciliation, computed from the cleared records (pure: no database, no clock).

For the day D (transaction dates, local time):

* totals, and per terminal, of the loads and debits cleared for D;
* per card active on D: its loads and debits of D, the balance it should have at the end of D
  (issued balance + every load - every debit cleared up to the end of D) and the last balance
  the card itself reported (``balance_after_fen`` of its last record up to then);
* the mismatches found at records of D:

  - ``counter_gap``: a card counter (offline ATC for debits, online ATC for loads, checked
    separately) skipped values since the previous cleared record of that counter, or since the
    counter at issue: a transaction is missing (not uploaded yet, or lost);
  - ``balance_chain``: a record's ``balance_after_fen`` is not the previous record's plus or
    minus its amount (records are ordered per counter, the two counters merged by time);
    not reported for a record right after a gap, which the gap explains, nor for the record
    after a wrong one when it follows what the wrong one should have said;
  - ``balance_mismatch``: expected balance != last reported balance;
  - ``flagged``: a record rejected for a bad TAC, a conflict or as malformed;
  - ``unregistered_card``: a card with records that was never registered (no expected balance);
  - ``hotlisted_card``: a record dated after the card was put on the hotlist.
"""

from __future__ import annotations

from backoffice.clearing.models import CardDay, DayTotals, Mismatch, Reconciliation, TerminalDay
from backoffice.clearing.repository import ReconInputs, TxRow

__all__ = ["reconcile"]

_Item = tuple[int, TxRow]


def _totals(rows: list[TxRow]) -> dict[str, int]:
    loads = [r.amount_fen for r in rows if r.counter_kind == "load"]
    debits = [r.amount_fen for r in rows if r.counter_kind == "debit"]
    return {"loads_count": len(loads), "loads_fen": sum(loads),
            "debits_count": len(debits), "debits_fen": sum(debits)}


def _follows(balance: int, row: TxRow) -> bool:
    delta = row.amount_fen if row.counter_kind == "load" else -row.amount_fen
    return row.balance_after_fen == balance + delta


def _merge(debits: list[_Item], loads: list[_Item], start: int | None) -> list[_Item]:
    """Merge the two counter-ordered sequences by time; at equal times, the order under
    which the balance follows wins."""
    out: list[_Item] = []
    i = j = 0
    balance = start
    while i < len(debits) or j < len(loads):
        if i == len(debits):
            take_load = True
        elif j == len(loads):
            take_load = False
        else:
            d, ld = debits[i][1], loads[j][1]
            if d.date_time != ld.date_time:
                take_load = ld.date_time < d.date_time
            else:
                take_load = (balance is not None and _follows(balance, ld)
                             and not _follows(balance, d))
        if take_load:
            item = loads[j]
            j += 1
        else:
            item = debits[i]
            i += 1
        out.append(item)
        balance = item[1].balance_after_fen
    return out


def _gaps(seq: list[_Item], start: int | None, day: str, card_no: str,
          out: list[Mismatch]) -> set[int]:
    """Report counter gaps at records of ``day``; the ids of records right after a gap."""
    after_gap: set[int] = set()
    expected = start
    for tx_id, row in seq:
        if expected is not None and row.card_atc != expected:
            after_gap.add(tx_id)
            if row.date_time.startswith(day):
                if row.card_atc > expected:
                    missing = (f"{expected}" if row.card_atc == expected + 1
                               else f"{expected}..{row.card_atc - 1}")
                    detail = (f"{row.counter_kind} counter {missing} missing before "
                              f"counter {row.card_atc}")
                else:
                    detail = (f"{row.counter_kind} counter {row.card_atc} is below the "
                              f"counter at issue ({expected})")
                out.append(Mismatch(kind="counter_gap", card_no=card_no,
                                    terminal_id=row.terminal_id, transaction_id=tx_id,
                                    detail=detail))
        expected = row.card_atc + 1
    return after_gap


def _card(inp: ReconInputs, card_no: str, day: str, out: list[Mismatch]) -> CardDay:
    history = inp.history.get(card_no, [])
    reg = inp.cards.get(card_no)
    debits = sorted((x for x in history if x[1].counter_kind == "debit"),
                    key=lambda x: x[1].card_atc)
    loads = sorted((x for x in history if x[1].counter_kind == "load"),
                   key=lambda x: x[1].card_atc)
    issued = int(reg["issued_balance_fen"]) if reg else None
    after_gap = _gaps(debits, int(reg["offline_atc"]) if reg else None, day, card_no, out)
    after_gap |= _gaps(loads, int(reg["online_atc"]) if reg else None, day, card_no, out)
    ordered = _merge(debits, loads, issued)
    # the balances the previous record may be taken to have left: what it reported, and (when
    # that did not follow) what it should have reported; one wrong record is reported once
    bases: list[int] = [] if issued is None else [issued]
    for tx_id, row in ordered:
        if not bases or tx_id in after_gap or any(_follows(b, row) for b in bases):
            bases = [row.balance_after_fen]
            continue
        sign = "+" if row.counter_kind == "load" else "-"
        if row.date_time.startswith(day):
            out.append(Mismatch(
                kind="balance_chain", card_no=card_no, terminal_id=row.terminal_id,
                transaction_id=tx_id,
                detail=f"balance after {row.balance_after_fen} does not follow {bases[0]} "
                       f"{sign} {row.amount_fen} ({row.counter_kind} counter {row.card_atc})"))
        delta = row.amount_fen if row.counter_kind == "load" else -row.amount_fen
        bases = [row.balance_after_fen, bases[0] + delta]
    last = ordered[-1][1].balance_after_fen if ordered else None
    expected = None
    if issued is not None:
        expected = (issued + sum(r.amount_fen for _, r in loads)
                    - sum(r.amount_fen for _, r in debits))
        if last is not None and expected != last:
            out.append(Mismatch(kind="balance_mismatch", card_no=card_no,
                                detail=f"the card reports {last} fen, the cleared records "
                                       f"give {expected} fen"))
    else:
        out.append(Mismatch(kind="unregistered_card", card_no=card_no,
                            detail="the card has cleared records but was never registered"))
    hot = inp.hotlist.get(card_no)
    if hot is not None:
        for tx_id, row in ordered:
            if row.date_time.startswith(day) and row.date_time > hot["listed_at"]:
                out.append(Mismatch(
                    kind="hotlisted_card", card_no=card_no, terminal_id=row.terminal_id,
                    transaction_id=tx_id,
                    detail=f"transaction at {row.date_time} after the card was listed at "
                           f"{hot['listed_at']} (hotlist version {hot['version']}; the "
                           f"terminal had version {row.hotlist_version})"))
    today = [r for _, r in history if r.date_time.startswith(day)]
    return CardDay(card_no=card_no, registered=reg is not None, issued_balance_fen=issued,
                   expected_balance_fen=expected, last_reported_balance_fen=last,
                   **_totals(today))


def reconcile(inp: ReconInputs) -> Reconciliation:
    """The reconciliation of ``inp.day`` (see the module docstring)."""
    day = inp.day.isoformat()
    rows = [r for _, r in inp.day_rows]
    per_terminal: dict[str, list[TxRow]] = {}
    for r in rows:
        per_terminal.setdefault(r.terminal_id, []).append(r)
    mismatches: list[Mismatch] = []
    cards = [_card(inp, c, day, mismatches) for c in sorted({r.card_no for r in rows})]
    for flag in inp.flagged:
        mismatches.append(Mismatch(
            kind="flagged", card_no=flag["card_no"], terminal_id=flag["terminal_id"],
            flag_id=flag["id"], transaction_id=flag["existing_id"],
            detail=f"{flag['reason_code']}: {flag['reason']}"))
    mismatches.sort(key=lambda m: (m.card_no or "", m.transaction_id or 0, m.kind))
    return Reconciliation(
        date=inp.day, totals=DayTotals(**_totals(rows)),
        terminals=[TerminalDay(terminal_id=t, **_totals(per_terminal[t]))
                   for t in sorted(per_terminal)],
        cards=cards, mismatches=mismatches, ok=not mismatches)
