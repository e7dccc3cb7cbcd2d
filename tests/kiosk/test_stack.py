"""The kiosk on the real stack (pytest-qt, offscreen): the hall back office over HTTP, the
virtual printer over TCP, the virtual camera, the ID-card reader on a pty, each its own
process; and the faults: the printer out of paper (the receipt waits, the screen says so, it
prints when paper is back), the back office down (the receipt says pending, the outbox sends
it once it is back), the camera gone (the screen says what to do)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.devices import Stack, receipt_files
from demo.journey import Journey
from kiosk.ports import CaseRef
from simulators.printer.server import write_paper_file
from tests.kiosk.screens import artifacts
from tests.kiosk.stack import kiosk_on, running_stack, to_materials


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack"), Stack.start_hall, Stack.start_printer,
                       Stack.start_camera, Stack.start_idcard) as s:
        yield s


@pytest.fixture
def journey(stack: Stack, qapp: Any, tmp_path: Path) -> Iterator[Journey]:
    with kiosk_on(stack, tmp_path) as (j, _):
        yield j


def _to_review(j: Journey) -> Any:
    apply = to_materials(j)
    j.scan_materials()
    apply.next()
    j.wait(lambda: apply.stepCode == "review", "review")
    return apply


def _shot(j: Journey, name: str) -> None:
    assert j.kiosk is not None
    j.settle()
    assert j.kiosk.window.grabWindow().save(str(artifacts() / f"stack-{name}.png"))


def test_printer_out_of_paper_the_receipt_waits_then_prints(journey: Journey,
                                                           stack: Stack) -> None:
    apply = _to_review(journey)
    write_paper_file(stack.printer_out, "out")
    before = len(receipt_files(stack.printer_out))
    try:
        apply.next()
        journey.wait(lambda: apply.stepCode == "receipt", "the receipt", 30)
        journey.wait(lambda: "缺纸" in apply.printStatus, "the paper-out notice", 30)
        _shot(journey, "paper-out")
        assert len(receipt_files(stack.printer_out)) == before  # nothing came out
    finally:
        write_paper_file(stack.printer_out, "ok")
    journey.wait(lambda: "打印完成" in apply.printStatus, "the receipt printed", 60)
    journey.wait(lambda: len(receipt_files(stack.printer_out)) == before + 1, "the paper", 30)
    text = receipt_files(stack.printer_out)[-1].with_suffix(".txt")
    journey.wait(text.exists, "the decoded text")
    assert apply.number in text.read_text("utf-8")


def test_back_office_down_the_receipt_is_pending_and_sent_later(journey: Journey,
                                                                stack: Stack) -> None:
    apply = _to_review(journey)
    stack.stop_child("hall")
    try:
        apply.next()
        journey.wait(lambda: apply.stepCode == "receipt", "the receipt", 30)
        assert apply.pending and apply.number.startswith("K")
        assert apply.qr.startswith("image://pic/receipt_qr")
        _shot(journey, "pending-receipt")
        hall = journey.hall
        assert hall is not None
        waiting = hall.outbox.waiting()
        assert [i.kind for i in waiting] == ["application"]
        token = waiting[0].client_token
        assert hall.progress(CaseRef(token=token)).status == "pending"
    finally:
        stack.start_hall()  # the same port, database and tokens
    assert journey.sender is not None
    journey.sender.wake()  # (else it tries again by itself, within a minute)
    journey.wait(lambda: not hall.outbox.waiting(), "the sender thread to send it", 90)
    p = hall.progress(CaseRef(token=token))
    assert p.status == "submitted" and len(p.number) == 14
    assert hall.outbox.counts() == {"sent": 1}


def test_camera_gone_the_screen_says_what_to_do(journey: Journey, stack: Stack) -> None:
    vm: Any = journey.kiosk.vm
    stack.stop_camera()
    try:
        to_materials(journey)
        vm.apply.materials.scan("application")
        journey.wait(lambda: "设备暂时不能使用" in vm.apply.materials.verdict, "the words", 20)
        _shot(journey, "camera-gone")
    finally:
        stack.start_camera()
