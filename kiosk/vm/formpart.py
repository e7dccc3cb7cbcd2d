"""A form on screen: the fields of a :class:`kiosk.forms.FormModel` with the on-screen keyboard.

Shared by the apply wizard (the matter's form) and the complaint screen (the kiosk's own
form). A tap on a field starts editing it: text fields take the keyboard (pinyin, letters or
digits as the field asks), a ``choice`` field shows its choices as buttons, a ``checkbox``
toggles. Identity fields are read-only (filled from the card, never typed). QML's
``FormFields`` shows ``fields`` (one row per field) and the keyboard or the choices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from drivers.idcard import mask_id_number
from kiosk.forms import Field, FormModel
from kiosk.vm.keyboard import KeyboardVm
from kiosk.vm.rows import Rows

ROLES = ("key", "label", "value", "readonly", "error", "required", "keyboard", "editing",
         "kind", "choices")


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


class FormPart(QObject):
    changed = Signal()
    edited = Signal()
    """The citizen changed a value (the session is personal from here)."""

    def __init__(self, keyboard: KeyboardVm, words: Callable[[str], str],
                 pick: Callable[[Mapping[str, str] | None], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keyboard = keyboard
        self._t, self._pick = words, pick
        self.model: FormModel | None = None
        self._editing = ""
        self._show_errors = False
        self._rows = Rows(ROLES, self)
        self.rows = self._rows
        keyboard.edited.connect(self._typed)

    @Property(QObject, constant=True)
    def fields(self) -> Rows:
        return self._rows

    @Property(QObject, constant=True)
    def kb(self) -> KeyboardVm:
        return self.keyboard

    @Property(str, notify=changed)
    def editing(self) -> str:
        return self._editing

    @property
    def current(self) -> str:
        """The key of the field being edited ('' = none)."""
        return self._editing

    @Property(str, notify=changed)
    def editingKind(self) -> str:  # noqa: N802
        f = self._field(self._editing)
        return _kind(f) if f else ""

    @Property(list, notify=changed)
    def editingChoices(self) -> list[dict[str, str]]:  # noqa: N802
        f = self._field(self._editing)
        return [{"value": v, "label": self._pick(label)} for v, label in f.choices] if f else []

    # -- input ----------------------------------------------------------------------------------
    def load(self, model: FormModel | None) -> None:
        self.model, self._editing, self._show_errors = model, "", False
        self.keyboard.wipe()
        self.fill()

    @Slot(str)
    def edit(self, key: str) -> None:
        f = self._field(key)
        if f is None or f.readonly:
            return
        if _kind(f) == "checkbox":
            f.value = "" if f.value == "true" else "true"
            self._editing = ""
            self.edited.emit()
        else:
            self._editing = key
            if _kind(f) == "text":
                self.keyboard.begin(f.value, f.keyboard, int(f.schema.get("maxLength", 60)))
        self.fill()

    @Slot(str)
    def choose(self, value: str) -> None:
        """A choice field's answer (its stable value, shown by its label)."""
        f = self._field(self._editing)
        if f is not None and _kind(f) == "choice":
            f.value = value
            self._editing = ""
            self.edited.emit()
            self.fill()

    @Slot()
    def stopEditing(self) -> None:  # noqa: N802
        self._editing = ""
        self.fill()

    def _typed(self, text: str) -> None:
        f = self._field(self._editing)
        if f is not None:
            f.value = text
            self.edited.emit()
            self.fill()

    def set_value(self, key: str, value: str) -> None:
        f = self._field(key)
        if f is not None:
            f.value = value
            self.fill()

    # -- checks ---------------------------------------------------------------------------------
    def check(self) -> bool:
        """Every field valid; otherwise the errors are shown (and stay shown)."""
        if self.model is None:
            return False
        if self.model.errors():
            self._show_errors = True
            self.fill()
            return False
        self._editing = ""
        self.fill()
        return True

    def values(self) -> dict[str, Any]:
        return self.model.values() if self.model else {}

    def review_rows(self) -> list[dict[str, str]]:
        """(label, value) of every filled field, the phone masked (the review page)."""
        out = []
        for f in self.model.fields if self.model else ():
            if f.value.strip():
                shown = self._shown(f)
                out.append({"label": self._pick(f.label),
                            "value": mask_phone(shown) if f.input == "phone" else shown})
        return out

    # -- rows -----------------------------------------------------------------------------------
    def _field(self, key: str) -> Field | None:
        if self.model is None or not key:
            return None
        return next((f for f in self.model.fields if f.key == key), None)

    def _shown(self, f: Field) -> str:
        v = f.value
        if f.identity == "id_number" and v:
            return mask_id_number(v)
        kind = _kind(f)
        if kind == "choice":
            return next((self._pick(label) for value, label in f.choices if value == v), v)
        if kind == "checkbox":
            return self._t("common_yes") if v == "true" else ""
        return v

    def fill(self, *, in_place: bool = False) -> None:
        """The rows from the fields; ``in_place``: rows that stay are changed in place (their
        delegates kept: a reset rebuilds every field on the UI thread, ~15 ms a form; a
        card tap fills the identity fields this way). A reset otherwise: a field that starts
        being edited is scrolled into view as its delegate is laid out."""
        rows = []
        for f in self.model.fields if self.model else ():
            error = f.error() if self._show_errors else ""
            rows.append({"key": f.key, "label": self._pick(f.label), "value": self._shown(f),
                         "readonly": f.readonly, "required": f.required,
                         "error": self._t(f"form_error_{error}") if error else "",
                         "keyboard": f.keyboard, "editing": f.key == self._editing,
                         "kind": _kind(f),
                         "choices": [self._pick(label) for _, label in f.choices]})
        if in_place:
            self._rows.update(rows)
        else:
            self._rows.replace(rows)
        self.changed.emit()

    def wipe(self) -> None:
        if self.model is not None:
            self.model.clear()
        self.model, self._editing, self._show_errors = None, "", False
        self.keyboard.wipe()
        self._rows.clear()
        self.changed.emit()


def _kind(f: Field) -> str:
    if f.input == "choice" or (f.choices and f.input != "checkbox"):
        return "choice"
    if f.input == "checkbox" or f.schema.get("type") == "boolean":
        return "checkbox"
    return "text"
