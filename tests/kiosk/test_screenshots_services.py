"""The progress, rating, complaint, city-card and technician screens in every variant (look at
them: var/test-artifacts/kiosk)."""

from __future__ import annotations

from kiosk.app import Kiosk
from kiosk.ports import CaseRef
from tests.kiosk.conftest import TECHNICIAN_PIN
from tests.kiosk.fakes import a_case
from tests.kiosk.screens import shoot

TOKEN = "q3W9xYz0AbCdEfGhIjKlMn"


def test_progress_screens(kiosk: Kiosk, qtbot) -> None:
    hall = kiosk.ports.hall
    hall.add_case(a_case(overdue=True, status="supplement_requested"), TOKEN, "081234")
    hall.add_case(a_case("12611300000239", "approved"), TOKEN + "x", "081234")
    p = kiosk.vm.progress

    def ways() -> None:
        kiosk.vm.home()
        kiosk.vm.open("progress")

    def number() -> None:
        ways()
        p.choose("number")
        for k in "12611300000142":
            p.key(k)
        for k in "0812":
            p.key(k)

    def detail() -> None:
        number()
        for k in "34":
            p.key(k)
        p.lookUp()
        qtbot.waitUntil(lambda: p.showingOne)

    def mine() -> None:
        ways()
        kiosk.ports.card.tap()
        qtbot.waitUntil(lambda: p.hasResult)

    shoot(kiosk, qtbot, "05-progress", ways)
    shoot(kiosk, qtbot, "05-progress-number", number)
    shoot(kiosk, qtbot, "05-progress-detail", detail)
    shoot(kiosk, qtbot, "05-progress-mine", mine)


def test_rate_and_complain_screens(kiosk: Kiosk, qtbot) -> None:
    r, c = kiosk.vm.rate, kiosk.vm.complain

    def rate() -> None:
        kiosk.vm.home()
        r.start(CaseRef(token=TOKEN), "12611300000142")
        kiosk.vm.go("rate")
        qtbot.waitUntil(lambda: r.reasons.count > 0)

    def rate_bad() -> None:
        rate()
        r.choose("dissatisfied")
        r.toggleReason("slow")
        r.editComment()
        for ch in "deng":
            r.kb.key(ch)

    def complain() -> None:
        kiosk.vm.home()
        kiosk.vm.open("complain")
        qtbot.waitUntil(lambda: c.formPart.fields.count == 5)
        c.formPart.edit("subject")

    def filed() -> None:
        complain()
        c.formPart.choose("kiosk")
        c.formPart.edit("text")
        for word, letters in (("屏幕", "pingmu"), ("没有", "meiyou"), ("反应", "fanying")):
            for ch in letters:
                c.formPart.kb.key(ch)
            c.formPart.kb.choose(word)
        c.formPart.edit("name")
        c.formPart.kb.setMode("letters")
        for ch in "lisi":
            c.formPart.kb.key(ch)
        c.formPart.edit("phone")
        for d in "13912345678":
            c.formPart.kb.key(d)
        c.send()
        qtbot.waitUntil(lambda: c.number != "")

    shoot(kiosk, qtbot, "06-rate", rate)
    shoot(kiosk, qtbot, "06-rate-bad", rate_bad)
    shoot(kiosk, qtbot, "07-complain", complain)
    shoot(kiosk, qtbot, "07-complain-filed", filed)


def test_card_and_technician_screens(kiosk: Kiosk, qtbot) -> None:
    card, t = kiosk.vm.card, kiosk.vm.technician

    def wait() -> None:
        kiosk.vm.home()
        kiosk.vm.open("card")
        card.start(False)  # (the card of the previous variant is still on the reader)

    def account() -> None:
        wait()
        kiosk.ports.card.tap()
        qtbot.waitUntil(lambda: card.stage == "account")

    def pin() -> None:
        account()
        card.topUp()
        card.chooseAmount(10000)
        for d in "123":
            card.pin.key(d)

    def technician() -> None:
        kiosk.vm.home()
        for _ in range(5):
            t.tap()
        for d in TECHNICIAN_PIN:
            t.pin.key(d)
        t.enter()
        qtbot.waitUntil(lambda: t.unlocked)

    shoot(kiosk, qtbot, "08-card", wait)
    shoot(kiosk, qtbot, "08-card-account", account)
    shoot(kiosk, qtbot, "08-card-pin", pin)
    shoot(kiosk, qtbot, "10-technician", technician)
