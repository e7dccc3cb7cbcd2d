"""The durable print queue on its own: states, keys, recovery, reprint, persistence."""

from __future__ import annotations

import sqlite3

import pytest

from drivers.printer import Document, JobState, PrintQueue, QueueError
from drivers.printer.queue import REPRINT_BANNER, JobNote


def doc(text: str = "回执") -> Document:
    return Document(title=text).text(text).cut()


def test_jobs_survive_reopening_and_keep_order(tmp_path):
    queue = PrintQueue.in_dir(tmp_path)
    first, second = queue.submit(doc("一")), queue.submit(doc("二"))
    again = PrintQueue.in_dir(tmp_path)
    assert again.next_pending() == first
    assert again.document(second.id) == doc("二")
    assert [j.id for j in again.jobs()] == [second.id, first.id]
    with sqlite3.connect(queue.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_key_makes_one_job(tmp_path):
    queue = PrintQueue.in_dir(tmp_path)
    a = queue.submit(doc(), key="card:000000000001:123:canteen")
    b = queue.submit(doc(), key="card:000000000001:123:canteen")
    assert a.id == b.id and len(queue.jobs()) == 1


def test_state_machine_refuses_impossible_moves(tmp_path):
    queue = PrintQueue.in_dir(tmp_path)
    job = queue.submit(doc())
    with pytest.raises(QueueError):
        queue.mark_done(job.id)  # never sent
    queue.mark_waiting(job.id, JobNote.PAPER_OUT, "paper-out (paper end sensor)")
    waiting = queue.get(job.id)
    assert (waiting.note, waiting.message) == (JobNote.PAPER_OUT, "paper-out (paper end sensor)")
    sending = queue.mark_sending(job.id)
    assert (sending.state, sending.attempts, sending.note) == (JobState.SENDING, 1, None)
    with pytest.raises(QueueError):
        queue.mark_sending(job.id)  # already on its way: never twice
    done = queue.mark_done(job.id)
    assert done.state is JobState.DONE and done.printed is not None
    with pytest.raises(QueueError):
        queue.get(999)


def test_recover_makes_interrupted_jobs_uncertain_and_reprint_is_explicit(tmp_path):
    queue = PrintQueue.in_dir(tmp_path)
    job = queue.submit(doc("凭条"))
    queue.mark_sending(job.id)  # ... and the process dies here
    assert PrintQueue.in_dir(tmp_path).recover() == [job.id]
    assert queue.get(job.id).state is JobState.UNCERTAIN
    assert queue.next_pending() is None  # not printed again by itself
    copy = queue.reprint(job.id)
    assert (copy.state, copy.reprint_of) == (JobState.PENDING, job.id)
    blocks = queue.document(copy.id).blocks
    assert blocks[0].text == REPRINT_BANNER  # type: ignore[union-attr]
    assert blocks[1:] == doc("凭条").blocks
    with pytest.raises(QueueError, match="print by itself"):
        queue.reprint(copy.id)


def test_unopenable_queue_is_a_queue_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(QueueError):
        PrintQueue(tmp_path / "file" / "q.sqlite3")


def test_a_queue_written_before_job_notes_opens_and_keeps_its_jobs(tmp_path):
    path = tmp_path / "print-queue.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE,"
                   " title TEXT NOT NULL, document TEXT NOT NULL, state TEXT NOT NULL,"
                   " message TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,"
                   " created REAL NOT NULL, updated REAL NOT NULL, printed REAL,"
                   " reprint_of INTEGER REFERENCES jobs(id))")
        db.execute("INSERT INTO jobs (title, document, state, created, updated)"
                   " VALUES ('old', ?, 'pending', 1, 1)", (doc("旧").to_json(),))
    queue = PrintQueue(path)
    old = queue.next_pending()
    assert old is not None and old.note is None and queue.document(old.id) == doc("旧")
    assert queue.mark_waiting(old.id, JobNote.OFFLINE).note is JobNote.OFFLINE
