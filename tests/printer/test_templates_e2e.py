"""Done when: each template printed through TCP to the virtual printer decodes back to exactly
the text meant (Chinese included), no line exceeds the paper, and the QR decodes to the
application number."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cardsvc.money import yuan
from cardsvc.profile import mask_card_number as mask_card
from cardsvc.receipts import CardReceipt, card_receipt
from drivers.printer import Printer, get_profile
from drivers.printer.render import expected_receipts
from kiosk.receipts import application_receipt, mask_name
from simulators.printer import VirtualPrinter
from tests.printer.samples import APPLICATION, CARD_RECEIPTS, all_documents

SETUPS = {  # printer profile -> (paper mm, the virtual printer's font)
    "generic-58": (58, "gb18030"),
    "generic-80": (80, "gb18030"),
    "gbk-58": (58, "gbk"),  # QR sent as a raster image
}


@pytest.fixture(params=sorted(SETUPS))
def setup(request, tmp_path: Path):
    paper_mm, font = SETUPS[request.param]
    with VirtualPrinter(tmp_path / "paper", paper_mm=paper_mm, encoding=font) as sim:
        yield Printer(sim.url, request.param, timeout=2.0), sim


def test_every_template_decodes_to_exactly_what_was_meant(setup):
    printer, sim = setup
    docs = all_documents()
    for doc in docs.values():
        assert printer.print(doc).confirmed
    receipts = sim.wait_receipts(len(docs), timeout=10)
    assert len(receipts) == len(docs)
    for (name, doc), receipt in zip(docs.items(), receipts, strict=True):
        assert receipt.text == expected_receipts(doc, printer.profile)[0], name
        assert receipt.warnings == [], (name, receipt.warnings)
        assert receipt.cut == "full"
        assert not receipt.overflow, name
        assert max(line.columns for line in receipt.lines) <= printer.profile.columns
        assert (sim.out_dir / f"receipt-{receipt.index:04d}.png").stat().st_size > 1000
    by_name = dict(zip(docs, receipts, strict=True))
    assert by_name["application"].qr_codes == [APPLICATION.number]
    assert [g.kind for g in by_name["application"].graphics] == [
        "qr" if printer.profile.qr == "native" else "raster"]


def _row(receipt_text: str, label: str) -> str:
    (line,) = [line for line in receipt_text.splitlines() if line.startswith(label)]
    return line


def test_card_receipts_say_the_right_things(virtual_printer, printer):
    for receipt in CARD_RECEIPTS.values():
        printer.print(card_receipt(receipt))
    printed = virtual_printer.wait_receipts(len(CARD_RECEIPTS))
    for paper, data in zip(printed, CARD_RECEIPTS.values(), strict=True):
        text = paper.text
        assert _row(text, "卡号：").endswith("4102********0001")
        assert _row(text, "卡内余额：").endswith(yuan(data.balance_fen))
        assert _row(text, "流水号：").endswith(f"{data.ttsn:08d}")
        assert _row(text, "终端号：").endswith(data.terminal_id)
        assert _row(text, "交易时间：").endswith("2024-05-06 12:30:45")
        assert all(line.columns <= 32 for line in paper.lines) and not paper.overflow
        assert paper.lines[0].as_dict()["bold"] and paper.lines[0].as_dict()["size"] == [2, 2]
    canteen, _, bus, topup = (p.text for p in printed)
    assert "食堂消费凭条" in canteen and _row(canteen, "消费金额：").endswith("￥12.50")
    assert "公交乘车凭条" in bus and _row(bus, "线路：").endswith("1路")
    assert _row(topup, "充值金额：").endswith("￥100.00")


def test_application_receipt_content(virtual_printer_80):
    Printer(virtual_printer_80.url, "generic-80").print(application_receipt(APPLICATION))
    (paper,) = virtual_printer_80.wait_receipts(1)
    text = paper.text
    assert _row(text, "办件编号：").endswith("KF20240506000123")
    assert _row(text, "承诺办结：").endswith("2024-05-09")
    assert _row(text, "申请人：").endswith("张*三")
    assert "事项名称：企业设立登记（有限责任公司）" in text
    assert paper.qr_codes == ["KF20240506000123"]


def test_helpers():
    assert mask_card("4102000000000001") == "4102********0001"
    assert mask_card("12345") == "*2345"
    assert yuan(1250) == "￥12.50" and yuan(5) == "￥0.05" and yuan(-100) == "-￥1.00"
    tx = {"type": "compound", "kind": "bus", "card_no": "4102000000000001", "amount_fen": 100,
          "balance_fen": 900, "terminal_id": "000000000003", "ttsn": 5,
          "date_time": "2024-05-06T12:30:45", "tac": "AABBCCDD", "line": "1路"}
    receipt = CardReceipt.from_tx_json(tx)
    assert (receipt.kind, receipt.line, receipt.amount_fen) == ("bus", "1路", 100)
    assert CardReceipt.from_tx_json({**tx, "type": "load", "line": None}).kind == "topup"
    assert CardReceipt.from_tx_json({**tx, "type": "purchase", "kind": "retail"}).kind == \
        "retail"


def test_cash_drawer_pulse_reaches_the_printer(virtual_printer_80):
    printer = Printer(virtual_printer_80.url, "generic-80")
    printer.print(card_receipt(CARD_RECEIPTS["retail"]).drawer(2).cut())
    printer.open_drawer(5)
    virtual_printer_80.stop()  # the drawer-only stream is never cut: hand it over
    receipts = virtual_printer_80.receipts
    assert [(r.drawer_pulses, r.cut) for r in receipts] == [
        ([], "full"),  # the receipt itself (the template ends with a cut)
        ([2], "full"),  # the drawer block and the second cut of the document
        ([5], None),  # open_drawer(): a pulse, no paper
    ]


def test_english_is_optional_and_names_are_masked():
    chinese_only = application_receipt(dataclasses.replace(APPLICATION, english=False))
    (text,) = expected_receipts(chinese_only, get_profile("generic-58"))
    assert "Application receipt" not in text and "受理回执" in text
    assert mask_name("张三") == "张*" and mask_name("欧阳小明") == "欧**明"
    no_en = card_receipt(dataclasses.replace(CARD_RECEIPTS["bus"], english=False))
    assert "receipt" not in expected_receipts(no_en, get_profile("generic-58"))[0].lower()
