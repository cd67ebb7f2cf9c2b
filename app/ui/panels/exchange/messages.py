"""The Messages dock: the chat log (CoT ``b-t-f``), newest at the bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.events import Changed
from app.core.exchange.ops import MESSAGE_KIND
from app.core.exchange.queries import MessageRow, list_messages
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import RowsTableModel, plain_tooltip

if TYPE_CHECKING:
    from app.ui.panels.exchange.feed import FeedController
    from app.ui.panels.exchange.panel import ExchangeMenu
    from app.ui.panels.exchange.routes import RoutesOnMap

Index = QModelIndex | QPersistentModelIndex
SHOWN = 1000


class MessagesModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MessageRow] = []

    def headers(self) -> list[str]:
        return [_("Time (DTG)"), _("From"), _("Room"), _("Message")]

    def items(self) -> list[MessageRow]:
        return self.rows

    def set_rows(self, rows: list[MessageRow]) -> None:
        self.beginResetModel()
        self.rows = rows[-SHOWN:]
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        values = (
            format_dtg(row.sent_at),
            row.sender_callsign or row.sender_uid,
            row.chatroom,
            row.text,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return values[index.column()].replace("\n", " ")
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(values[index.column()])  # what was typed is never markup
        return None


class MessagesPanel(QWidget):
    feed: FeedController
    """The live CoT feed (set when the Exchange pieces are built)."""
    menu: ExchangeMenu
    """The Exchange menu: exports, routes on the map, the feed's switches."""
    routes: RoutesOnMap
    """The routes layer of the map."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = MessagesModel()
        self.table = QTableView(self)
        self.table.setObjectName("messagesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel(
            _(
                "No messages yet: chat heard on the live feed or imported from CoT files shows here."
            ),
            self,
        )
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.reload)

    def reload(self) -> None:
        self.ctx.runner.submit(list_messages, self.ctx.store, limit=SHOWN, on_done=self._show)

    def _show(self, rows: list[MessageRow]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.scrollToBottom()

    def _on_changed(self, changes: list[Changed]) -> None:
        if any(c.kind == MESSAGE_KIND for c in changes):
            self.reload()
