"""Every word the kiosk shows, in Chinese and English, from one message catalogue.

The catalogue is the TOML files in ``kiosk/text/``: ``[section] key = ["中文", "English"]``,
flattened to stable codes ``section_key``. QML binds to :class:`Messages` (a property map:
``text: T.home_title``); switching the language replaces every value, so every binding updates
at once. View-models format parameterised texts with :meth:`Catalogue.text`
(``{n}`` placeholders, ``str.format``). A code with no entry shows the code itself and is
logged once, so a missing string is seen, never a crash.

This is the one module to change when the shared code -> words mechanism of ``config/``
arrives (issue 9): the rest of the kiosk only calls :class:`Catalogue` and :class:`Messages`.
"""

from __future__ import annotations

import logging
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from PySide6.QtCore import QObject
from PySide6.QtQml import QQmlPropertyMap

log = logging.getLogger(__name__)

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class CatalogueError(Exception):
    """A message file is malformed (a packaging mistake: found by the tests)."""


@dataclass(frozen=True)
class Catalogue:
    """Stable code -> (Chinese, English)."""

    entries: Mapping[str, tuple[str, str]]

    @classmethod
    def load(cls) -> Catalogue:
        """The kiosk's own catalogue (every ``kiosk/text/*.toml``)."""
        folder = resources.files("kiosk") / "text"
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")),
                       key=lambda f: f.name)
        return cls.from_tables((f.name, tomllib.loads(f.read_text("utf-8"))) for f in files)

    @classmethod
    def from_tables(cls, tables: Iterable[tuple[str, Mapping[str, Any]]]) -> Catalogue:
        entries: dict[str, tuple[str, str]] = {}
        for source, table in tables:
            for section, keys in table.items():
                if not isinstance(keys, Mapping):
                    raise CatalogueError(f"{source}: [{section}] must be a table")
                for key, pair in keys.items():
                    code = f"{section}_{key}"
                    if (not isinstance(pair, list) or len(pair) != 2
                            or not all(isinstance(p, str) and p for p in pair)):
                        raise CatalogueError(f"{source}: {code} must be [\"中文\", \"English\"]")
                    if code in entries:
                        raise CatalogueError(f"{source}: {code} is defined twice")
                    entries[code] = (pair[0], pair[1])
        return cls(entries)

    def text(self, code: str, lang: Lang, /, **params: object) -> str:
        pair = self.entries.get(code)
        if pair is None:
            log.warning("kiosk.i18n.missing %s", code, extra={"event": "kiosk.i18n.missing",
                                                              "code": code})
            return code
        words = pair[0] if lang == "zh" else pair[1]
        return words.format(**params) if params else words

    def both(self, code: str, /, **params: object) -> tuple[str, str]:
        return self.text(code, "zh", **params), self.text(code, "en", **params)


class Messages(QQmlPropertyMap):
    """The catalogue in one language as a QML property map (``T.home_title``)."""

    def __init__(self, catalogue: Catalogue, lang: Lang = "zh",
                 parent: QObject | None = None) -> None:
        with warnings.catch_warnings():
            # PySide6 marks QQmlPropertyMap(QObject*) deprecated; it is the only constructor
            # Python can call and the class is the documented way to bind a map in QML.
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(parent)
        self.catalogue = catalogue
        self.lang: Lang = lang
        self.set_language(lang)

    def set_language(self, lang: Lang) -> None:
        self.lang = lang
        index = 0 if lang == "zh" else 1
        for code, pair in self.catalogue.entries.items():
            self.insert(code, pair[index])

    def updateValue(self, key: str, input: Any) -> Any:  # noqa: N802 - Qt's names
        """QML may not write into the catalogue: keep the old value."""
        return self.value(key)


def pick(text: Mapping[str, str] | None, lang: Lang) -> str:
    """A catalogue ``Text`` object (``{"zh": ..., "en": ...}``) in ``lang`` (zh as fallback)."""
    if not text:
        return ""
    return text.get(lang) or text.get("zh") or ""
