"""The Tasks dock: table with filters, a board by status, the task's detail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.events import Changed, RecordKind
from app.core.tasks import ops as task_ops
from app.core.tasks.queries import TaskRow, list_tasks, task_history
from app.core.tasks.records import (
    FINAL_STATUSES,
    PRIORITIES,
    STATUSES,
    WorkflowError,
    allowed_statuses,
    priority_label,
    status_label,
    type_label,
)
from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.tasks.form import TaskForm
from app.ui.panels.tasks.model import ID_ROLE, STATUS_COLOURS, TasksModel

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class TasksPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = TasksModel()
        self.model.on_units_dropped = self.assign_units  # type: ignore[method-assign]
        self.selected = ""
        # filters
        self.status = QComboBox(self)
        self.status.addItem(_("All statuses"), None)
        for s in STATUSES:
            self.status.addItem(status_label(s), s)
        self.priority = QComboBox(self)
        self.priority.addItem(_("All priorities"), None)
        for p in reversed(PRIORITIES):
            self.priority.addItem(priority_label(p), p)
        self.unit = QComboBox(self)
        self.unit.setObjectName("unitFilter")
        self.unit.addItem(_("All units"), None)
        self.overdue = QCheckBox(_("Overdue only"), self)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(_("Filter by reference, title, unit…"))
        self.text.setClearButtonEnabled(True)
        for signal in (
            self.status.currentIndexChanged,
            self.priority.currentIndexChanged,
            self.unit.currentIndexChanged,
            self.overdue.toggled,
            self.text.textChanged,
        ):
            signal.connect(self._filter)
        bar = QHBoxLayout()
        for w in (self.status, self.priority, self.unit, self.overdue, self.text):
            bar.addWidget(w)
        # table
        self.table = QTableView(self)
        self.table.setObjectName("tasksTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().sectionClicked.connect(self._sort)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setAcceptDrops(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.table.setDropIndicatorShown(True)
        self.table.viewport().setAcceptDrops(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((72, 250, 110, 72, 84, 120)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # board
        self.board = QWidget(self)
        board_layout = QHBoxLayout(self.board)
        board_layout.setContentsMargins(0, 0, 0, 0)
        self.columns: dict[str, QListWidget] = {}
        for s in STATUSES:
            column = QVBoxLayout()
            label = status_label(s)
            title = QLabel(label[:1].upper() + label[1:], self.board)
            title.setStyleSheet(f"font-weight: bold; color: {STATUS_COLOURS[s]};")
            listing = QListWidget(self.board)
            listing.setObjectName(f"board_{s}")
            listing.setWordWrap(True)
            listing.setSpacing(2)
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            listing.itemClicked.connect(lambda item: self.select(item.data(ID_ROLE), "board"))
            listing.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            listing.customContextMenuRequested.connect(
                lambda pos, lw=listing: self._board_menu(lw, pos)
            )
            column.addWidget(title)
            column.addWidget(listing)
            board_layout.addLayout(column)
            self.columns[s] = listing
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, _("Table"))
        self.tabs.addTab(self.board, _("Board"))
        # detail
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("taskDetail")
        self.detail.setReadOnly(True)
        self.status_button = QPushButton(_("Change status…"), self)
        self.status_button.setEnabled(False)
        self.status_button.clicked.connect(self._status_menu)
        self.new_button = QPushButton(_("New task…"), self)
        self.new_button.clicked.connect(lambda: self.open_form(None))
        self.edit_button = QPushButton(_("Edit…"), self)
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(lambda: self.open_form(self._row(self.selected)))
        detail_box = QWidget(self)
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.status_button):
            buttons.addWidget(button)
        detail_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(detail_box)
        splitter.setSizes([400, 160])
        self.count = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter)
        layout.addWidget(self.count)
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.sig_task_selected.connect(self._selected_elsewhere)
        ctx.when_picture_shown(self.reload)  # the map first: it is what the watchkeeper looks at

    # ---------------------------------------------------------------- data
    def reload(self) -> None:
        self.ctx.runner.submit(list_tasks, self.ctx.store, on_done=self._loaded)

    def _loaded(self, rows: list[TaskRow]) -> None:
        self.model.set_rows(rows)
        self._fill_units(rows)
        self._fill_board()
        self._update_count()
        if self.selected:
            self._show_detail(self.selected)

    def _on_changed(self, changes: list[Changed]) -> None:
        if any(
            c.kind in (RecordKind.TASK, RecordKind.UNIT)
            and (c.kind == RecordKind.TASK or c.removed or c.added)
            for c in changes
        ):
            self.reload()

    def _fill_units(self, rows: list[TaskRow]) -> None:
        """The unit filter offers the units that have tasks, by callsign."""
        current = self.unit.currentData()
        units = sorted(
            {
                (c, u)
                for r in rows
                for u, c in zip(r.assigned_units, r.assigned_callsigns, strict=False)
            }
        )
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(_("All units"), None)
        for callsign, unit_id in units:
            self.unit.addItem(callsign, unit_id)
        self.unit.setCurrentIndex(max(0, self.unit.findData(current)))
        self.unit.blockSignals(False)

    def _filter(self) -> None:
        self.model.set_criteria(
            status=self.status.currentData(),
            priority=self.priority.currentData(),
            unit_id=self.unit.currentData(),
            overdue=True if self.overdue.isChecked() else None,
            text=self.text.text(),
        )
        self._fill_board()
        self._update_count()

    def _sort(self, column: int) -> None:
        header = self.table.horizontalHeader()
        order = (
            Qt.SortOrder.DescendingOrder
            if header.sortIndicatorSection() == column
            and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        self.model.sort(column, order)

    def _update_count(self) -> None:
        overdue = sum(1 for r in self.model.all_rows if r.overdue)
        self.count.setText(
            _("{shown} of {total} tasks · {overdue} overdue").format(
                shown=self.model.rowCount(), total=len(self.model.all_rows), overdue=overdue
            )
        )

    def _fill_board(self) -> None:
        for listing in self.columns.values():
            listing.clear()
        for row in self.model.rows[:2000]:  # the board is for reading, not for 50,000 cards
            item = QListWidgetItem(f"{row.reference} · {row.title}")
            item.setData(ID_ROLE, row.id)
            if row.overdue:
                item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(_("overdue"))
            self.columns[row.status].addItem(item)

    # ---------------------------------------------------------------- selection
    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select(rows[0].data(ID_ROLE), "tasks")

    def select(self, task_id: str, source: str) -> None:
        if task_id and task_id != self.selected:
            self.selected = task_id
            self.ctx.sig_task_selected.emit(task_id, source)
        self._show_detail(task_id)

    def _selected_elsewhere(self, task_id: str, source: str) -> None:
        if source in ("tasks", "board"):
            return
        self.selected = task_id
        row = self.model.row_of.get(task_id)
        if row is not None:
            selection = self.table.selectionModel()
            selection.blockSignals(True)
            selection.select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            selection.blockSignals(False)
            self.table.scrollTo(self.model.index(row, 0))
            self.table.viewport().update()
        self._show_detail(task_id)

    def _row(self, task_id: str) -> TaskRow | None:
        return next((r for r in self.model.all_rows if r.id == task_id), None)

    def _show_detail(self, task_id: str) -> None:
        row = self._row(task_id)
        self.status_button.setEnabled(row is not None)
        self.edit_button.setEnabled(row is not None)
        if row is None:
            self.detail.clear()
            return
        self.ctx.runner.submit(
            task_history, self.ctx.store, task_id, on_done=lambda h: self._detail(row, h)
        )

    def _detail(self, row: TaskRow, history: list[Any]) -> None:
        lines = [
            f"{row.reference} — {row.title}",
            _("Type: {value}").format(value=type_label(row.type)),
            _("Priority: {value}").format(value=priority_label(row.priority)),
            _("Status: {value}").format(value=status_label(row.status))
            + ("  " + _("(overdue)") if row.overdue else ""),
            _("Units: {value}").format(value=", ".join(row.assigned_callsigns) or "—"),
            _("Originator: {value}").format(value=row.originator or "—"),
            _("Start: {start}   Due: {due}").format(
                start=format_dtg(row.start) if row.start else "—",
                due=format_dtg(row.due) if row.due else "—",
            ),
            _("Marking: {value}").format(value=f"{row.classification} // {row.releasable_to}"),
            "",
            row.description,
            "",
            _("History:"),
        ]
        for h in history[-12:]:
            lines.append(
                f"  {format_dtg(h.at)}  {h.who}: {h.what} {h.old or ''} → {h.new or ''} {h.reason or ''}".rstrip()
            )
        self.detail.setPlainText("\n".join(lines))

    # ---------------------------------------------------------------- operations
    def open_form(self, row: TaskRow | None) -> TaskForm:
        form = TaskForm(row.to_data() if row else None, self)
        form.accepted.connect(lambda: self._save(form))
        form.open()
        self.form = form
        return form

    def _save(self, form: TaskForm) -> None:
        if form.result_task is not None:
            self.ctx.runner.submit(
                task_ops.add_tasks, self.ctx.store, [form.result_task], on_error=self._refused
            )

    def assign_units(self, task_id: str, unit_ids: list[str]) -> None:
        self.ctx.runner.submit(
            task_ops.assign_units,
            self.ctx.store,
            task_id,
            unit_ids,
            on_error=lambda exc: self.ctx.sig_status.emit(str(exc)),
        )

    def _status_menu(self) -> None:
        row = self._row(self.selected)
        if row is not None:
            self._menu_for(row).popup(
                self.status_button.mapToGlobal(self.status_button.rect().bottomLeft())
            )

    def _board_menu(self, listing: QListWidget, pos: Any) -> None:
        item = listing.itemAt(pos)
        row = self._row(item.data(ID_ROLE)) if item else None
        if row is not None:
            self._menu_for(row).popup(listing.viewport().mapToGlobal(pos))

    def _menu_for(self, row: TaskRow) -> QMenu:
        menu = QMenu(self)
        for status in allowed_statuses(row.status, bool(row.assigned_units), has_reason=True):
            action = menu.addAction(status_label(status))
            action.triggered.connect(lambda _c=False, s=status, r=row: self.change_status(r, s))
        self._menu = menu
        return menu

    def change_status(self, row: TaskRow, status: str, reason: str | None = None) -> None:
        if reason is None and row.status in FINAL_STATUSES:
            reason, ok = QInputDialog.getText(
                self,
                _("Reopen task"),
                _("Why is {reference} reopened?").format(reference=row.reference),
            )
            if not ok:
                return
        self.ctx.runner.submit(
            task_ops.set_status,
            self.ctx.store,
            row.id,
            status,
            reason or "",
            on_error=self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, WorkflowError):
            self.ctx.sig_status.emit(str(exc))
        else:
            self.ctx.runner.sig_error.emit(str(exc))


def build(window: MainWindow) -> TasksPanel:
    return TasksPanel(window.ctx)
