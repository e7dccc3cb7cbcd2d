"""What every screen's view-model shares: the context, the language, the wipe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kiosk.catalogue import Text
from kiosk.i18n import Catalogue, Lang, pick
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
        return self.t(f"fault_{code.value}")

    def wipe(self) -> None:
        """Forget everything personal (override and call super)."""
        self.changed.emit()

    def relabel(self) -> None:
        self.changed.emit()
