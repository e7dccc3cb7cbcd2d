"""The uploader marks a record uploaded only when clearing acknowledged it (issue 15 item 2).

Real parts: the real ``backoffice serve`` (SQLite, demo keys, every TAC checked), the product's
ClearingClient and Uploader, a journal with real transactions of the virtual card (in process).
Faults on the way come from the chaos suite's FaultTransport, scheduled per upload request.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.chaos.clearing import TOKEN, BackofficeProcess
from bench.chaos.uploads import FaultTransport
from cardsvc.clearing_client import (
    ClearingBadAnswer,
    ClearingClient,
    ClearingError,
    ClearingUnreachable,
)
from cardsvc.demo_issuer import install_demo_keys
from cardsvc.journal import Entry, Journal, NewEntry
from cardsvc.uploader import Uploader
from tests.cardsvc.rig import Rig


@pytest.fixture
def clearing(tmp_path: Path) -> Iterator[BackofficeProcess]:
    root = tmp_path / "clearing"
    server = BackofficeProcess(root, install_demo_keys(root / "keys" / "issuer_keys.toml"))
    server.start()
    yield server
    server.stop()


def uploader(clearing: BackofficeProcess, journal: Journal, *faults: str,
             batch_size: int = 500) -> tuple[Uploader, ClearingClient]:
    transport = FaultTransport(httpx.HTTPTransport(), clearing, random.Random(1), 0.0,
                               list(faults))
    client = ClearingClient(clearing.url, TOKEN, transport=transport)
    return Uploader(journal.path, client, batch_size=batch_size), client


def transactions(tmp_path: Path, card_no: str, n: int) -> tuple[Rig, list[int]]:
    """``n`` real purchases, then one completed entry without a TAC (as recovery writes one
    whose proof is gone): clearing rejects that one as malformed."""
    rig = Rig(tmp_path, card_no=card_no)
    ids = []
    for _ in range(n):
        rig.tick()
        ids.append(rig.terminal.purchase(100).entry_id)
    last = rig.journal.get(ids[-1])
    grey = rig.journal.begin(NewEntry(
        card_no=card_no, card_atc=last.card_atc + 50, terminal_id=last.terminal_id,
        ttsn=last.ttsn + 50, type="purchase", kind="canteen", amount_fen=100,
        balance_before_fen=last.balance_after_fen, date_time=last.when, alg="3des",
        hotlist_version=1))
    rig.journal.complete(grey, tac=b"", mac2=b"", mac2_verified=None, detail="recovered: no TAC")
    return rig, [*ids, grey]


@pytest.mark.parametrize("fault", ["drop response", "5xx", "garbled"])
def test_an_answer_that_does_not_come_back_marks_nothing(clearing: BackofficeProcess,
                                                         tmp_path: Path, fault: str) -> None:
    rig, ids = transactions(tmp_path, "4102000000000001", 2)
    up, client = uploader(clearing, rig.journal, fault)
    with client:
        with pytest.raises((ClearingError, ClearingUnreachable)):  # no answer, or a 5xx
            up.upload_once(rig.journal)
        assert [e.uploaded for e in rig.journal.entries()] == [False, False, False]
        assert rig.journal.entries()[2].dead_letter is None
        again = up.upload_once(rig.journal)
        stored = 2 if fault in ("drop response", "garbled") else 0  # stored before the fault
        assert (again.new, again.duplicate, again.rejected) == (2 - stored, stored, 1)
        assert [e.uploaded for e in rig.journal.entries()] == [True, True, False]
        grey = rig.journal.get(ids[2])
        assert grey.dead_letter and grey.dead_letter.startswith("malformed: tac:"), grey.dead_letter
        assert rig.journal.to_upload() == []
        assert up.upload_once(rig.journal).sent == 0
    rig.close()


def copy(entry: Entry, journal: Journal, *, tac: bool = True) -> int:
    """Write ``entry`` into another journal (a second copy of the record), completed."""
    new = journal.begin(NewEntry(
        card_no=entry.card_no, card_atc=entry.card_atc, terminal_id=entry.terminal_id,
        ttsn=entry.ttsn, type=entry.type, kind=entry.kind, amount_fen=entry.amount_fen,
        balance_before_fen=entry.balance_before_fen, date_time=entry.when,
        alg="sm4" if entry.alg == "sm4" else "3des", hotlist_version=entry.hotlist_version))
    journal.complete(new, tac=bytes.fromhex(entry.tac or "") if tac else b"", mac2=b"",
                     mac2_verified=None)
    return new


def test_new_duplicate_and_rejected_in_one_batch_are_marked_one_by_one(
        clearing: BackofficeProcess, tmp_path: Path) -> None:
    """One batch answered [duplicate, rejected, new]: each record is marked by its own
    outcome, in order."""
    rig, ids = transactions(tmp_path, "4102000000000001", 1)
    up, client = uploader(clearing, rig.journal)
    with client, Journal.open(tmp_path / "other.sqlite") as other:
        assert up.upload_once(rig.journal).new == 1  # the purchase is at clearing
        rig.tick()
        later = rig.terminal.purchase(100).entry_id  # not uploaded from here
        order = [copy(rig.journal.get(ids[0]), other),
                 copy(rig.journal.get(ids[1]), other, tac=False),
                 copy(rig.journal.get(later), other)]
        report = Uploader(other.path, client).upload_once(other)
        assert (report.sent, report.new, report.duplicate, report.rejected) == (3, 1, 1, 1)
        assert [other.get(i).uploaded for i in order] == [True, False, True]
        assert [bool(other.get(i).dead_letter) for i in order] == [False, True, False]
    rig.close()


def test_a_pass_of_its_own_opens_the_journal_and_refreshes_the_hotlist(
        clearing: BackofficeProcess, tmp_path: Path) -> None:
    """``cardsvc upload``'s way: no journal given. The pass also brings the hotlist."""
    rig, ids = transactions(tmp_path, "4102000000000001", 1)
    up, client = uploader(clearing, rig.journal)
    with client:
        client.report_lost("4102000000000002")
        report = up.upload_once()
        assert (report.new, report.rejected, report.hotlist_version) == (1, 1, 1)
        assert report.remaining == 0
    assert rig.journal.get(ids[0]).uploaded and not rig.journal.get(ids[1]).uploaded
    assert rig.journal.is_hotlisted("4102000000000002")
    rig.close()


