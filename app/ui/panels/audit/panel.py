"""The Audit dock: every change to the store, newest first, filtered by who,
by kind of record, by text and by time; exported as CSV in the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.events import Changed
from app.core.store.audit import (
    AuditFilter,
    AuditPage,
    AuditRow,
    audit_page,
    describe_op,
    export_audit,
)
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import RowsTableModel, plain_tooltip

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
SHOWN = 2000  # newest changes shown; the export writes them all


class AuditModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AuditRow] = []

    def headers(self) -> list[str]:
        return [_("When"), _("Who"), _("Kind"), _("Record"), _("Change"), _("Fields")]

    def items(self) -> list[AuditRow]:
        return self.rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.dtg,
                row.who,
                row.kind,
                row.record or row.record_id,
                describe_op(row.op),
                row.fields,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            # plain text: what users typed is never rendered as markup
            return plain_tooltip(
                f"{row.at.isoformat()}\n{row.who} @ {row.site}\n{row.kind} {row.record_id}\n{row.fields}"
            )
        return None

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class AuditPanel(QWidget):
    PERIODS = (
        ("all", None),
        ("1h", timedelta(hours=1)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = AuditModel()
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(_("Filter by record id or changed value"))
        self.text.setClearButtonEnabled(True)
        self.who = QComboBox(self)
        self.kind = QComboBox(self)
        self.period = QComboBox(self)
        for key, label in zip(
            (p[0] for p in self.PERIODS),
            (_("any time"), _("last hour"), _("last 24 hours"), _("last 7 days")),
            strict=True,
        ):
            self.period.addItem(label, key)
        self.export_button = QPushButton(_("Export CSV…"), self)
        self.export_button.clicked.connect(self.ask_export)
        filters = QHBoxLayout()
        filters.addWidget(self.text, 2)
        filters.addWidget(self.who, 1)
        filters.addWidget(self.kind, 1)
        filters.addWidget(self.period, 1)
        filters.addWidget(self.export_button)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((110, 90, 90, 200, 80)):
            self.table.setColumnWidth(col, width)
        self.count = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        # typing and a stream of changes both end in one reload, not one each
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(300)
        self._reload_timer.timeout.connect(self.reload)
        self.text.textChanged.connect(self._reload_timer.start)
        for combo in (self.who, self.kind, self.period):
            combo.currentIndexChanged.connect(self._reload_timer.start)
        self._set_choices(([], []))
        self._loading = False
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.reload)

    def _set_choices(self, choices: tuple[list[str], list[str]]) -> None:
        who, kinds = choices
        for combo, everyone, values in (
            (self.who, _("everyone"), who),
            (self.kind, _("every kind"), kinds),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for value in values:
                combo.addItem(value, value)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        period = dict(self.PERIODS)[self.period.currentData() or "all"]
        return AuditFilter(
            who=self.who.currentData(),
            kind=self.kind.currentData(),
            text=self.text.text().strip() or None,
            since=datetime.now(UTC) - period if period else None,
        )

    def reload(self) -> None:
        if self._loading:
            self._reload_timer.start()
            return
        self._loading = True
        self.ctx.runner.submit(
            audit_page,
            self.ctx.store,
            self.current_filter(),
            SHOWN,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.ctx.runner.sig_error.emit(str(exc))

    def _loaded(self, result: AuditPage) -> None:
        self._loading = False
        rows, total, choices = result
        self._set_choices(choices)
        self.model.set_rows(rows)
        self.count.setText(_("{shown} of {total} changes").format(shown=len(rows), total=total))

    def _on_changed(self, changes: list[Changed]) -> None:
        if self.isVisible() and changes:
            self._reload_timer.start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._reload_timer.start()

    def ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the change history"), "audit.csv", _("CSV (*.csv)")
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> Any:
        self.export_button.setEnabled(False)

        def done(n: int) -> None:
            self.export_button.setEnabled(True)
            self.ctx.sig_status.emit(
                _("Exported {n} changes to {path}").format(n=n, path=path.name)
            )

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.ctx.runner.sig_error.emit(str(exc))

        return self.ctx.runner.submit(
            export_audit, self.ctx.store, path, self.current_filter(), on_done=done, on_error=failed
        )


def build(window: MainWindow) -> AuditPanel:
    return AuditPanel(window.ctx)
