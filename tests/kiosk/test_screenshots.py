"""Every screen rendered offscreen in every variant (look at them: var/test-artifacts/kiosk)."""

from __future__ import annotations

from kiosk.app import Kiosk
from tests.kiosk.screens import VARIANTS, shoot


def _ready(kiosk: Kiosk, qtbot) -> None:
    qtbot.waitUntil(lambda: kiosk.vm.find.total > 0)


def test_home_and_idle_warning(kiosk: Kiosk, qtbot, clock) -> None:
    _ready(kiosk, qtbot)
    assert len(shoot(kiosk, qtbot, "01-home", kiosk.vm.home)) == len(VARIANTS)

    def idle() -> None:
        kiosk.vm.go("find")
        kiosk.session.touch()
        clock.now += kiosk.session.idle_limit + 3
        kiosk.session.tick()
        clock.now -= kiosk.session.idle_limit + 3
        assert kiosk.session.warning
    shoot(kiosk, qtbot, "09-idle-warning", idle)


def test_find_screens(kiosk: Kiosk, qtbot) -> None:
    _ready(kiosk, qtbot)
    find = kiosk.vm.find

    def all_matters() -> None:
        kiosk.vm.home()
        kiosk.vm.go("find")
        find.clear()

    def typed() -> None:
        all_matters()
        for ch in "yyzz":
            find.type(ch)

    def departments() -> None:
        all_matters()
        find.showChoices("departments")

    shoot(kiosk, qtbot, "02-find", all_matters)
    shoot(kiosk, qtbot, "02-find-yyzz", typed)
    shoot(kiosk, qtbot, "02-find-departments", departments)


def test_guide_screens(kiosk: Kiosk, qtbot) -> None:
    _ready(kiosk, qtbot)
    guide = kiosk.vm.guide

    def open_guide() -> None:
        kiosk.vm.home()
        kiosk.vm.go("find")
        kiosk.vm.find.open(kiosk.vm.find.results.get(0)["code"])
        qtbot.waitUntil(lambda: guide.loaded)

    def sample() -> None:
        open_guide()
        guide.open(guide.materials.get(1)["sample"], guide.materials.get(1)["name"])
        qtbot.waitUntil(lambda: guide.fileImage != "")

    shoot(kiosk, qtbot, "03-guide", open_guide)
    shoot(kiosk, qtbot, "03-guide-sample", sample)
