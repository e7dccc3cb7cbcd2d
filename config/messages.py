"""Words for stable codes: one :class:`Catalogue` per program, Chinese and English.

Below the user interface everything reports *codes*: an error's ``code``, a device's state, a
job's note, each a member of a :class:`enum.StrEnum` whose value never changes
(``insufficient_balance``, ``paper-out``). A program turns codes into words for people at its
edge (CLI, HTTP answer, screen) with its catalogue: a table ``code -> Words(zh, en)`` whose
templates take named parameters (``{tries_left}``)::

    MESSAGES = Catalogue("cardsvc", {
        ErrorCode.WRONG_PIN: Words("密码错误，还可尝试 {tries_left} 次",
                                   "wrong PIN, {tries_left} tries left"),
        ErrorCode.INSUFFICIENT_BALANCE: (
            Words("余额不足：余额 {balance} 元，需要 {amount} 元",
                  "insufficient balance: balance {balance} yuan, needed {amount} yuan"),
            Words("余额不足：需要 {amount} 元", "insufficient balance: needed {amount} yuan")),
    })
    MESSAGES.zh(ErrorCode.WRONG_PIN, tries_left=2)      # '密码错误，还可尝试 2 次'
    MESSAGES.words(exc)                                  # Words of an error (its code, params)
    MESSAGES.openapi()                                   # the codes as an OpenAPI enumeration

An entry may list several templates: the first whose parameters are all given is used, so a
message can leave out what is not known (a balance the card did not tell). A catalogue refuses
at construction an enumeration with a member that has no words, and two codes with the same
value (two enumerations in one catalogue must not share a value: a value is the code). Codes
are enumeration members, or plain strings where the table itself is the list of codes (a
screen's texts loaded from a file).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, Protocol

__all__ = ["Catalogue", "Coded", "CodedError", "Lang", "Words"]

Lang = Literal["zh", "en"]


class Words(NamedTuple):
    """The Chinese and the English of one message (templates with ``{name}`` fields)."""

    zh: str
    en: str

    def both(self, sep: str = " / ") -> str:
        """``"中文 / English"``: the one line a program prints for a person."""
        return f"{self.zh}{sep}{self.en}"


class Coded(Protocol):
    """Anything that reports a code and the parameters of its message (an error, a state)."""

    @property
    def code(self) -> StrEnum: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


class CodedError(Exception):
    """An error with a stable code: a class says its code where it is declared,
    ``class NoCard(PcscError, code=ErrorCode.NO_CARD): ...``; ``params`` are the fields of its
    message (none by default). ``str(exc)`` stays the English particulars."""

    code: StrEnum
    params: Mapping[str, Any] = MappingProxyType({})

    def __init_subclass__(cls, code: StrEnum | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code


Entry = Words | tuple[Words, ...]


def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Catalogue:
    """A program's words for the codes it shows. Immutable after construction."""

    def __init__(self, program: str, *tables: Mapping[str, Entry]) -> None:
        """One table per enumeration, usually; every member of an enumeration that has words
        here must have them (a new code without words is refused when the program starts)."""
        self.program = program
        entries: dict[str, tuple[str, tuple[Words, ...]]] = {}
        for table in tables:
            for code, entry in table.items():
                templates = entry if isinstance(entry, tuple) and not isinstance(entry, Words) \
                    else (entry,)
                if not templates or not all(isinstance(t, Words) for t in templates):
                    raise TypeError(f"{program}: the words of {code!r} must be Words")
                value = str(code)
                if value in entries:
                    raise ValueError(f"{program}: {entries[value][0]!r} and {code!r} "
                                     f"share the value {value!r}")
                entries[value] = (code, tuple(templates))
        kinds = {type(code) for code, _ in entries.values() if isinstance(code, StrEnum)}
        missing = [m for kind in kinds for m in kind
                   if m.value not in entries or type(entries[m.value][0]) is not kind]
        if missing:
            raise ValueError(f"{program}: no words for {', '.join(map(repr, missing))}")
        self._entries: Mapping[str, tuple[str, tuple[Words, ...]]] = MappingProxyType(entries)

    def __repr__(self) -> str:
        return f"Catalogue({self.program!r}, {len(self._entries)} codes)"

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and str(code) in self._entries

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code, as given (enumeration members or strings)."""
        return tuple(code for code, _ in self._entries.values())

    def template(self, code: str) -> Words:
        """The first (fullest) template of ``code``, unformatted."""
        return self._templates(code)[0]

    def _templates(self, code: str) -> tuple[Words, ...]:
        entry = self._entries.get(str(code))
        if entry is None:
            raise KeyError(f"{self.program}: no words for {code!r}")
        return entry[1]

    def words(self, code: str | Coded, /, **params: Any) -> Words:
        """The words of ``code`` (or of an error or state that has one) with ``params``."""
        if not isinstance(code, str):
            params = {**code.params, **params}
            code = code.code
        templates = self._templates(code)
        given = {k for k, v in params.items() if v is not None}
        for words in templates:
            if _fields(words.zh) | _fields(words.en) <= given:
                return Words(words.zh.format(**params), words.en.format(**params))
        missing = sorted((_fields(templates[-1].zh) | _fields(templates[-1].en)) - given)
        raise KeyError(f"{self.program}: {code!r} needs {', '.join(missing)}")

    def zh(self, code: str | Coded, /, **params: Any) -> str:
        return self.words(code, **params).zh

    def en(self, code: str | Coded, /, **params: Any) -> str:
        return self.words(code, **params).en

    def text(self, code: str | Coded, lang: Lang, /, **params: Any) -> str:
        words = self.words(code, **params)
        return words.zh if lang == "zh" else words.en

    def line(self, item: Coded, detail: str | None = None) -> str:
        """One line for a person about an error: its Chinese, then its English ``detail``
        (``str(item)`` by default: the message with the particulars)."""
        return f"{self.zh(item)} / {str(item) if detail is None else detail}"

    def openapi(self, *, description: str = "") -> dict[str, Any]:
        """The codes as an OpenAPI string enumeration, with their words (``x-messages``)."""
        schema: dict[str, Any] = {
            "type": "string",
            "enum": list(self._entries),
            "x-messages": {value: {"zh": t[0].zh, "en": t[0].en}
                           for value, (_, t) in self._entries.items()},
        }
        if description:
            schema["description"] = description
        return schema
