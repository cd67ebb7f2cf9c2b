"""The Units dock widget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.events import Changed
from app.core.picture.queries import UnitRow, changed_units, list_units
from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.units.model import ID_ROLE, UnitsFilter, UnitsModel
from app.ui.symbols import SymbolIcons

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class UnitsPanel(QWidget):
    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, symbol_page: Any = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.icons = SymbolIcons(ctx.runner, parent=self, page=symbol_page)
        ctx.sig_picture_shown.connect(self.icons.resume)
        self.model = UnitsModel(self.icons)
        self.proxy = UnitsFilter()
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(_("Filter by name, callsign, nation, echelon or SIDC"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.table = QTableView(self)
        self.table.setObjectName("unitsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(UnitsModel.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setDragEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((62, 170, 100, 50, 82, 76, 128, 104)):
            self.table.setColumnWidth(col, width)
        self.count = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.sig_unit_selected.connect(self._select)
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.reload)  # the map first: it is what the watchkeeper looks at

    def reload(self) -> None:
        self.ctx.runner.submit(list_units, self.ctx.store, on_done=self._loaded)

    def _loaded(self, rows: list[UnitRow]) -> None:
        self.model.reset_rows(rows)
        self._update_count()

    def _on_changed(self, changes: list[Changed]) -> None:
        ids: set[str] = set()
        for change in changes:
            if change.kind != "unit":
                continue
            if change.positions:  # moves: the event has what the table shows
                self.model.move(change.positions, change.at)
            ids |= change.ids - {p[0] for p in change.positions}
        if ids:
            self.ctx.runner.submit(changed_units, self.ctx.store, ids, on_done=self._apply)

    def _apply(self, result: tuple[list[UnitRow], set[str]]) -> None:
        rows, removed = result
        self.model.apply(rows, removed)
        self._update_count()

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(_("{shown} of {total} units").format(shown=shown, total=total))

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        unit_id = rows[0].data(ID_ROLE) if rows else ""
        self.ctx.select_unit(unit_id or "", "units")

    def _select(self, unit_id: str, source: str) -> None:
        if source == "units":
            return
        selection = self.table.selectionModel()
        row = self.model.row_of.get(unit_id) if unit_id else None
        if row is None:
            selection.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return
        selection.blockSignals(True)
        selection.select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        selection.blockSignals(False)
        self.table.viewport().update()
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)


def build(window: MainWindow) -> UnitsPanel:
    return UnitsPanel(window.ctx, symbol_page=window.map_view.symbol_images)
