"""Device kinds chosen by name, imported on first use: one registry style for every family.

python-can's interface registry, once for the whole stack: a family (reader backends, printer
links, cameras, ID-card readers, SAMs) is a table ``name -> "module:Class"``; a device is chosen
by a URL or spec whose first part is the name (``tcp://HOST:9100``, ``sim:default``,
``pcsc:Virtual PCD 00 01``), and only the chosen kind's module is imported, when it is opened::

    CAMERAS: Registry[Camera] = Registry("camera URL", {
        "v4l2": "drivers.scanner.camera:DeviceCamera",
        "file": "drivers.scanner.camera:FileCamera",
        "sim": "drivers.scanner.camera:SimCamera",
    }, forms={"v4l2": "v4l2:N", "file": "file:PATH", "sim": "sim:NAME"})
    name, rest = CAMERAS.split("sim:default")       # ("sim", "default")
    kind = CAMERAS.load(name)                       # the class; LookupError for an unknown name

A new kind of device is one class (in its family's shape) and one entry here. Plumbing: this
module imports nothing of ours, so drivers may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Generic, TypeVar

__all__ = ["Registry", "UnknownKind"]


class UnknownKind(LookupError):
    """No kind of that name in the family (the message lists the known ones)."""


T = TypeVar("T")


class Registry(Generic[T]):
    """``name -> "module:Class"`` for one family of devices (``T``: the family's base class)."""

    def __init__(self, what: str, entries: Mapping[str, str],
                 forms: Mapping[str, str] | None = None) -> None:
        """``what`` names the family in messages (``"printer URL"``); ``forms`` shows how each
        kind is written (default ``name://``)."""
        for name, target in entries.items():
            module, sep, attr = target.partition(":")
            if not (name and module and sep and attr):
                raise ValueError(f"{what}: {name!r} -> {target!r} is not 'module:Class'")
        self.what = what
        self.entries: Mapping[str, str] = MappingProxyType(dict(entries))
        self.forms: Mapping[str, str] = MappingProxyType(
            {name: (forms or {}).get(name, f"{name}://") for name in entries})

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {sorted(self.entries)})"

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def unknown(self, text: str) -> UnknownKind:
        """The error for a URL or spec that names no kind of this family."""
        return UnknownKind(f"unknown {self.what} {text!r} "
                           f"(known: {', '.join(self.forms.values())})")

    def split(self, text: str, sep: str = ":") -> tuple[str, str]:
        """``"sim:default"`` -> ``("sim", "default")``; :class:`UnknownKind` when the part
        before ``sep`` is not a kind of this family."""
        name, found, rest = text.partition(sep)
        if not found or name not in self.entries:
            raise self.unknown(text)
        return name, rest

    def load(self, name: str) -> type[T]:
        """The class registered as ``name``, its module imported now (first use)."""
        target = self.entries.get(name)
        if target is None:
            raise self.unknown(name)
        module, _, attr = target.partition(":")
        kind: type[T] = getattr(importlib.import_module(module), attr)
        return kind
