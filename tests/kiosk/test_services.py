"""Progress (number + ID tail, the receipt's QR, the card), rating (好差评), complaints, the
city card (balance, history, top-up with the PIN pad, report lost) and the technician exit, on
fakes of the ports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from kiosk.app import Kiosk, Ports, build
from kiosk.outbox import Outbox
from kiosk.ports import CaseRef, ScanFrame
from tests.kiosk.conftest import PORTRAIT, TECHNICIAN_PIN
from tests.kiosk.fakes import FakeHall, FakePrinter, FakeScanner, a_case, page_frame
from tests.kiosk.screens import artifacts

TOKEN = "q3W9xYz0AbCdEfGhIjKlMn"


def _type(vm, keys: str) -> None:
    for k in keys:
        vm.key(k)


def test_progress_by_number_and_id_tail_on_the_keypad(kiosk: Kiosk, qtbot) -> None:
    hall = kiosk.ports.hall
    hall.add_case(a_case(overdue=True), TOKEN, "081234")
    kiosk.vm.open("progress")
    p = kiosk.vm.progress
    assert kiosk.vm.screen == "progress" and kiosk.vm.titleCode == "title_progress"
    p.choose("number")
    _type(p, "1261130000014")
    assert not p.canLookUp
    _type(p, "2")  # the 14th digit moves on to the ID tail
    assert p.editing == "tail"
    _type(p, "08123")
    p.key("X")
    p.backspace()
    _type(p, "4")
    assert p.canLookUp
    p.lookUp()
    qtbot.waitUntil(lambda: p.showingOne)
    assert hall.lookups[-1] == CaseRef(number="12611300000142", id_tail="081234")
    assert p.status == "已受理" and p.overdue and p.promised == "2026-12-03"
    assert [p.timeline.get(i)["status"] for i in range(p.timeline.count)] == [
        "已提交，等待受理", "已受理"]
    assert kiosk.session.personal


def test_progress_wrong_tail_says_what_to_check(kiosk: Kiosk, qtbot) -> None:
    kiosk.ports.hall.add_case(a_case(), TOKEN, "081234")
    kiosk.vm.open("progress")
    p = kiosk.vm.progress
    p.choose("number")
    _type(p, "12611300000142999999")
    p.lookUp()
    qtbot.waitUntil(lambda: p.fault != "")
    assert "核对编号" in p.fault and not p.hasResult


def test_progress_by_the_receipts_qr_code_and_rate_it(kiosk: Kiosk, qtbot) -> None:
    kiosk.ports.hall.add_case(a_case(), TOKEN, "081234")
    kiosk.vm.open("rate")  # the home screen's 评价 tile finds the application first
    p = kiosk.vm.progress
    assert kiosk.vm.screen == "progress" and kiosk.vm.titleCode == "title_rate"
    p.choose("qr")
    frame = page_frame("no_page", page=False)
    kiosk.ports.scanner.show(ScanFrame(frame.image))
    kiosk.ports.scanner.show(ScanFrame(frame.image, qr=f"https://hall.example/q/{TOKEN}"))
    qtbot.waitUntil(lambda: p.showingOne)
    assert kiosk.ports.hall.lookups[-1] == CaseRef(token=TOKEN)
    assert kiosk.ports.scanner.on_frame is None  # the camera stopped
    p.rate()
    assert kiosk.vm.screen == "rate"
    r = kiosk.vm.rate
    assert r.level == "" and not r.canSend  # nothing preselected
    r.choose("very_dissatisfied")
    qtbot.waitUntil(lambda: r.reasons.count == 3)
    assert not r.canSend and "原因" in r.missing
    r.toggleReason("other")
    assert "其他" in r.missing
    r.editComment()
    for ch in "man":
        r.kb.key(ch)
    r.kb.choose("慢")
    assert r.comment == "慢" and r.canSend
    r.send()
    qtbot.waitUntil(lambda: r.sent)
    rating = kiosk.ports.hall.ratings[0]
    assert (rating.case, rating.level, rating.reasons, rating.comment) == (
        CaseRef(token=TOKEN), "very_dissatisfied", ("other",), "慢")


def test_a_good_rating_needs_no_reason_and_a_second_is_refused(kiosk: Kiosk, qtbot) -> None:
    r = kiosk.vm.rate
    for attempt in range(2):
        r.start(CaseRef(token=TOKEN), "12611300000142")
        kiosk.vm.go("rate")
        r.choose("dissatisfied")
        r.choose("satisfied")  # changed their mind: the reasons go
        assert r.canSend and not r.bad
        r.send()
        qtbot.waitUntil(lambda: r.sent or r.fault != "")
        assert r.sent == (attempt == 0)
    assert "已经评价" in r.fault and len(kiosk.ports.hall.ratings) == 1


def test_tapping_the_card_lists_the_holders_applications(kiosk: Kiosk, qtbot) -> None:
    hall = kiosk.ports.hall
    hall.add_case(a_case(), TOKEN, "081234")
    hall.add_case(a_case("12611300000239", "approved"), TOKEN + "x", "081234")
    kiosk.vm.open("progress")
    kiosk.ports.card.tap()
    p = kiosk.vm.progress
    qtbot.waitUntil(lambda: p.hasResult)
    assert p.cases.count == 2 and not p.showingOne
    p.open(1)
    assert p.status == "已办结（准予）"
    p.rate()
    assert kiosk.vm.rate.caseLabel == "12611300000239"
    kiosk.ports.card.lift()  # the session ends with the card
    assert kiosk.vm.screen == "home" and kiosk.vm.progress.cases.count == 0


def test_a_complaint_is_filed_and_its_slip_printed(kiosk: Kiosk, qtbot) -> None:
    kiosk.vm.open("complain")
    c = kiosk.vm.complain
    form = c.formPart
    qtbot.waitUntil(lambda: form.fields.count == 5)  # with the departments from the catalogue
    c.send()
    assert c.number == "" and "更正" in c.fault
    form.edit("subject")
    assert form.editingKind == "choice"
    form.choose("waiting")
    form.edit("text")
    for word, letters in (("排队", "paidui"), ("太", "tai"), ("久", "jiu"), ("了", "le")):
        for ch in letters:
            form.kb.key(ch)
        form.kb.choose(word)
    kiosk.ports.card.tap()  # the name comes from the card
    qtbot.waitUntil(lambda: form.fields.get(2)["readonly"])
    form.edit("phone")
    for d in "13912345678":
        form.kb.key(d)
    c.send()
    qtbot.waitUntil(lambda: c.number != "")
    sent = kiosk.ports.hall.complaints[0]
    assert (sent.subject, sent.text, sent.name, sent.phone) == (
        "排队等候时间长", "排队太久了", "王小明", "13912345678")
    qtbot.waitUntil(lambda: c.printStatus != "")
    assert c.number in str(kiosk.ports.printer.documents[-1].blocks)
    assert form.fields.count == 0  # nothing personal left on the screen


def test_card_balance_history_and_a_top_up_with_a_wrong_pin_first(kiosk: Kiosk, qtbot) -> None:
    card = kiosk.ports.card
    kiosk.vm.open("card")
    c = kiosk.vm.card
    assert c.stage == "wait"
    card.tap()
    qtbot.waitUntil(lambda: c.stage == "account")
    assert c.balance == "35.50" and c.cardNumber == "4102********0001"
    assert c.history.get(0)["amount"] == "-1.00" and c.history.get(2)["amount"] == "+50.00"
    c.topUp()
    c.typeAmount("0")  # no leading zero
    for d in "2000":
        c.typeAmount(d)
    c.typedAmount()
    assert "1 至 1000" in c.fault and c.stage == "amount"
    c.chooseAmount(5000)
    assert c.stage == "pin"
    for d in "111111":
        c.pin.key(d)
    c.enterPin()
    qtbot.waitUntil(lambda: c.fault != "")
    assert c.stage == "pin" and "还可以再试 2 次" in c.fault and c.pin.length == 0
    for d in FakeCardPin:
        c.pin.key(d)
    c.enterPin()
    qtbot.waitUntil(lambda: c.stage == "result")
    assert c.ok and "余额 85.50" in c.result and card.balance == 8550
    assert len(card.refs) == 1


FakeCardPin = "123456"


def test_report_lost_needs_the_pin_and_a_confirmation(kiosk: Kiosk, qtbot) -> None:
    card = kiosk.ports.card
    kiosk.vm.open("card")
    card.tap()
    c = kiosk.vm.card
    qtbot.waitUntil(lambda: c.stage == "account")
    c.reportLost()
    for d in FakeCardPin:
        c.pin.key(d)
    c.enterPin()
    assert c.stage == "confirm" and card.status == "active"
    c.confirm()
    qtbot.waitUntil(lambda: c.stage == "result")
    assert card.status == "lost" and "挂失成功" in c.result
    assert c.back() and c.stage in ("account", "wait")
    qtbot.waitUntil(lambda: c.stage == "account" and not c.busy)
    assert c.blocked


def test_technician_exit_gesture_pin_lock_and_quit(kiosk: Kiosk, qtbot, clock) -> None:
    t = kiosk.vm.technician
    for _ in range(4):
        t.tap()
    clock.now += 10  # too slow: start again
    for _ in range(4):
        t.tap()
    assert kiosk.vm.screen == "home"
    name = kiosk.window.findChild(QObject, "hallName")
    assert name is not None
    t.tap()
    assert kiosk.vm.screen == "technician"
    for _attempt in range(3):
        for d in "000000":
            t.pin.key(d)
        t.enter()
        qtbot.waitUntil(lambda: not t.checking)
    assert "5 分钟" in t.fault and not t.unlocked
    for d in TECHNICIAN_PIN:
        t.pin.key(d)
    t.enter()
    assert "5 分钟" in t.fault and not t.unlocked  # locked, even with the right PIN
    clock.now += 301
    kiosk.session.touch()  # (the technician kept touching the screen)
    for d in TECHNICIAN_PIN:
        t.pin.key(d)
    t.enter()
    qtbot.waitUntil(lambda: t.unlocked)
    assert t.outbox == "本机不保存待发送申请（未连接大厅后台）"  # no hall: no outbox
    with qtbot.waitSignal(kiosk.vm.quitRequested, timeout=1000):
        t.quit()


def test_the_technician_sees_the_outbox_count(qapp, settings, catalogue_file: Path, qtbot,
                                              tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    for n in range(2):
        outbox.put("application", f"token-{n}", {"matter": "yyzz"})
    ports = Ports(hall=FakeHall(catalogue_file), printer=FakePrinter(), scanner=FakeScanner(),
                  outbox_counts=outbox.counts)
    k = build(ports, settings, size=PORTRAIT, px_per_mm=4.0)
    try:
        t = k.vm.technician
        for _ in range(5):
            t.tap()
        assert t.outbox == ""  # nothing before the PIN
        for d in TECHNICIAN_PIN:
            t.pin.key(d)
        t.enter()
        qtbot.waitUntil(lambda: t.unlocked and t.outbox != "")
        assert t.outbox == "待发送申请 2 件，已拒收 0 件，已发送 0 件"
        shown = k.window.findChild(QObject, "outboxCount")
        assert shown is not None and shown.property("visible")
        assert shown.property("text") == t.outbox
        k.vm.toggleLanguage()
        t.refreshOutbox()
        qtbot.waitUntil(lambda: t.outbox.startswith("Outbox: 2 waiting"))
        k.window.grabWindow().save(str(artifacts() / "10-technician-outbox.png"))
        t.reset()
        assert t.outbox == ""
    finally:
        k.close()
        outbox.close()
