"""Printer URLs and the links behind them: TCP, serial (through the simulator's pty), file, USB."""

from __future__ import annotations

import pytest

from drivers.printer import Document, Printer, PrinterConfigError, PrinterState, get_profile
from drivers.printer.render import expected_receipts, render
from drivers.printer.transport import parse_url
from simulators.printer import VirtualPrinter
from tests.printer.samples import all_documents


@pytest.mark.parametrize(("url", "fields"), [
    ("tcp://192.168.1.50", {"scheme": "tcp", "host": "192.168.1.50", "port": 9100}),
    ("tcp://printer.local:9101", {"host": "printer.local", "port": 9101}),
    ("serial:///dev/ttyUSB0?baudrate=19200", {"path": "/dev/ttyUSB0"}),
    ("usb://0416:5011", {"vendor": 0x0416, "product": 0x5011}),
    ("usb://0x04b8:0x0202?in_ep=0x81", {"vendor": 0x04B8, "product": 0x0202}),
    ("file:///dev/usb/lp0", {"scheme": "file", "path": "/dev/usb/lp0"}),
])
def test_good_urls(url, fields):
    parsed = parse_url(url)
    for name, value in fields.items():
        assert getattr(parsed, name) == value


@pytest.mark.parametrize("url", [
    "lpt://1", "tcp://", "tcp://host:99999", "serial://dev/ttyUSB0", "usb://zz:11",
    "serial:///dev/ttyS0?baudrate=fast", "serial:///dev/ttyS0?flow=maybe", "file:relative",
])
def test_bad_urls_say_what_is_wrong(url):
    with pytest.raises(PrinterConfigError, match=r"printer URL|flow"):
        parse_url(url)


def test_timeout_must_be_positive():
    with pytest.raises(PrinterConfigError):
        Printer("tcp://127.0.0.1", timeout=0)


def test_file_link_writes_exactly_the_rendered_bytes(tmp_path):
    path = tmp_path / "lp0"
    path.touch()
    printer = Printer(f"file://{path}", "generic-80")
    doc = all_documents()["card-canteen"]
    status = printer.status()
    assert status.state is PrinterState.UNKNOWN and "cannot read" in status.detail
    report = printer.print(doc)
    assert not report.confirmed and report.status_before is None
    assert path.read_bytes() == render(doc, get_profile("generic-80"))


def test_serial_link_through_the_virtual_printers_pty(tmp_path):
    pty = tmp_path / "ttyPRN"
    with VirtualPrinter(tmp_path / "paper", pty_path=pty) as sim:
        printer = Printer(f"serial://{pty}?baudrate=115200", timeout=1.0)
        assert printer.status().state is PrinterState.OK
        doc = all_documents()["application"]
        assert printer.print(doc).confirmed
        (receipt,) = sim.wait_receipts(1)
    assert receipt.text == expected_receipts(doc, printer.profile)[0]
    assert receipt.qr_codes == ["KF20240506000123"]


def test_status_off_sends_without_asking(virtual_printer):
    printer = Printer(virtual_printer.url + "?status=off")
    assert printer.status().state is PrinterState.UNKNOWN
    virtual_printer.paper = "out"
    report = printer.print(Document().text("盲打").cut())  # the caller chose not to ask
    assert not report.confirmed
    (receipt,) = virtual_printer.wait_receipts(1)
    assert receipt.bytes_while_paper_out > 0  # the simulator saw it print without paper


def test_usb_without_pyusb_is_offline_in_plain_words():
    status = Printer("usb://0416:5011").status()
    assert status.state is PrinterState.OFFLINE
    assert "pyusb" in status.detail or "USB" in status.detail
