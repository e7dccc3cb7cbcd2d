"""Done when: with the virtual printer out of paper, printing reports it, keeps the job, and
prints it once the paper is back; nothing prints twice. Through TCP, with the real worker."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer import (
    Document,
    JobState,
    Printer,
    PrintQueue,
    PrintWorker,
    QueueError,
)
from drivers.printer.queue import REPRINT_BANNER
from drivers.printer.render import expected_receipts
from kiosk.ctl.messages import MESSAGES
from kiosk.receipts import application_receipt
from simulators.printer import VirtualPrinter
from tests.printer.samples import APPLICATION

RETRY = 0.05


@pytest.fixture
def queue(tmp_path: Path) -> PrintQueue:
    return PrintQueue.in_dir(tmp_path / "var")


@pytest.fixture
def worker(printer: Printer, queue: PrintQueue) -> Iterator[PrintWorker]:
    with PrintWorker(printer, queue, retry_s=RETRY) as running:
        yield running


def settle(seconds: float = 0.3) -> None:
    """Give the worker several retry periods (to see that something does NOT happen)."""
    time.sleep(seconds)


def test_paper_out_job_waits_then_prints_exactly_once(virtual_printer, printer, worker):
    virtual_printer.paper = "out"
    doc = application_receipt(APPLICATION)
    started = time.monotonic()
    job = worker.submit(doc, key=f"app:{APPLICATION.number}")
    assert time.monotonic() - started < 0.2  # the caller never waits on the printer
    settle()
    waiting = worker.job(job.id)
    assert waiting.state is JobState.PENDING
    assert waiting.note is not None
    assert MESSAGES.zh(waiting.note) == "打印机缺纸，回执将在打印机恢复后自动打印"
    assert worker.printer_status is not None and not worker.printer_status.ready
    assert virtual_printer.receipts == []
    assert virtual_printer.decoder.status_requests >= 2  # it kept asking

    virtual_printer.paper = "ok"
    done = worker.wait(job.id, timeout=5)
    assert done.state is JobState.DONE and done.attempts == 1
    settle()
    (receipt,) = virtual_printer.wait_receipts(1)
    assert len(virtual_printer.receipts) == 1  # nothing printed twice
    assert receipt.bytes_while_paper_out == 0
    assert receipt.text == expected_receipts(doc, printer.profile)[0]
    assert receipt.qr_codes == [APPLICATION.number]
    assert worker.submit(doc, key=f"app:{APPLICATION.number}").id == job.id  # same key
    settle(0.1)
    assert len(virtual_printer.receipts) == 1


def test_offline_printer_job_prints_when_the_printer_comes_back(tmp_path, closed_port, queue):
    printer = Printer(f"tcp://127.0.0.1:{closed_port}", timeout=0.5)
    with PrintWorker(printer, queue, retry_s=RETRY) as worker:
        job = worker.submit(Document(title="t").text("离线后补打").cut())
        settle()
        note = worker.job(job.id).note
        assert note is not None and MESSAGES.zh(note) == "打印机离线，回执将在打印机恢复后自动打印"
        with VirtualPrinter(tmp_path / "paper", port=closed_port) as sim:
            assert worker.wait(job.id, timeout=5).state is JobState.DONE
            (receipt,) = sim.wait_receipts(1)
    assert receipt.text == "离线后补打"


def test_jobs_print_in_order(virtual_printer, worker):
    jobs = [worker.submit(Document(title=str(i)).text(f"第{i}张").cut()) for i in range(3)]
    for job in jobs:
        assert worker.wait(job.id, 5).state is JobState.DONE
    assert [r.text for r in virtual_printer.wait_receipts(3)] == ["第0张", "第1张", "第2张"]


def test_crash_while_sending_is_not_reprinted_by_itself(virtual_printer, printer, queue):
    job = queue.submit(Document(title="交易").text("交易凭条").cut())
    queue.mark_sending(job.id)  # the previous kiosk process died after this commit
    with PrintWorker(printer, queue, retry_s=RETRY) as worker:
        settle()
        assert worker.job(job.id).state is JobState.UNCERTAIN
        assert virtual_printer.receipts == []
        copy = queue.reprint(job.id)  # a person asked for it
        assert worker.wait(copy.id, 5).state is JobState.DONE
    (receipt,) = virtual_printer.wait_receipts(1)
    assert receipt.text.splitlines()[0].strip() == REPRINT_BANNER
    assert receipt.text.splitlines()[1] == "交易凭条"


def test_link_lost_after_sending_is_uncertain_not_retried(queue):
    """A printer that answers the status, takes the data, then vanishes before confirming."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    connections: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                for _ in range(2):  # DLE EOT 1, DLE EOT 4: "ready"
                    request = b""
                    while len(request) < 3:
                        request += conn.recv(3 - len(request))
                    conn.sendall(b"\x12")
                connections.append(conn.recv(65536))  # the receipt; then the link is gone

    threading.Thread(target=serve, daemon=True).start()
    try:
        with PrintWorker(Printer(f"tcp://127.0.0.1:{port}", timeout=0.5), queue,
                         retry_s=RETRY) as worker:
            job = worker.submit(Document(title="x").text("可能已打印").cut())
            final = worker.wait(job.id, 5)
            settle()
    finally:
        server.close()
    assert final.state is JobState.UNCERTAIN and "partly printed" in final.message
    assert len(connections) == 1  # sent once, never again


def test_a_document_that_cannot_be_laid_out_fails_and_the_queue_moves_on(
        virtual_printer, worker):
    bad = worker.submit(Document(title="bad").qr("x" * 3000, ec="H"))
    good = worker.submit(Document(title="good").text("下一张").cut())
    assert worker.wait(bad.id, 5).state is JobState.FAILED
    assert worker.wait(good.id, 5).state is JobState.DONE
    assert [r.text for r in virtual_printer.wait_receipts(1)] == ["下一张"]


def test_only_one_worker_per_queue(printer, queue, worker):
    with pytest.raises(QueueError, match="another print worker"):
        PrintWorker(printer, queue).start()
