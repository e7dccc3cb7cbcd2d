"""Idle warning and wipe; finding a matter by pinyin, department and page."""

from __future__ import annotations

from PySide6.QtCore import QObject

from kiosk.app import Kiosk
from kiosk.session import MIN_WARNING_S, Session
from tests.kiosk.conftest import Clock


def test_idle_warns_counts_down_and_one_tap_continues(qapp, clock: Clock) -> None:
    s = Session(60, 30, 120, 45, clock=clock)
    s.arm(True)
    clock.now += 59
    s.tick()
    assert not s.warning
    clock.now += 2
    s.tick()
    assert s.warning and s.countdown == 29
    s.extend()
    assert not s.warning
    ended: list[str] = []
    s.ended.connect(ended.append)
    clock.now += 60 + 30
    s.tick()
    assert ended == ["idle"]


def test_the_warning_is_never_shorter_than_20_s_and_care_mode_waits_longer(qapp, clock) -> None:
    s = Session(10, 5, 20, 5, clock=clock)
    assert s.warningSeconds == MIN_WARNING_S
    s.set_care(True)
    s.arm(True)
    clock.now += 15
    s.tick()
    assert not s.warning  # care mode: 20 s before the warning
    clock.now += 5
    s.tick()
    assert s.warning and s.countdown == 20


def test_idle_at_home_without_a_citizen_does_nothing(kiosk: Kiosk, clock: Clock) -> None:
    clock.now += 10_000
    kiosk.session.tick()
    assert not kiosk.session.warning and kiosk.vm.screen == "home"


def test_idle_on_a_screen_ends_the_session_and_goes_home(kiosk: Kiosk, qtbot, clock) -> None:
    kiosk.vm.go("find")
    kiosk.vm.find.type("y")
    kiosk.vm.toggleLanguage()
    kiosk.vm.toggleCare()
    clock.now += kiosk.session.idle_limit + 1
    kiosk.session.tick()
    assert kiosk.session.warning
    overlay = kiosk.window.findChild(QObject, "idleOverlay")
    assert overlay.property("visible")
    clock.now += 60
    kiosk.session.tick()
    assert kiosk.vm.screen == "home" and kiosk.vm.find.query == ""
    assert kiosk.vm.lang == "zh" and not kiosk.vm.care
    assert not overlay.property("visible")


def test_search_as_you_type_by_initials_full_pinyin_characters_and_alias(kiosk: Kiosk,
                                                                         qtbot) -> None:
    find = kiosk.vm.find
    qtbot.waitUntil(lambda: find.total == 11)
    licence = "营业执照登记（个体工商户）"
    for query, first in (("yyzz", licence), ("yingye", licence), ("社会保障卡", "社会保障卡申领"),
                         ("getihu", licence), ("pension", "养老保险关系转移")):
        find.setQuery(query)
        qtbot.waitUntil(lambda: not find.busy)
        assert find.results.get(0)["name"] == first, query
    find.setQuery("qqqqq")
    qtbot.waitUntil(lambda: not find.busy)
    assert find.total == 0 and "没有找到" in find.summary


def test_browse_by_department_and_page(kiosk: Kiosk, qtbot) -> None:
    find = kiosk.vm.find
    qtbot.waitUntil(lambda: find.total == 11)
    assert find.pageCount == 2 and find.results.count == 7
    find.nextPage()
    assert find.page == 1 and find.results.count == 4
    find.showChoices("departments")
    assert find.choices.count == 2
    find.choose("AMR")
    qtbot.waitUntil(lambda: not find.busy)
    assert find.total == 4 and find.filterName == "市场监督管理局"
    kiosk.vm.toggleCare()
    assert find.pageCount == 1 and find.results.count == 4


def test_choosing_a_matter_opens_its_guide_with_every_art21_field(kiosk: Kiosk, qtbot) -> None:
    find, guide = kiosk.vm.find, kiosk.vm.guide
    qtbot.waitUntil(lambda: find.total == 11)
    kiosk.vm.go("find")
    find.open(find.results.get(0)["code"])
    qtbot.waitUntil(lambda: guide.loaded)
    assert kiosk.vm.screen == "guide"
    titles = [guide.sections.get(i)["title"] for i in range(guide.sections.count)]
    assert titles == ["办理条件", "办理流程", "办理时限", "收费标准", "办理地点和时间", "设定依据",
                      "常见问题", "咨询和投诉电话", "事项信息"]
    assert guide.materials.count == 3
    assert guide.materials.get(1)["sample"]
    guide.open(guide.materials.get(1)["sample"], "样本")
    qtbot.waitUntil(lambda: guide.fileImage != "")
    assert "file" in kiosk.pictures.keys()  # noqa: SIM118 - a method, not a dict
    guide.printGuide()
    qtbot.waitUntil(lambda: guide.printStatus != "")
    assert "打印完成" in guide.printStatus
