"""The kiosk as a whole: which screen is up, language, care mode, and the session's end.

Screens are named by stable ids (:data:`SCREENS`); QML shows ``T["title_" + screen]`` in the
header and loads one component per screen, so leaving a screen destroys its items (nothing
personal lingers in the UI tree). ``wipe()`` is the end of a session: every screen's
view-model forgets, answers still on their way are dropped, the session's files are deleted,
and language and care mode return to the terminal's defaults.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.i18n import Lang, Messages
from kiosk.session import Session, SessionFolder
from kiosk.tasks import Tasks
from kiosk.theme import Theme
from kiosk.vm.base import ScreenVm

log = logging.getLogger(__name__)

SCREENS = ("home", "find", "guide", "apply", "progress", "card", "rate", "complain",
           "technician")


class KioskVm(QObject):
    changed = Signal()
    wiped = Signal()
    quitRequested = Signal()  # noqa: N815 - the technician closes the kiosk

    def __init__(self, *, messages: Messages, theme: Theme, session: Session, tasks: Tasks,
                 folder: SessionFolder, screens: dict[str, ScreenVm],
                 default_lang: Lang = "zh", default_care: bool = False,
                 hall_name: tuple[str, str] = ("市民之家", "Citizens' Service Hall"),
                 extra_wipes: Sequence[Callable[[], None]] = (),
                 openers: dict[str, Callable[[], None]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages, self.theme, self.session, self.tasks = messages, theme, session, tasks
        self.folder = folder
        self.screens = screens
        self._default_lang: Lang = default_lang
        self._default_care = default_care
        self._hall = hall_name
        self._extra_wipes = tuple(extra_wipes)
        self._openers = openers if openers is not None else {}
        """Kept as given: the composition root may fill it after building this object."""
        self._stack: list[str] = ["home"]
        session.ended.connect(self._on_ended)
        self._apply_lang(default_lang)
        self._apply_care(default_care)

    # -- properties -----------------------------------------------------------------------------
    @Property(str, notify=changed)
    def screen(self) -> str:
        return self._stack[-1]

    @property
    def current(self) -> str:
        """The screen that is up (for Python callers)."""
        return self._stack[-1]

    @Property(str, notify=changed)
    def titleCode(self) -> str:  # noqa: N802
        screen = self._stack[-1]
        vm = self.screens.get(screen)
        return vm.title_code(screen) if vm is not None else f"title_{screen}"

    @Property(bool, notify=changed)
    def canBack(self) -> bool:  # noqa: N802
        return len(self._stack) > 1

    @Property(str, notify=changed)
    def lang(self) -> str:
        return self.messages.lang

    @Property(bool, notify=changed)
    def care(self) -> bool:
        return self.theme.is_care

    @Property(str, notify=changed)
    def hallName(self) -> str:  # noqa: N802
        return self._hall[0] if self.messages.lang == "zh" else self._hall[1]

    @Property(QObject, constant=True)
    def find(self) -> QObject:
        return self.screens["find"]

    @Property(QObject, constant=True)
    def guide(self) -> QObject:
        return self.screens["guide"]

    @Property(QObject, constant=True)
    def apply(self) -> QObject:
        return self.screens["apply"]

    @Property(QObject, constant=True)
    def progress(self) -> QObject:
        return self.screens["progress"]

    @Property(QObject, constant=True)
    def card(self) -> QObject:
        return self.screens["card"]

    @Property(QObject, constant=True)
    def rate(self) -> QObject:
        return self.screens["rate"]

    @Property(QObject, constant=True)
    def complain(self) -> QObject:
        return self.screens["complain"]

    @Property(QObject, constant=True)
    def technician(self) -> QObject:
        return self.screens["technician"]

    @Slot(bool)
    def setPortrait(self, portrait: bool) -> None:  # noqa: N802
        if portrait != self.theme.is_portrait:
            self.theme.set_portrait(portrait)
            for vm in self.screens.values():
                vm.relabel()

    def vm(self, name: str) -> ScreenVm:
        return self.screens[name]

    # -- navigation -----------------------------------------------------------------------------
    @Slot(str)
    def go(self, screen: str) -> None:
        if screen not in SCREENS:
            log.error("kiosk.nav.unknown %s", screen, extra={"event": "kiosk.nav.unknown"})
            return
        if screen == "home":
            self.home()
            return
        if self._stack[-1] != screen:
            self._stack.append(screen)
        self._navigated()

    @Slot(str)
    def open(self, name: str) -> None:
        """A home-screen tile: the screen's view-model starts, then the screen comes up."""
        opener = self._openers.get(name)
        if opener is not None:
            opener()
        else:
            self.go(name)

    @Slot()
    def back(self) -> None:
        if len(self._stack) > 1:
            self._stack.pop()
            self._navigated()

    @Slot()
    def home(self) -> None:
        self._stack = ["home"]
        self._navigated()

    def _navigated(self) -> None:
        self.session.arm(self._stack[-1] != "home" or self.session.is_personal)
        self.changed.emit()

    # -- language and care mode -----------------------------------------------------------------
    @Slot()
    def toggleLanguage(self) -> None:  # noqa: N802
        self._apply_lang("en" if self.messages.lang == "zh" else "zh")
        self.changed.emit()

    @Slot()
    def toggleCare(self) -> None:  # noqa: N802
        self._apply_care(not self.theme.is_care)
        self.changed.emit()

    def _apply_lang(self, lang: Lang) -> None:
        if lang != self.messages.lang:
            self.messages.set_language(lang)
        for vm in self.screens.values():
            vm.relabel()

    def _apply_care(self, care: bool) -> None:
        self.theme.set_care(care)
        self.session.set_care(care)
        for vm in self.screens.values():
            vm.relabel()

    # -- the end of a session -------------------------------------------------------------------
    def _on_ended(self, reason: str) -> None:
        self.wipe()

    def wipe(self) -> None:
        """Forget everything personal, everywhere, and go home."""
        self.tasks.forget()
        for vm in self.screens.values():
            vm.wipe()
        for extra in self._extra_wipes:
            try:
                extra()
            except Exception:  # one failing cleaner must not stop the others
                log.exception("kiosk.wipe.failed", extra={"event": "kiosk.wipe.failed"})
        self.folder.wipe()
        self._apply_lang(self._default_lang)
        self._apply_care(self._default_care)
        self._stack = ["home"]
        self.session.arm(False)
        self.changed.emit()
        self.wiped.emit()
