"""Status you can trust: DLE EOT answers, and never "ok" from a printer that did not answer."""

from __future__ import annotations

import time

import pytest
from escpos.printer import Dummy

from drivers.printer import (
    Document,
    Printer,
    PrinterNotReady,
    PrinterState,
    PrinterUnavailable,
)
from drivers.printer.status import interpret, query
from kiosk.ctl.messages import MESSAGES
from simulators.printer import VirtualPrinter


@pytest.mark.parametrize(("answers", "state", "detail"), [
    ({1: 0x12, 4: 0x12}, PrinterState.OK, ""),
    ({1: 0x12, 4: 0x1E}, PrinterState.PAPER_NEAR_END, "near-end"),
    ({1: 0x1A, 4: 0x7E, 2: 0x32, 3: 0x12}, PrinterState.PAPER_OUT, "paper end"),
    ({1: 0x1A, 4: 0x12, 2: 0x16, 3: 0x12}, PrinterState.OFFLINE, "cover open"),
    ({1: 0x1A, 4: 0x12, 2: 0x52, 3: 0x1A}, PrinterState.OFFLINE, "auto-cutter error"),
    ({1: 0x12}, PrinterState.UNKNOWN, "incomplete"),
])
def test_interpret(answers, state, detail):
    status = interpret(answers)
    assert status.state is state
    assert detail in status.detail


class ScriptedLink:
    """A fake link answering from a script (unit test of the status layer only)."""

    def __init__(self, answers: dict[int, bytes]) -> None:
        self.answers, self.sent = answers, list[bytes]()
        self._next = b""

    def write(self, data: bytes) -> None:
        self.sent.append(data)
        self._next = self.answers.get(data[-1], b"")

    def read(self, size: int, timeout: float) -> bytes:
        answer, self._next = self._next, b""
        return answer

    def discard_input(self) -> None:
        pass


def test_query_asks_the_offline_cause_only_when_offline():
    link = ScriptedLink({1: b"\x12", 4: b"\x12"})
    assert query(link, 1.0).state is PrinterState.OK
    assert link.sent == [b"\x10\x04\x01", b"\x10\x04\x04"]
    link = ScriptedLink({1: b"\x1a", 4: b"\x12", 2: b"\x16", 3: b"\x12"})
    assert query(link, 1.0).detail == "cover open"
    assert len(link.sent) == 4


def test_query_no_answer_or_garbage_is_unknown_never_ok():
    assert query(ScriptedLink({}), 0.1).state is PrinterState.UNKNOWN
    garbage = query(ScriptedLink({1: b"\x00", 4: b"\x12"}), 0.1)
    assert garbage.state is PrinterState.UNKNOWN and "0x00" in garbage.detail
    assert not garbage.ready


def test_python_escpos_calls_a_silent_printer_adequate():
    """Why the status layer exists: python-escpos' paper_status() on no answer."""
    class Silent(Dummy):  # type: ignore[misc]
        def _read(self) -> bytes:
            return b""

    assert Silent().paper_status() == 2  # "adequate"


def test_paper_states_of_the_virtual_printer(virtual_printer, printer):
    assert printer.status().state is PrinterState.OK
    virtual_printer.paper = "near-end"
    status = printer.status()
    assert status.state is PrinterState.PAPER_NEAR_END and status.ready
    virtual_printer.paper = "out"
    status = printer.status()
    assert status.state is PrinterState.PAPER_OUT and not status.ready
    assert MESSAGES.zh(status) == "打印机缺纸，请联系工作人员"


def test_printer_that_never_answers_is_unknown_within_the_timeout(silent_port):
    printer = Printer(f"tcp://127.0.0.1:{silent_port}", timeout=0.5)
    started = time.monotonic()
    status = printer.status()
    elapsed = time.monotonic() - started
    assert status.state is PrinterState.UNKNOWN and not status.ready
    assert "no answer" in status.detail
    assert elapsed < 1.0
    started = time.monotonic()
    with pytest.raises(PrinterNotReady) as refused:
        printer.print(Document().text("不应打印").cut())
    assert refused.value.status.state is PrinterState.UNKNOWN
    assert time.monotonic() - started < 1.0


def test_printer_that_is_not_there_is_offline(closed_port):
    printer = Printer(f"tcp://127.0.0.1:{closed_port}", timeout=0.5)
    status = printer.status()
    assert status.state is PrinterState.OFFLINE
    assert "refused" in status.detail.lower()
    with pytest.raises(PrinterUnavailable):
        printer.print(Document().text("x"))


def test_unreachable_host_gives_up_within_the_timeout():
    printer = Printer("tcp://10.255.255.1:9100", timeout=0.5)  # nothing routes there
    started = time.monotonic()
    status = printer.status()
    assert status.state in (PrinterState.OFFLINE, PrinterState.UNKNOWN)
    assert time.monotonic() - started < 1.5


def test_virtual_printer_that_ignores_status_requests(tmp_path):
    with VirtualPrinter(tmp_path, answer_status=False) as silent:
        status = Printer(silent.url, timeout=0.3).status()
    assert status.state is PrinterState.UNKNOWN
