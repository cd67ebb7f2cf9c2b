"""The Supply dock's Stock tab: stock on hand by site and item, with the stock and
consumption charts of the line selected, and the form to record a stock movement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.supply.tables import (
    ColumnsModel,
    count_text,
    days_text,
    level_colour,
    make_table,
    rate_text,
)

if TYPE_CHECKING:
    from app.core.supply.indicators import SiteSummary, StockHistory
    from app.core.supply.queries import ItemRow, SupplyOverview


class StockTab(QWidget):
    """Stock lines filtered by site; selecting one draws its charts."""

    sig_chart_shown = Signal(str, str)
    """The charts now show this site and item (ids)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.ui.panels.supply.charts import ConsumptionChart, StockChart

        self.ctx = ctx
        self.view: SupplyOverview | None = None
        self.chart_key: tuple[str, str] | None = None
        self.site_filter = QComboBox(self)
        self.site_filter.setObjectName("supplySiteFilter")
        self.site_filter.addItem(_("All sites"), None)
        self.site_filter.currentIndexChanged.connect(self._fill_stock)
        self.model = ColumnsModel(
            [
                (_("Site"), lambda r: r.site),
                (_("Item"), lambda r: r.item),
                (_("Unit"), lambda r: r.unit),
                (_("On hand"), lambda r: count_text(r.on_hand)),
                (_("In transit"), lambda r: count_text(r.in_transit) or ""),
                (
                    _("Per day"),
                    lambda r: rate_text(r.daily_consumption) if r.daily_consumption else "",
                ),
                (_("Days"), lambda r: days_text(r.days_of_supply)),
                (_("Requirement"), lambda r: count_text(r.requirement) or ""),
                (_("Shortfall"), lambda r: count_text(r.shortfall) or ""),
                (_("Stock-out"), lambda r: r.stockout_date.isoformat() if r.stockout_date else ""),
            ],
            colour=lambda r, col: (
                level_colour(r.level)
                if col == 6
                else (("#ffebee", "#b71c1c") if col == 8 and r.shortfall else None)
            ),
            numeric=(3, 4, 5, 6, 7, 8),
        )
        self.table = make_table(self.model, "supplyStock", (190, 200, 55, 90, 80, 75, 55, 95, 85))
        self.table.selectionModel().selectionChanged.connect(self._stock_selected)
        self.stock_chart = StockChart(self)
        self.consumption_chart = ConsumptionChart(self)
        charts = QSplitter(Qt.Orientation.Horizontal, self)
        charts.addWidget(self.stock_chart)
        charts.addWidget(self.consumption_chart)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        stock_page = QSplitter(Qt.Orientation.Vertical, self)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        self.move_button = QPushButton(_("Record movement…"), self)
        self.move_button.setObjectName("supplyRecordMovement")
        self.move_button.clicked.connect(self._record_movement)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.site_filter, 1)
        filter_row.addWidget(self.move_button)
        upper_layout.addLayout(filter_row)
        upper_layout.addWidget(self.table)
        stock_page.addWidget(upper)
        stock_page.addWidget(charts)
        stock_page.setSizes([260, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(stock_page)

    def fill(self, view: SupplyOverview) -> None:
        """New figures: the site filter keeps its choice; the charts are drawn again."""
        self.view = view
        current = self.site_filter.currentData()
        self.site_filter.blockSignals(True)
        self.site_filter.clear()
        self.site_filter.addItem(_("All sites"), None)
        for s in sorted(view.sites, key=lambda s: s.name.lower()):
            self.site_filter.addItem(s.name, s.site_id)
        index = self.site_filter.findData(current)
        self.site_filter.setCurrentIndex(max(index, 0))
        self.site_filter.blockSignals(False)
        self._fill_stock()

    def redraw_chart(self) -> None:
        if self.chart_key:
            self.show_chart(*self.chart_key)

    def show_site(self, site_id: str) -> None:
        """Only this site's stock."""
        index = self.site_filter.findData(site_id)
        if index >= 0:
            self.site_filter.setCurrentIndex(index)

    def _fill_stock(self) -> None:
        if self.view is None:
            return
        site = self.site_filter.currentData()
        rows = [r for r in self.view.lines if site is None or r.site_id == site]
        self.model.set_rows(rows)

    def _stock_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            line = self.model.rows[rows[0].row()]
            self.show_chart(line.site_id, line.item_id)

    def show_chart(self, site_id: str, item_id: str) -> None:
        """Draw the stock and consumption charts of one site and item."""
        from app.core.supply.indicators import stock_history

        self.chart_key = (site_id, item_id)
        self.ctx.runner.submit(
            stock_history, self.ctx.store, site_id, item_id, on_done=self._chart_arrived
        )

    def _chart_arrived(self, history: StockHistory) -> None:
        if self.chart_key is None or self.view is None:
            return
        site_id, item_id = self.chart_key
        names = {(r.site_id, r.item_id): (r.site, r.item) for r in self.view.lines}
        site, item = names.get((site_id, item_id), ("", ""))
        self.stock_chart.show_history(history, f"{item} — {site}" if site else _("Stock on hand"))
        self.consumption_chart.show_history(history)
        self.sig_chart_shown.emit(site_id, item_id)

    def _record_movement(self) -> None:
        if self.view is None:
            return
        site, item = self.chart_key or (self.site_filter.currentData(), None)
        dialog = MovementDialog(self.view.sites, self.view.items, site, item, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        fn, args = dialog.operation()
        self.ctx.runner.submit(
            fn,
            self.ctx.store,
            *args,
            initiator="supply",
            on_done=lambda _r: self.ctx.sig_status.emit(_("Stock movement recorded")),
        )


class MovementDialog(QDialog):
    """Record a receipt, an issue (distribution), a transfer or an adjustment."""

    KINDS = ("receipt", "issue", "transfer", "adjustment")

    def __init__(
        self,
        sites: list[SiteSummary],
        items: list[ItemRow],
        site_id: str | None = None,
        item_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from app.core.supply.records import ADJUSTMENT_REASONS

        self.setWindowTitle(_("Record a stock movement"))
        form = QFormLayout(self)
        self.kind = QComboBox(self)
        for value, label in zip(
            self.KINDS, (_("receipt"), _("issue"), _("transfer"), _("adjustment")), strict=True
        ):
            self.kind.addItem(label, value)
        self.site = QComboBox(self)
        self.destination = QComboBox(self)
        for s in sorted(sites, key=lambda s: s.name.lower()):
            self.site.addItem(s.name, s.site_id)
            self.destination.addItem(s.name, s.site_id)
        self.item = QComboBox(self)
        for i in items:
            self.item.addItem(f"{i.name} ({i.unit})", i.id)
        if site_id:
            self.site.setCurrentIndex(max(0, self.site.findData(site_id)))
        if item_id:
            self.item.setCurrentIndex(max(0, self.item.findData(item_id)))
        self.quantity = QSpinBox(self)
        self.quantity.setRange(1, 2_000_000_000)
        self.quantity.setGroupSeparatorShown(True)
        self.reason = QComboBox(self)
        labels = {
            "lost": _("lost"),
            "damaged": _("damaged"),
            "expired": _("expired"),
            "found": _("found"),
            "count": _("stock count"),
        }
        for value in ADJUSTMENT_REASONS:
            self.reason.addItem(labels[value], value)
        self.lot = QLineEdit(self)
        self.note = QLineEdit(self)
        form.addRow(_("Movement"), self.kind)
        form.addRow(_("Site"), self.site)
        form.addRow(_("To site"), self.destination)
        form.addRow(_("Item"), self.item)
        form.addRow(_("Quantity"), self.quantity)
        form.addRow(_("Reason"), self.reason)
        form.addRow(_("Lot"), self.lot)
        form.addRow(_("Note"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.reason.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.destination.setEnabled(kind == "transfer")
        self.reason.setEnabled(kind == "adjustment")
        # a loss takes stock away and stock found adds it: the reason gives the sign;
        # only a stock count correction is entered with its sign
        self.quantity.setMinimum(
            -2_000_000_000 if kind == "adjustment" and self.reason.currentData() == "count" else 1
        )

    def operation(self) -> tuple[Any, tuple[Any, ...]]:
        """The core function to run and its arguments (after the store)."""
        from app.core.supply.ops import add_movements, transfer_stock
        from app.core.supply.records import MovementData

        kind = self.kind.currentData()
        site, item, quantity = (
            self.site.currentData(),
            self.item.currentData(),
            self.quantity.value(),
        )
        if kind == "transfer":
            return transfer_stock, (
                site,
                self.destination.currentData(),
                item,
                quantity,
                None,
                self.note.text(),
            )
        reason = self.reason.currentData() if kind == "adjustment" else ""
        if reason in ("lost", "damaged", "expired"):
            quantity = -abs(quantity)
        move = MovementData(
            site_id=site,
            item_id=item,
            kind=kind,
            quantity=quantity,
            lot=self.lot.text(),
            note=self.note.text(),
            reason=reason,
        )
        return add_movements, ([move],)
