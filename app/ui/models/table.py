"""The part every flat table model of the panels shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6 import QtGui
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as typed: Qt renders a tooltip that looks like
    markup as rich text.  (``Qt.convertFromPlainText`` lives in QtGui, not QtCore.)"""
    return QtGui.Qt.convertFromPlainText(text)


class RowsTableModel(QAbstractTableModel):
    """A flat table: ``items()`` are its rows, ``headers()`` its column titles."""

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def items(self) -> Sequence[Any]:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        # Qt asks for this on every index it checks (hundreds of thousands of
        # times when a big table sorts): count the titles once
        count = self.__dict__.get("_column_count")
        if count is None:
            count = self.__dict__["_column_count"] = len(self.headers())
        return 0 if parent.isValid() else count

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
