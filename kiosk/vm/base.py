"""What every screen's view-model shares: the context, the language, the wipe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from kiosk.catalogue import Text
from kiosk.i18n import Catalogue, Lang, pick
from kiosk.images import Pictures
from kiosk.ports import Fault, PortError
from kiosk.tasks import Tasks


@dataclass
class Context:
    """The services view-models use; built once by :mod:`kiosk.app` (or a test)."""

    words: Catalogue
    tasks: Tasks
    lang: Callable[[], Lang]
    begin_personal: Callable[[], None]
    """Mark the session personal (idle timing runs; the wipe will follow)."""
    pictures: Pictures = field(default_factory=Pictures)
    """The session's pictures in memory (``image://pic/ID``), cleared by every wipe."""
    speak: Callable[[str], None] = lambda code: None
    """Say a prompt (a catalogue code) when spoken prompts are on."""


def fault_of(exc: BaseException) -> Fault:
    return exc.code if isinstance(exc, PortError) else Fault.UNKNOWN


class ScreenVm(QObject):
    """A screen's state. ``changed`` is the notify signal of every property; :meth:`wipe`
    forgets everything personal; :meth:`relabel` re-emits after a language switch.

    Each subclass declares its own ``changed = Signal()`` next to its properties: PySide6
    drops a property's notify signal when it is inherited (checked with 6.12)."""

    changed: Signal

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def t(self, code: str, **params: object) -> str:
        return self.ctx.words.text(code, self.ctx.lang(), **params)

    def pick(self, text: Text | None) -> str:
        return pick(text, self.ctx.lang())

    def fault_words(self, exc: BaseException | Fault) -> str:
        code = exc if isinstance(exc, Fault) else fault_of(exc)
        self.ctx.speak(f"fault_{code.value}")  # said once while it stays the last thing said
        return self.t(f"fault_{code.value}")

    def title_code(self, screen: str) -> str:
        """The catalogue code of the header's title while this screen is up."""
        return f"title_{screen}"

    def wipe(self) -> None:
        """Forget everything personal (override and call super)."""
        self.changed.emit()

    def relabel(self) -> None:
        self.changed.emit()