class Rewrite(httpx.BaseTransport):
    """Between the uploader and the real clearing: the answer to an upload, rewritten."""

    def __init__(self, change: Callable[[dict[str, Any]], object]) -> None:
        self.inner = httpx.HTTPTransport()
        self.change = change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        if request.url.path != "/v1/transactions" or request.method != "POST":
            return httpx.Response(response.status_code, headers=response.headers, content=body)
        return httpx.Response(200, json=self.change(json.loads(body)))


def _drop_last(doc: dict[str, Any]) -> object:
    return {**doc, "outcomes": doc["outcomes"][:-1]}


def _swap(doc: dict[str, Any]) -> object:
    first, second, *rest = doc["outcomes"]
    return {**doc, "outcomes": [second, first, *rest]}


@pytest.mark.parametrize("change", [
    _drop_last,                                        # one outcome fewer than records
    _swap,                                             # outcomes not in the records' order
    lambda doc: {**doc, "outcomes": {"0": doc["outcomes"][0]}},  # not a list
    lambda doc: [doc],                                 # not an object
], ids=["fewer", "reordered", "not a list", "not an object"])
def test_an_answer_that_does_not_match_the_batch_marks_nothing(
        clearing: BackofficeProcess, tmp_path: Path,
        change: Callable[[dict[str, Any]], object]) -> None:
    rig, _ = transactions(tmp_path, "4102000000000001", 2)
    with ClearingClient(clearing.url, TOKEN, transport=Rewrite(change)) as client, \
            pytest.raises(ClearingBadAnswer):
        Uploader(rig.journal.path, client).upload_once(rig.journal)
    assert [e.uploaded for e in rig.journal.entries()] == [False, False, False]
    assert all(e.dead_letter is None for e in rig.journal.entries())
    rig.close()

