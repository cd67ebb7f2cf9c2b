"""The Supply dock's tables: a read-only table model of plain rows (a header and a
getter per column), the table view every tab uses, and how levels, quantities and
days are shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.i18n import _
from app.ui.models.table import RowsTableModel, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
LEVEL_COLOURS = {"red": "#ef9a9a", "amber": "#ffe082", "green": "#a5d6a7", "none": "#eceff1"}
LEVEL_TEXT = {"red": "#b71c1c", "amber": "#8a5a00", "green": "#1b5e20", "none": "#546e7a"}
STATUS_COLOURS = {
    "planned": "#1565c0",
    "in_transit": "#e65100",
    "arrived": "#2e7d32",
    "cancelled": "#757575",
}


def level_label(level: str) -> str:
    return {
        "red": _("red"),
        "amber": _("amber"),
        "green": _("green"),
        "none": _("no consumption"),
    }.get(level, level)


def count_text(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def rate_text(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


Column = tuple[str, Callable[[Any], Any]]


class ColumnsModel(RowsTableModel):
    """A read-only table of plain rows: each column a header and a getter;
    ``colour`` gives a (background, foreground) for a row and column."""

    def __init__(
        self,
        columns: Sequence[Column],
        colour: Callable[[Any, int], tuple[str, str] | None] | None = None,
        numeric: Sequence[int] = (),
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.colour = colour
        self.numeric = set(numeric)

    def headers(self) -> list[str]:
        return [c[0] for c in self.columns]

    def items(self) -> list[Any]:
        return self.rows

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.columns[col][1](row)
            text = "" if value is None else str(value)
            return (
                text
                if role == Qt.ItemDataRole.DisplayRole
                else plain_tooltip(text)
                if text
                else None
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self.colour and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            pair = self.colour(row, col)
            if pair:
                return QBrush(
                    QColor(pair[0] if role == Qt.ItemDataRole.BackgroundRole else pair[1])
                )
        return None


def make_table(model: ColumnsModel, name: str, widths: Sequence[int] = ()) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    return view


def level_colour(level: str) -> tuple[str, str]:
    return LEVEL_COLOURS.get(level, "#fff"), LEVEL_TEXT.get(level, "#000")
