"""The apply wizard on fakes: ID card -> form -> scanned and reused materials -> review ->
submit -> receipt printed -> rating; and the wipe that leaves nothing personal anywhere."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject

from kiosk.app import Kiosk
from kiosk.ports import Held
from tests.kiosk.fakes import CITIZEN, page_frame
from tests.kiosk.screens import shoot, ui_strings

PERSONAL = ("王小明", "410203199001081234", "13912345678", "开封小吃店", "书店街")


def _to_form(kiosk: Kiosk, qtbot) -> None:
    find, guide, apply = kiosk.vm.find, kiosk.vm.guide, kiosk.vm.apply
    qtbot.waitUntil(lambda: find.total > 0)
    kiosk.vm.home()
    kiosk.vm.go("find")
    find.setQuery("yyzz")
    qtbot.waitUntil(lambda: not find.busy)
    find.open(find.results.get(0)["code"])
    qtbot.waitUntil(lambda: guide.loaded)
    guide.apply()
    assert kiosk.vm.screen == "apply"
    qtbot.waitUntil(lambda: kiosk.ports.idcard.running)
    kiosk.ports.idcard.lay(CITIZEN)
    qtbot.waitUntil(lambda: apply.stepCode == "form")


def _fill_form(kiosk: Kiosk, qtbot) -> None:
    apply = kiosk.vm.apply
    apply.edit("phone")
    for d in "13912345678":
        apply.kb.key(d)
    apply.edit("business_name")
    qtbot.waitUntil(lambda: apply.kb.candidates != [] or (apply.kb.key("k") or False), timeout=5000)
    apply.kb.backspace()
    for word, letters in (("开", "kai"), ("封", "feng"), ("小", "xiao"), ("吃", "chi")):
        for ch in letters:
            apply.kb.key(ch)
        assert word in apply.kb.candidates
        apply.kb.choose(word)
    apply.kb.setMode("pinyin")
    for ch in "dian":
        apply.kb.key(ch)
    apply.kb.choose("店")
    apply.edit("capital_fen")
    for d in "50000":
        apply.kb.key(d)


def test_apply_with_the_id_card_scanned_pages_and_a_reused_copy(kiosk: Kiosk, qtbot) -> None:
    kiosk.ports.hall.held = [Held("held-1", "id_card_copy", {"zh": "身份证复印件"}, "2026-05-01")]
    apply = kiosk.vm.apply
    _to_form(kiosk, qtbot)
    values = {apply.fields.get(i)["key"]: apply.fields.get(i) for i in range(apply.fields.count)}
    assert values["applicant_name"]["value"] == "王小明" and values["applicant_name"]["readonly"]
    assert values["id_number"]["value"] == "4102**********1234"
    apply.next()
    assert apply.stepCode == "form" and "更正" in apply.fault  # phone and trade name missing
    _fill_form(kiosk, qtbot)
    assert kiosk.session.personal
    apply.next()
    assert apply.stepCode == "materials"
    materials = apply.materials
    qtbot.waitUntil(lambda: materials.rows.count == 3)
    assert materials.rows.get(0)["held"]
    materials.reuse("id_card")
    for mid, pages in (("application", 2), ("premises", 1)):
        materials.scan(mid)
        kiosk.ports.scanner.show(page_frame("refused", page=False))
        for _ in range(pages):
            kiosk.ports.scanner.show(page_frame("captured"))
        materials.finish()
    materials.scan("premises")
    kiosk.ports.scanner.show(page_frame("captured"))
    materials.retake()
    materials.finish()
    assert materials.complete
    apply.next()
    assert apply.stepCode == "review"
    shown = [apply.review.get(i)["value"] for i in range(apply.review.count)]
    assert "139****5678" in shown and "4102**********1234" in shown
    apply.next()
    qtbot.waitUntil(lambda: apply.stepCode == "receipt")
    sent = kiosk.ports.hall.applications[0]
    assert sent.fields["capital_fen"] == 5_000_000
    assert sent.fields["business_name"] == "开封小吃店"
    assert [(m.material_id, len(m.pages), m.reuse_ref) for m in sent.materials] == [
        ("id_card", 0, "held-1"), ("application", 2, None), ("premises", 1, None)]
    assert apply.number == "KF2026000001"
    qtbot.waitUntil(lambda: apply.printStatus != "")
    receipt = kiosk.ports.printer.documents[-1]
    assert "KF2026000001" in str(receipt.blocks) and "tok-" in str(receipt.blocks)
    qr = kiosk.window.findChild(QObject, "receiptQr")
    assert qr.property("source").toString().startswith("image://pic/receipt_qr")
    assert "receipt_qr" in kiosk.pictures.keys()  # noqa: SIM118 - a method, not a dict
    with qtbot.waitSignal(apply.rateRequested, timeout=1000) as signal:
        apply.next()
    assert signal.args[0].token == "tok-" + sent.client_ref



def test_ending_the_session_leaves_nothing_personal(kiosk: Kiosk, qtbot, caplog,
                                                   settings) -> None:
    caplog.set_level(logging.DEBUG)
    apply = kiosk.vm.apply
    _to_form(kiosk, qtbot)
    _fill_form(kiosk, qtbot)
    apply.next()
    apply.materials.scan("application")
    kiosk.ports.scanner.show(page_frame("captured"))
    kiosk.tasks.wait_idle()
    qtbot.wait(20)
    files = list(Path(settings.session_dir).rglob("*.jpg"))
    assert files, "the scan was saved in the session folder"
    during = "\n".join(ui_strings(kiosk.window))
    assert "王小明" in during  # the probe sees what is on screen
    kiosk.session.exit()
    qtbot.wait(50)
    after = "\n".join(ui_strings(kiosk.window)) + "\n".join(
        str(v) for vm in kiosk.vm.screens.values() for v in vars(vm).values())
    leaks = [p for p in PERSONAL if p in after]
    assert leaks == []
    assert not any(Path(settings.session_dir).rglob("*"))
    assert kiosk.pictures.keys() == []
    logs = caplog.text
    assert [p for p in PERSONAL if p in logs] == []
    assert kiosk.vm.screen == "home"


def test_apply_screens(kiosk: Kiosk, qtbot) -> None:
    kiosk.ports.hall.held = [Held("held-1", "id_card_copy", {"zh": "身份证复印件"}, "2026-05-01")]
    apply = kiosk.vm.apply

    def identity() -> None:
        apply.reset()
        kiosk.vm.home()
        kiosk.vm.go("find")
        kiosk.vm.guide.load(kiosk.ports.hall.search("yyzz")[0].code)
        qtbot.waitUntil(lambda: kiosk.vm.guide.loaded)
        kiosk.vm.guide.apply()
        qtbot.waitUntil(lambda: kiosk.ports.idcard.running)

    def form() -> None:
        identity()
        kiosk.ports.idcard.lay(CITIZEN)
        qtbot.waitUntil(lambda: apply.stepCode == "form")
        apply.edit("phone")
        for d in "139123":
            apply.kb.key(d)
        apply.edit("business_name")
        for ch in "kai":
            apply.kb.key(ch)

    def scanning() -> None:
        form()
        for d in "45678":
            apply.edit("phone")
            apply.kb.key(d)
        apply.kb.backspace()
        apply.kb.key("8")
        apply.edit("business_name")
        apply.kb.choose("开")
        for ch in "feng":
            apply.kb.key(ch)
        apply.kb.choose("封")
        apply.next()
        qtbot.waitUntil(lambda: apply.materials.rows.count == 3
                        and apply.materials.rows.get(0)["held"] != "")
        apply.materials.scan("application")
        kiosk.ports.scanner.show(page_frame("captured"))
        kiosk.ports.scanner.show(page_frame("refused", page=False))

    def receipt() -> None:
        scanning()
        apply.materials.finish()
        apply.materials.reuse("id_card")
        apply.materials.scan("premises")
        kiosk.ports.scanner.show(page_frame("captured"))
        apply.materials.finish()
        apply.next()
        assert apply.stepCode == "review"
        apply.next()
        qtbot.waitUntil(lambda: apply.stepCode == "receipt")

    shoot(kiosk, qtbot, "04-apply-identity", identity)
    shoot(kiosk, qtbot, "04-apply-form", form)
    shoot(kiosk, qtbot, "04-apply-scan", scanning)
    shoot(kiosk, qtbot, "04-apply-receipt", receipt)


def test_a_card_tapped_while_the_matter_loads_logs_in_when_it_arrives(kiosk: Kiosk,
                                                                      qtbot) -> None:
    """The identity prompt shows as soon as "apply" is pressed, before the matter has come
    from the hall: a card tapped then logs in when it arrives (it was ignored, and the citizen
    waited with the card on the reader); a card lifted meanwhile does not."""
    find, guide, apply = kiosk.vm.find, kiosk.vm.guide, kiosk.vm.apply
    qtbot.waitUntil(lambda: find.total > 0)
    kiosk.vm.go("find")
    find.setQuery("yyzz")
    qtbot.waitUntil(lambda: not find.busy)
    code = find.results.get(0)["code"]
    card = kiosk.ports.card
    for lifted in (True, False):
        find.open(code)
        qtbot.waitUntil(lambda: guide.loaded)
        guide.apply()  # the matter is fetched on a worker: its answer is not delivered yet
        assert apply.stepCode == "identity" and apply.matterName == ""
        card.tap()
        if lifted:
            card.lift()
            qtbot.waitUntil(lambda: apply.matterName != "")
            qtbot.wait(100)
            assert apply.stepCode == "identity" and not kiosk.session.is_personal
            kiosk.vm.home()
        else:
            qtbot.waitUntil(lambda: apply.stepCode == "form")
            assert "王小明" in apply.who and kiosk.session.is_personal
            card.lift()
            qtbot.waitUntil(lambda: not kiosk.session.is_personal)
