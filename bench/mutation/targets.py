"""What the mutation check mutates, and which tests must kill each mutant (issue 15 item 3).

* all of ``cardsvc/recovery.py``;
* the decision points of issue 15 item 2: the terminal's order "journal pending, then
  DEBIT/CREDIT" and what an answer to DEBIT/CREDIT means for the entry (``terminal.py``), the
  journal's unique key and one completion per counter (``journal.py``, its SQL included), and
  the uploader's acknowledged-only marking (``uploader.py``, ``clearing_client.py``).

Each target runs only the test files that exercise it (``pytest -x``: the first failure kills).
``EXPLAINED`` lists the survivors that are harmless, each with the reason; any other survivor
fails the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextMutant:
    """A change to the source text itself (SQL inside strings), applied once, exactly."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    functions: list[str] | None
    """``name`` or ``Class.name``; None: every function and method of the file."""
    tests: list[str]
    text: list[TextMutant] = field(default_factory=list)


T = "tests/cardsvc/"
RECOVERY_TESTS = [T + "test_recovery_match.py", T + "test_recovery_paths.py",
                  T + "test_recovery.py", T + "test_money_decisions.py",
                  T + "test_recovery_terminals.py"]
TERMINAL_TESTS = [T + "test_money_decisions.py", T + "test_recovery.py", T + "test_terminal.py",
                  T + "test_recovery_match.py", T + "test_recovery_paths.py"]
JOURNAL_TESTS = [T + "test_journal_keys.py", T + "test_journal.py", T + "test_money_decisions.py",
                 T + "test_recovery_match.py", T + "test_uploader_acks.py"]
UPLOADER_TESTS = [T + "test_uploader_acks.py"]

_KEY = "UNIQUE (card_no, counter_kind, card_atc, terminal_id, ttsn)"
_KEY_COLUMNS = ("card_no", "counter_kind", "card_atc", "terminal_id", "ttsn")
_ONE = "ON entries (card_no, counter_kind, card_atc) WHERE status = 'completed'"
_OWNER = ("WHERE card_no = ? AND counter_kind = ? AND card_atc = ?\"\n"
          "            \" AND status = 'completed'")
_TO_UPLOAD = ("WHERE e.status = 'completed' AND e.uploaded = 0\"\n"
              "            \" AND d.entry_id IS NULL")


def _drop_each(text: str, parts: tuple[str, ...], sep: str, label: str) -> list[TextMutant]:
    out = []
    for part in parts:
        rest = [p for p in parts if p != part]
        out.append(TextMutant(f"{label} without {part}", text,
                              text.replace(sep.join(parts), sep.join(rest))))
    return out


JOURNAL_SQL: list[TextMutant] = [
    *_drop_each(_KEY, _KEY_COLUMNS, ", ", "unique key"),
    TextMutant("no unique key", _KEY, "CHECK (1 = 1)"),
    *_drop_each(_ONE, ("card_no", "counter_kind", "card_atc"), ", ",
                "one completion per counter"),
    TextMutant("one completion per counter: any status", _ONE,
               "ON entries (card_no, counter_kind, card_atc)"),
    TextMutant("one completion per counter: not unique", "CREATE UNIQUE INDEX IF NOT EXISTS "
               "entries_one_completion_per_counter", "CREATE INDEX IF NOT EXISTS "
               "entries_one_completion_per_counter"),
    TextMutant("owner of a counter: any card", _OWNER, _OWNER.replace("card_no = ? AND ", "")
               .replace("WHERE", "WHERE ? IS NOT NULL AND")),
    TextMutant("owner of a counter: any kind", _OWNER,
               _OWNER.replace("counter_kind = ?", "? IS NOT NULL")),
    TextMutant("owner of a counter: any counter", _OWNER,
               _OWNER.replace("card_atc = ?", "? IS NOT NULL")),
    TextMutant("owner of a counter: any status", _OWNER,
               _OWNER.replace(" AND status = 'completed'", "")),
    TextMutant("to upload: any status", _TO_UPLOAD,
               _TO_UPLOAD.replace("e.status = 'completed' AND ", "")),
    TextMutant("to upload: uploaded too", _TO_UPLOAD,
               _TO_UPLOAD.replace(" AND e.uploaded = 0", "")),
    TextMutant("to upload: dead letters too", _TO_UPLOAD,
               _TO_UPLOAD.replace(" AND d.entry_id IS NULL", "")),
    TextMutant("mark uploaded: sets 0", "SET uploaded = 1, uploaded_at", "SET uploaded = 0, "
               "uploaded_at"),
    TextMutant("unresolved: not unknown", "where.append(\"e.status IN ('pending', 'unknown')\")",
               "where.append(\"e.status IN ('pending')\")"),
    TextMutant("unresolved: not pending", "where.append(\"e.status IN ('pending', 'unknown')\")",
               "where.append(\"e.status IN ('unknown')\")"),
]

