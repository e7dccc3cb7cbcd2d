"""The cashier's till and the bus validator as people use them, through the real pcscd: the till
in a pseudo-terminal against `cardsvc serve` (receipt on the virtual printer), the validator as
its own process (taps, passback, the reader's buzzer/LED recorded by the virtual reader)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulators.pcscd import READER_NAMES, PcscdProcess
from simulators.printer import VirtualPrinter
from tests.cardsvc.test_e2e_clearing import clearing  # noqa: F401 - the fixture
from tests.cardsvc.test_e2e_service import Service

pytestmark = pytest.mark.pcscd
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Pty:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {text!r} on the screen; it shows:\n{self.seen[-800:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.seen += ANSI.sub("", os.read(self.master, 65536).decode(errors="replace"))
        return self.seen

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        os.close(self.master)


@pytest.fixture
def till_service(tmp_path: Path, pcscd: PcscdProcess, psam: Any,
                 clearing: str) -> Iterator[Service]:  # noqa: F811 - the fixture
    printer = VirtualPrinter(tmp_path / "paper").start()
    svc = Service(tmp_path, pcscd, clearing)
    with svc.config.open("a") as fh:
        fh.write(f'[printer]\nurl = "{printer.url}"\n')
    svc.printer = printer  # type: ignore[attr-defined]
    yield svc
    if svc.proc is not None:
        svc.stop(signal.SIGKILL)
    printer.stop()


def test_the_cashier_types_an_amount_and_the_customer_taps(till_service: Service,
                                                           attach_card: Any) -> None:
    card = attach_card("4102000000000001")
    card.remove()
    till_service.start()
    till = Pty([sys.executable, "-m", "cardsvc.cli", "cashier", "--kind", "canteen"],
               till_service.env)
    try:
        till.expect("Amount")
        till.type("12.50\n")
        till.expect("Please tap")
        card.insert()
        screen = till.expect("余额 Balance")
        assert "支付成功" in screen and "87.50" in screen
        # the sale was a mistake: refunded with the card's PIN (not echoed), once
        till.type("r\n")
        till.expect("PIN: ")
        till.type("123456\n")
        screen = till.expect("已退款")
        assert "123456" not in screen
        till.expect("余额 Balance 100.00")
        till.type("r\n")
        till.expect("没有可退款的交易")
        till.type("abc\n")
        till.expect("金额无效")
        till.type("1.00\n")
        till.expect("Please tap")  # the card still on the reader was charged: wait for a tap
        till.type("c\n")
        till.expect("交易已取消")
        till.type("q\n")
        assert till.proc.wait(10) == 0
    finally:
        till.close()
    receipts = till_service.printer.wait_receipts(1, timeout=10)  # type: ignore[attr-defined]
    assert receipts and "12.50" in receipts[0].text


def test_the_validator_charges_taps_with_passback_and_beeps(tmp_path: Path, pcscd: PcscdProcess,
                                                           psam: Any, attach_card: Any) -> None:
    card = attach_card("4102000000000002")  # a student card: half fare
    card.remove()
    config = tmp_path / "validator.toml"
    config.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n'
                      f'[card]\nreader = "{READER_NAMES[0]}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "cardsvc.cli", "validator", "--line", "1",
                             "--json", "--feedback", "acs", "--passback", "60"],
                            env={**os.environ, **pcscd.env, "CITIZEN_HALL_CONFIG": str(config)},
                            stdout=subprocess.PIPE, text=True)

    def next_line(kind: str) -> dict[str, Any]:
        assert proc.stdout is not None
        while True:
            line: dict[str, Any] = json.loads(proc.stdout.readline())
            if line["type"] == kind:
                return line

    try:
        next_line("reader_available")
        card.insert()
        paid = next_line("operation_finished")
        card.remove()
        next_line("card_removed")
        card.insert()
        again = next_line("operation_finished")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert paid["ok"] and paid["result"]["amount_fen"] == 50
    assert paid["result"]["balance_fen"] == 5000 - 50
    assert not again["ok"] and again["code"] == "already_tapped"
    assert [f[:2].hex() for f in card.card.feedback] == ["2a04", "5d04"]  # green, then red
