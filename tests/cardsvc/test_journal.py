import datetime as dt
import sqlite3

import pytest

from cardsvc.journal import Journal, JournalError, NewEntry


def _new(atc: int = 5, ttsn: int = 16, type_: str = "purchase", amount: int = 1250) -> NewEntry:
    return NewEntry(card_no="4102000000000001", card_atc=atc, terminal_id="410200000001",
                    ttsn=ttsn, type=type_, kind="canteen", amount_fen=amount,  # type: ignore[arg-type]
                    balance_before_fen=10000, date_time=dt.datetime(2026, 11, 26, 12, 0, 0),
                    alg="3des", hotlist_version=1)


def test_entry_lifecycle_and_upload_record(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        eid = j.begin(_new())
        assert j.get(eid).status == "pending"
        assert [e.id for e in j.unresolved("4102000000000001")] == [eid]
        assert j.to_upload() == []
        j.complete(eid, tac=bytes.fromhex("56416C95"), mac2=bytes.fromhex("50EF395D"),
                   mac2_verified=True)
        e = j.get(eid)
        assert (e.status, e.tac, e.balance_after_fen) == ("completed", "56416C95", 8750)
        assert e.upload_record() == {
            "card_no": "4102000000000001", "card_atc": 5, "terminal_id": "410200000001",
            "ttsn": 16, "type": "purchase", "amount_fen": 1250, "balance_after_fen": 8750,
            "date_time": "2026-11-26T12:00:00", "tac": "56416C95", "alg": "3des",
            "hotlist_version": 1}
        assert [x.id for x in j.to_upload()] == [eid]
        j.mark_uploaded([eid])
        assert j.to_upload() == [] and j.get(eid).uploaded


def test_journal_settings_are_durable(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.begin(_new())
    conn = sqlite3.connect(tmp_path / "j.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Journal.open(tmp_path / "j.sqlite") as j:  # reopened: the pending entry survived
        assert len(j.unresolved()) == 1
        assert j._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_unique_key_refuses_a_second_record_of_the_same_transaction(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        j.begin(_new())
        with pytest.raises(JournalError):
            j.begin(_new())
        j.begin(_new(type_="load"))  # a load counts on the other counter: not the same key


def test_dead_letters_are_kept_and_not_uploaded_again(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        eid = j.begin(_new())
        j.complete(eid, tac=b"\0" * 4, mac2=b"\0" * 4, mac2_verified=False)
        j.dead_letter(eid, "TAC does not verify")
        assert j.to_upload() == []
        assert j.get(eid).dead_letter == "TAC does not verify"
        assert j.counts()["dead_letters"] == 1


def test_failed_and_unknown(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        a, b = j.begin(_new(atc=1, ttsn=1)), j.begin(_new(atc=2, ttsn=2))
        j.fail(a, "card refused")
        j.mark_unknown(b, "answer lost")
        assert [e.id for e in j.unresolved()] == [b]
        counts = j.counts()
        assert (counts["failed"], counts["unknown"]) == (1, 1)


def test_hotlist_only_moves_forward(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        assert j.hotlist_version() == 0
        assert j.replace_hotlist(3, ["4102000000000009", "4102000000000004"])
        assert not j.replace_hotlist(2, [])
        assert j.hotlist() == ["4102000000000004", "4102000000000009"]
        assert j.is_hotlisted("4102000000000004") and not j.is_hotlisted("4102000000000001")


def test_load_sequence_grows(tmp_path) -> None:
    with Journal.open(tmp_path / "j.sqlite") as j:
        assert [j.next_load_seq() for _ in range(3)] == [1, 2, 3]
    with Journal.open(tmp_path / "j.sqlite") as j:
        assert j.next_load_seq() == 4


def test_unwritable_journal_is_a_clear_error(tmp_path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.open(target / "j.sqlite")