ACK_TEXT = [
    TextMutant("acknowledged: not duplicate", 'return self.status in ("new", "duplicate")',
               'return self.status in ("new",)'),
    TextMutant("acknowledged: rejected too", 'return self.status in ("new", "duplicate")',
               'return self.status in ("new", "duplicate", "rejected")'),
]

TARGETS: list[Target] = [
    Target("recovery", "cardsvc/recovery.py", None, RECOVERY_TESTS),
    Target("terminal", "cardsvc/terminal.py",
           ["CardTerminal._ready_for_money", "CardTerminal._debit", "CardTerminal._committing",
            "CardTerminal._verify_mac2", "CardTerminal.load", "CardTerminal.recover"],
           TERMINAL_TESTS),
    Target("journal", "cardsvc/journal.py",
           ["_one_completion_per_counter", "NewEntry.counter_kind", "NewEntry.balance_after_fen",
            "Journal.open", "Journal.begin", "Journal._set", "Journal.complete", "Journal.fail",
            "Journal.mark_unknown", "Journal.mark_uploaded", "Journal.completed_owner",
            "Journal.entries", "Journal.unresolved", "Journal.to_upload"],
           JOURNAL_TESTS, JOURNAL_SQL),
    Target("uploader", "cardsvc/uploader.py", ["Uploader.upload_once"], UPLOADER_TESTS),
    Target("clearing client", "cardsvc/clearing_client.py",
           ["RecordOutcome.acknowledged", "ClearingClient.upload"], UPLOADER_TESTS, ACK_TEXT),
]

_TYPE_NARROWING = "an assertion for the type checker that cannot fail"
_REASON_TEXT = ("a fallback of a dead letter's reason for when clearing leaves out its code or "
                "reason; clearing always gives both for a rejection (upload contract; the tests "
                "check the dead letter's text), and the record is dead-lettered and left "
                "unmarked either way")
_STRICT_ZIP = ("zip(..., strict=True) of a batch with its outcomes: ClearingClient.upload "
               "already refuses an answer whose outcomes do not match the records one for one "
               "(tested), so the lengths are always equal here")

EXPLAINED: dict[str, str] = {
    "CardTerminal._debit: delete statement: `assert line is not None` -> `pass`":
        _TYPE_NARROWING + " (ride() always passes its line to a compound debit)",
    "Journal.begin: delete statement: `assert cur.lastrowid is not None` -> `pass`":
        _TYPE_NARROWING + " (a successful INSERT has a rowid)",
    "Journal.open: delete statement: `conn.execute(f'PRAGMA synchronous={synchronous}')` -> "
    "`pass`": "equivalent for the card service: it asks for FULL, which is SQLite's own default "
              "(also in WAL mode, this build); only the journal benchmark passes another value",
    "Journal._set: condition always True: `cols` -> `True`":
        "every caller (complete, fail, mark_unknown) sets at least one field: never empty",
    "Uploader.upload_once: drop condition from or: `journal` -> `(dropped)`":
        "equivalent: the pass opens a second connection to the same journal file even when "
        "given one; its marks are committed, so the caller's connection sees them (the extra "
        "connection is closed when collected)",
    "Uploader.upload_once: flip boolean: `True` -> `False`": _STRICT_ZIP,
    "Uploader.upload_once: flip boolean: `True` -> `False` #2": _STRICT_ZIP,
    "Uploader.upload_once: drop condition from or: `'rejected'` -> `(dropped)`": _REASON_TEXT,
    "Uploader.upload_once: drop condition from or: `''` -> `(dropped)`": _REASON_TEXT,
    "Uploader.upload_once: delete statement: `log.warning('clearing rejected a record', "
    "extra={'entry_id': entry.id, 'reason': reason})` -> `pass`":
        "a log line; the reason is kept in the dead letter, which the tests check",
    "Uploader.upload_once: delete statement: `if own:...` -> `pass`":
        "closing the pass's own journal connection after its marks were committed: a leak "
        "(until collected), not a decision",
    "Uploader.upload_once: condition always False: `own` -> `False`":
        "closing the pass's own journal connection after its marks were committed: a leak "
        "(until collected), not a decision",
    "Uploader.upload_once: delete statement: `jr.close()` -> `pass`":
        "closing the pass's own journal connection after its marks were committed: a leak "
        "(until collected), not a decision",
}
"""Survivors that are harmless: the mutant's label (as the run prints it) -> why."""
