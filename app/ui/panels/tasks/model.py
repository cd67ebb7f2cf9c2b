"""Tasks table model: every task loaded once, filtered in Python (fast for 50,000)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.core.common.dtg import format_dtg
from app.core.mapdoc.styles import TASK_STATUS_COLOURS
from app.core.tasks.queries import TaskRow
from app.core.tasks.records import (
    filter_tasks,
    priority_label,
    sort_key_urgency,
    status_label,
    type_label,
)
from app.i18n import _
from app.ui.models.table import RowsTableModel, plain_tooltip
from app.ui.panels.units.model import UNIT_MIME

Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 2
PRIORITY_COLOURS = {
    "flash": "#b71c1c",
    "immediate": "#e65100",
    "priority": "#1565c0",
    "routine": "#424242",
}
STATUS_COLOURS = TASK_STATUS_COLOURS


class TasksModel(RowsTableModel):
    REF, TITLE, TYPE, PRIORITY, STATUS, UNITS, DUE = range(7)

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[TaskRow] = []
        self.rows: list[TaskRow] = []
        self.row_of: dict[str, int] = {}
        self.criteria: dict[str, Any] = {}
        self.now = datetime.now(UTC)

    def headers(self) -> list[str]:
        return [_("Ref."), _("Task"), _("Type"), _("Priority"), _("Status"), _("Units"), _("Due")]

    def items(self) -> list[TaskRow]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.REF:
                return row.reference
            if col == self.TITLE:
                return row.title
            if col == self.TYPE:
                return type_label(row.type)
            if col == self.PRIORITY:
                return priority_label(row.priority)
            if col == self.STATUS:
                return status_label(row.status)
            if col == self.UNITS:
                return ", ".join(row.assigned_callsigns)
            if col == self.DUE:
                return format_dtg(row.due) if row.due else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.PRIORITY:
                return QBrush(QColor(PRIORITY_COLOURS.get(row.priority, "#000")))
            if col == self.STATUS:
                return QBrush(QColor(STATUS_COLOURS.get(row.status, "#000")))
            if col == self.DUE and row.overdue:
                return QBrush(QColor("#ffffff"))
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue and col == self.DUE:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole:
            text = f"{row.reference} {row.title}\n{row.description}"
            if row.overdue:
                text += "\n" + _("overdue")
            return plain_tooltip(text)
        return None

    # ---------------------------------------------------------------- drops: units onto a task
    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return (
            base | Qt.ItemFlag.ItemIsDropEnabled
            if index.isValid()
            else base | Qt.ItemFlag.ItemIsDropEnabled
        )

    def mimeTypes(self) -> list[str]:
        return [UNIT_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(UNIT_MIME) and parent.isValid()

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        unit_ids = bytes(data.data(UNIT_MIME).data()).decode().split()
        self.on_units_dropped(self.rows[parent.row()].id, unit_ids)
        return True

    def on_units_dropped(self, task_id: str, unit_ids: list[str]) -> None:
        """Set by the panel: assign the dropped units (through a core operation)."""

    # ---------------------------------------------------------------- contents
    def set_rows(self, rows: list[TaskRow]) -> None:
        self.all_rows = sorted(rows, key=sort_key_urgency)
        self.refilter()

    def set_criteria(self, **criteria: Any) -> None:
        self.criteria = criteria
        self.refilter()

    def refilter(self) -> None:
        self.beginResetModel()
        self.rows = filter_tasks(self.all_rows, **self.criteria)
        self.row_of = {r.id: i for i, r in enumerate(self.rows)}
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        keys = {
            self.REF: lambda r: r.reference,
            self.TITLE: lambda r: r.title.casefold(),
            self.TYPE: lambda r: r.type,
            self.PRIORITY: sort_key_urgency,
            self.STATUS: lambda r: r.status,
            self.UNITS: lambda r: ", ".join(r.assigned_callsigns),
            self.DUE: lambda r: r.due.timestamp() if r.due else float("inf"),
        }
        self.layoutAboutToBeChanged.emit()
        self.all_rows.sort(key=keys[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = filter_tasks(self.all_rows, **self.criteria)
        self.row_of = {r.id: i for i, r in enumerate(self.rows)}
        self.layoutChanged.emit()
