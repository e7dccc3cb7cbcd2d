"""One list model for every list on screen: rows of plain values, roles named after keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
    Slot,
)

Index = QModelIndex | QPersistentModelIndex


class Rows(QAbstractListModel):
    """``Rows(["code", "name"])``; ``replace([{...}, ...])`` resets the rows."""

    countChanged = Signal()  # noqa: N815 - QML's name

    def __init__(self, roles: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roles = tuple(roles)
        self._rows: list[Mapping[str, Any]] = []

    def replace(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()
        self.countChanged.emit()

    def update(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Like :meth:`replace`, but rows that stay are changed in place and rows are added or
        removed at the end: the views keep their delegates (a reset rebuilds every one of them
        on the UI thread)."""
        new = [dict(r) for r in rows]
        old = len(self._rows)
        if len(new) < old:
            self.beginRemoveRows(QModelIndex(), len(new), old - 1)
            del self._rows[len(new):]
            self.endRemoveRows()
        for i, row in enumerate(new[:len(self._rows)]):
            if row != self._rows[i]:
                self._rows[i] = row
                at = self.index(i, 0)
                self.dataChanged.emit(at, at)
        if len(new) > len(self._rows):
            self.beginInsertRows(QModelIndex(), len(self._rows), len(new) - 1)
            self._rows.extend(new[len(self._rows):])
            self.endInsertRows()
        if len(new) != old:
            self.countChanged.emit()

    def clear(self) -> None:
        self.replace([])

    def rows(self) -> list[Mapping[str, Any]]:
        return list(self._rows)

    @Property(int, notify=countChanged)
    def count(self) -> int:
        return len(self._rows)

    @Slot(int, result="QVariantMap")
    def get(self, row: int) -> dict[str, Any]:
        return dict(self._rows[row]) if 0 <= row < len(self._rows) else {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key = self._key(role)
        return self._rows[index.row()].get(key) if key else None

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 - Qt's API
        base = 0x0100  # Qt.UserRole
        return {base + i: QByteArray(name.encode()) for i, name in enumerate(self._roles)}

    def _key(self, role: int) -> str:
        i = role - 0x0100
        return self._roles[i] if 0 <= i < len(self._roles) else ""
