"""The hall catalogue layer's exception tree (pure data checks; no I/O, no web).

    HallDataError            a document, record or value does not follow docs/hall-exchange.md
    ├── FormInvalid          an application form's answers do not fit its schema
    └── CalendarMissing      a date in a year with no working-day calendar file

Each error has a stable ``code``, an English ``message`` and a Chinese ``message_zh``, and says
where it is: ``record`` (e.g. ``matters[3]`` or the matter's code) and ``field`` (a dotted path
such as ``materials[0].form``). Callers translate them into their own tree with ``from``.
"""

from __future__ import annotations

__all__ = ["CalendarMissing", "FormInvalid", "HallDataError"]


class HallDataError(ValueError):
    """A catalogue document, record or value is not valid."""

    code = "invalid_catalogue"

    def __init__(self, message: str, message_zh: str, *, record: str | None = None,
                 field: str | None = None, code: str | None = None) -> None:
        where = " ".join(p for p in (record or "", field or "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.message_zh = f"{where}：{message_zh}" if where else message_zh
        self.record = record
        self.field = field
        if code is not None:
            self.code = code


class FormInvalid(HallDataError):
    """An application form's answers do not fit the matter's form schema."""

    code = "form_invalid"


class CalendarMissing(HallDataError):
    """No working-day calendar for the year of a date: refused, never guessed."""

    code = "calendar_missing"
