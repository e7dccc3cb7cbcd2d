"""One exception tree: every card-service error has exactly one exception parent (data mixins
aside), so its family (device, card, refusal, configuration) is never in doubt."""

from __future__ import annotations

import importlib

import pytest

from cardsvc.errors import CardServiceError
from cardsvc.sam.errors import SamError

MODULES = ("cardsvc.errors", "cardsvc.load_authority", "cardsvc.clearing_client",
           "cardsvc.sam.errors", "cardsvc.journal", "cardsvc.client", "cardsvc.runtime_ops")


def _all(root: type) -> list[type]:
    out, todo = [], [root]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


@pytest.mark.parametrize("root", [CardServiceError, SamError])
def test_no_error_class_has_two_exception_parents(root: type) -> None:
    for name in MODULES:
        importlib.import_module(name)
    classes = _all(root)
    assert len(classes) > 5
    diamonds = [cls.__qualname__ for cls in classes
                if len([b for b in cls.__bases__ if issubclass(b, BaseException)]) != 1]
    assert diamonds == []
