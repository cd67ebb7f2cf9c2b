"""The Supply dock: sites with traffic-light days of supply, stock with charts,
items and standards, a shipment board, requests and 3W presence.

Everything is read in one worker job (``load_view``) and written through core
operations on the runner; the map's supply layer is pushed from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.events import Changed
from app.core.supply.indicators import ItemTotal, SiteSummary, StockLine
from app.core.supply.queries import ItemRow, PresenceRow, RequestRow, ShipmentRow, StandardRow
from app.core.supply.records import (
    SHIPMENT_STATUSES,
    category_label,
    mode_label,
    priority_label,
    request_status_label,
    shipment_status_label,
    site_kind_label,
)
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import RowsTableModel, plain_tooltip

if TYPE_CHECKING:
    from app.core.supply.indicators import StockHistory
    from app.ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
SUPPLY_KINDS = frozenset(
    {
        "supply_item",
        "supply_site",
        "supply_standard",
        "stock",
        "shipment",
        "supply_request",
        "presence",
    }
)
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


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _rate(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


@dataclass
class SupplyView:
    """Everything the dock shows, read in one worker job."""

    lines: list[StockLine]
    sites: list[SiteSummary]
    items: list[ItemRow]
    totals: list[ItemTotal]
    standards: list[StandardRow]
    shipments: list[ShipmentRow]
    requests: list[RequestRow]
    presence: list[PresenceRow]
    map_message: dict[str, Any]


def load_view(store: Any, as_of: Any = None) -> SupplyView:
    """Everything the dock shows; with ``as_of``, stock as it was then (the ledger up to
    that time: the History bar of the main window)."""
    from app.core.supply.indicators import logsitrep, operation_totals, site_summaries
    from app.core.supply.mapdoc import supply_message
    from app.core.supply.queries import (
        list_items,
        list_presence,
        list_requests,
        list_shipments,
        list_standards,
    )

    lines = logsitrep(store, as_of=as_of)
    return SupplyView(
        lines,
        site_summaries(store, lines),
        list_items(store),
        operation_totals(lines),
        list_standards(store),
        list_shipments(store),
        list_requests(store),
        list_presence(store),
        supply_message(store, as_of=as_of),
    )


def write_report(store: Any, path: Any, fmt: str) -> int:
    """The LOGSITREP to a file, as the CLI's ``report logsitrep`` writes it."""
    from app.core.supply.hxl import write_logsitrep
    from app.core.supply.queries import logsitrep_report

    return write_logsitrep(path, logsitrep_report(store), fmt)


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


def _table(model: ColumnsModel, name: str, widths: Sequence[int] = ()) -> QTableView:
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


def _level_colour(level: str) -> tuple[str, str]:
    return LEVEL_COLOURS.get(level, "#fff"), LEVEL_TEXT.get(level, "#000")


class ReceiveDialog(QDialog):
    """How much of each line arrived, and why any difference."""

    REASONS = ("short", "damaged", "lost", "expired", "over")

    def __init__(self, shipment: ShipmentRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Receive {waybill}").format(waybill=shipment.waybill))
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                _("{origin} → {destination}").format(
                    origin=shipment.origin, destination=shipment.destination
                )
            )
        )
        self.counts: dict[str, QSpinBox] = {}
        self.reasons: dict[str, QComboBox] = {}
        for line in shipment.lines:
            spin = QSpinBox(self)
            spin.setRange(0, 2_000_000_000)
            spin.setValue(line.quantity)
            spin.setGroupSeparatorShown(True)
            spin.setSuffix(f" {line.unit}")
            reason = QComboBox(self)
            labels = {
                "short": _("short"),
                "damaged": _("damaged"),
                "lost": _("lost"),
                "expired": _("expired"),
                "over": _("over"),
            }
            for value in self.REASONS:
                reason.addItem(labels[value], value)
            row = QHBoxLayout()
            row.addWidget(spin, 2)
            row.addWidget(reason, 1)
            label = QLabel(
                _("{item} (sent {quantity})").format(item=line.item, quantity=f"{line.quantity:,}")
            )
            label.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(label, row)
            self.counts[line.id] = spin
            self.reasons[line.id] = reason
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def received(self) -> tuple[dict[str, int | None], dict[str, str]]:
        return (
            {lid: spin.value() for lid, spin in self.counts.items()},
            {lid: str(box.currentData()) for lid, box in self.reasons.items()},
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


class SupplyPanel(QWidget):
    sig_loaded = Signal()
    """The dock's tables were filled from the store."""
    sig_chart_shown = Signal(str, str)
    """The charts now show this site and item (ids)."""

    def __init__(
        self, ctx: AppContext, window: MainWindow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from app.ui.panels.supply.charts import ConsumptionChart, StockChart

        self.ctx = ctx
        self.window_ = window
        self.view: SupplyView | None = None
        self.chart_key: tuple[str, str] | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("supplySummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.on_map = QCheckBox(_("Show on map"), self)
        self.on_map.setChecked(True)
        self.on_map.toggled.connect(lambda on: self._push({"op": "supply.show", "on": on}))
        self.import_button = QPushButton(_("Import HXL…"), self)
        self.import_button.setObjectName("supplyImport")
        self.import_button.clicked.connect(self._import_hxl)
        self.report_button = QPushButton(_("LOGSITREP…"), self)
        self.report_button.setObjectName("supplyReport")
        self.report_button.clicked.connect(self._write_report)
        # the summary on a line of its own, wrapped: it must not set the dock's width
        self.summary.setWordWrap(True)
        from app.ui.panels.supply.forms import SupplyForms

        self.forms = SupplyForms(self)
        self.new_button = QPushButton(_("New"), self)
        self.new_button.setObjectName("supplyNew")
        new_menu = QMenu(self.new_button)
        new_menu.addAction(_("Site…"), self.forms.new_site)
        new_menu.addAction(_("Item…"), self.forms.new_item)
        new_menu.addAction(_("Shipment…"), self.forms.new_shipment)
        new_menu.addAction(
            _("Request…"), lambda: self.forms.new_request(self.site_filter.currentData())
        )
        self.new_button.setMenu(new_menu)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)
        top.addWidget(self.report_button)
        top.addStretch(1)
        top.addWidget(self.on_map)

        # sites
        self.sites_model = ColumnsModel(
            [
                (_("Site"), lambda s: s.name),
                (_("Kind"), lambda s: site_kind_label(s.kind)),
                (_("People"), lambda s: _n(s.people) if s.people else ""),
                (_("Days of supply"), lambda s: _days(s.worst_days)),
                (_("Lowest item"), lambda s: s.worst_item),
                (_("Status"), lambda s: level_label(s.level)),
                (_("To reorder"), lambda s: s.reorder or ""),
                (_("Short of need"), lambda s: s.shortfall_items or ""),
            ],
            colour=lambda s, col: _level_colour(s.level) if col in (3, 5) else None,
            numeric=(2, 3, 6, 7),
        )
        self.sites_table = _table(self.sites_model, "supplySites", (230, 120, 70, 95, 190, 95, 75))
        self.sites_table.selectionModel().selectionChanged.connect(self._site_selected)
        self.sites_table.doubleClicked.connect(
            lambda i: self.forms.edit_site(self.sites_model.rows[i.row()].site_id)
        )

        # stock and charts
        self.site_filter = QComboBox(self)
        self.site_filter.setObjectName("supplySiteFilter")
        self.site_filter.addItem(_("All sites"), None)
        self.site_filter.currentIndexChanged.connect(self._fill_stock)
        self.stock_model = ColumnsModel(
            [
                (_("Site"), lambda r: r.site),
                (_("Item"), lambda r: r.item),
                (_("Unit"), lambda r: r.unit),
                (_("On hand"), lambda r: _n(r.on_hand)),
                (_("In transit"), lambda r: _n(r.in_transit) or ""),
                (_("Per day"), lambda r: _rate(r.daily_consumption) if r.daily_consumption else ""),
                (_("Days"), lambda r: _days(r.days_of_supply)),
                (_("Requirement"), lambda r: _n(r.requirement) or ""),
                (_("Shortfall"), lambda r: _n(r.shortfall) or ""),
                (_("Stock-out"), lambda r: r.stockout_date.isoformat() if r.stockout_date else ""),
            ],
            colour=lambda r, col: (
                _level_colour(r.level)
                if col == 6
                else (("#ffebee", "#b71c1c") if col == 8 and r.shortfall else None)
            ),
            numeric=(3, 4, 5, 6, 7, 8),
        )
        self.stock_table = _table(
            self.stock_model, "supplyStock", (190, 200, 55, 90, 80, 75, 55, 95, 85)
        )
        self.stock_table.selectionModel().selectionChanged.connect(self._stock_selected)
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
        upper_layout.addWidget(self.stock_table)
        stock_page.addWidget(upper)
        stock_page.addWidget(charts)
        stock_page.setSizes([260, 260])

        # items, totals and standards
        self.items_model = ColumnsModel(
            [
                (_("Code"), lambda t: t[0].code),
                (_("Item"), lambda t: t[0].name),
                (_("Category"), lambda t: category_label(t[0].category)),
                (_("Unit"), lambda t: t[0].unit),
                (
                    _("Pack"),
                    lambda t: f"{t[0].pack_name} × {t[0].pack_size:,}" if t[0].pack_name else "",
                ),
                (_("On hand"), lambda t: _n(t[1].on_hand) if t[1] else ""),
                (
                    _("In transit"),
                    lambda t: _n(t[1].in_transit) if t[1] and t[1].in_transit else "",
                ),
                (
                    _("Per day"),
                    lambda t: (
                        _rate(t[1].daily_consumption) if t[1] and t[1].daily_consumption else ""
                    ),
                ),
                (_("Days"), lambda t: _days(t[1].days_of_supply) if t[1] else ""),
                (_("Shortfall"), lambda t: _n(t[1].shortfall) if t[1] and t[1].shortfall else ""),
            ],
            numeric=(5, 6, 7, 8, 9),
        )
        self.items_table = _table(
            self.items_model, "supplyItems", (95, 230, 80, 55, 110, 95, 85, 75, 55)
        )
        self.standards_model = ColumnsModel(
            [
                (_("Standard"), lambda s: s.key),
                (_("Per person per day"), lambda s: f"{s.quantity.normalize():f}"),
                (_("Unit"), lambda s: s.unit),
                (_("Source"), lambda s: s.note + ("" if not s.edited else " ✎")),
            ],
            numeric=(1,),
        )
        self.standards_table = _table(self.standards_model, "supplyStandards", (90, 130, 60))
        self.standards_table.setMaximumHeight(110)
        self.standards_table.doubleClicked.connect(self._edit_standard)
        self.items_table.doubleClicked.connect(
            lambda i: self.forms.edit_item(self.items_model.rows[i.row()][0].id)
        )
        items_page = QWidget(self)
        items_layout = QVBoxLayout(items_page)
        items_layout.setContentsMargins(0, 0, 0, 0)
        items_layout.addWidget(self.items_table, 1)
        hint = QLabel(_("Per-person standards (double-click to edit):"), self)
        items_layout.addWidget(hint)
        items_layout.addWidget(self.standards_table)

        # shipment board
        board = QWidget(self)
        board_layout = QVBoxLayout(board)
        board_layout.setContentsMargins(0, 0, 0, 0)
        columns = QHBoxLayout()
        self.board: dict[str, QListWidget] = {}
        for status in SHIPMENT_STATUSES:
            column = QVBoxLayout()
            title = QLabel(shipment_status_label(status).capitalize(), board)
            title.setObjectName(f"supplyBoardTitle_{status}")
            title.setStyleSheet(f"font-weight: bold; color: {STATUS_COLOURS[status]};")
            listing = QListWidget(board)
            listing.setObjectName(f"supplyBoard_{status}")
            listing.setWordWrap(True)
            listing.setSpacing(2)
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            listing.itemClicked.connect(self._shipment_clicked)
            listing.itemDoubleClicked.connect(
                lambda it: self.forms.edit_shipment(str(it.data(Qt.ItemDataRole.UserRole)))
            )
            column.addWidget(title)
            column.addWidget(listing)
            columns.addLayout(column)
            self.board[status] = listing
        board_layout.addLayout(columns, 1)
        self.shipment_detail = QLabel(board)
        self.shipment_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.shipment_detail.setWordWrap(True)
        buttons = QHBoxLayout()
        self.dispatch_button = QPushButton(_("Dispatch"), board)
        self.receive_button = QPushButton(_("Receive…"), board)
        self.cancel_button = QPushButton(_("Cancel shipment"), board)
        self.dispatch_button.clicked.connect(lambda: self._set_status("in_transit"))
        self.receive_button.clicked.connect(self._receive)
        self.cancel_button.clicked.connect(lambda: self._set_status("cancelled"))
        for b in (self.dispatch_button, self.receive_button, self.cancel_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        board_layout.addWidget(self.shipment_detail)
        board_layout.addLayout(buttons)
        self.selected_shipment = ""

        # requests and presence
        self.requests_model = ColumnsModel(
            [
                (_("Site"), lambda r: r.site),
                (_("Item"), lambda r: r.item),
                (_("Quantity"), lambda r: f"{r.quantity:,} {r.unit}"),
                (_("Received"), lambda r: _n(r.received) or ""),
                (_("Priority"), lambda r: priority_label(r.priority)),
                (_("Required by"), lambda r: format_dtg(r.required_by) if r.required_by else ""),
                (_("Status"), lambda r: request_status_label(r.status)),
                (_("Note"), lambda r: r.note),
            ],
            colour=lambda r, col: (
                ("#ffebee", "#b71c1c") if col == 4 and r.priority == "critical" else None
            ),
            numeric=(2, 3),
        )
        self.requests_table = _table(
            self.requests_model, "supplyRequests", (200, 190, 110, 80, 75, 110, 110)
        )
        self.requests_table.doubleClicked.connect(
            lambda i: self.forms.edit_request(self.requests_model.rows[i.row()].id)
        )
        self.presence_model = ColumnsModel(
            [
                (_("Organisation"), lambda p: p.organisation),
                (_("Sector"), lambda p: p.sector),
                (_("Place"), lambda p: p.place),
                (_("Admin 1"), lambda p: p.admin1),
                (_("In need"), lambda p: _n(p.in_need)),
                (_("Targeted"), lambda p: _n(p.targeted)),
                (_("Reached"), lambda p: _n(p.reached)),
                (
                    _("Reached %"),
                    lambda p: (
                        f"{100 * p.reached / p.targeted:.0f} %" if p.reached and p.targeted else ""
                    ),
                ),
            ],
            numeric=(4, 5, 6, 7),
        )
        self.presence_table = _table(
            self.presence_model, "supplyPresence", (130, 120, 150, 110, 80, 80, 80)
        )

        self.forms.install_menus()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("supplyTabs")
        self.tabs.addTab(self.sites_table, _("Sites"))
        self.tabs.addTab(stock_page, _("Stock"))
        self.tabs.addTab(items_page, _("Items"))
        self.tabs.addTab(board, _("Shipments"))
        self.tabs.addTab(self.requests_table, _("Requests"))
        self.tabs.addTab(self.presence_table, _("Presence"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.as_of: Any = None
        ctx.sig_history_time.connect(self.show_time)
        ctx.relay.sig_changed.connect(self._on_changed)
        ctx.when_picture_shown(self.refresh)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.ctx.runner.submit(load_view, self.ctx.store, self.as_of, on_done=self._arrived)

    def show_time(self, at: Any) -> None:
        """The History bar moved: stock as it was at ``at`` (None: live)."""
        self.as_of = at
        self.refresh()

    def _on_changed(self, changes: list[Changed]) -> None:
        if any(c.kind in SUPPLY_KINDS or c.kind == "zone" for c in changes):
            self.refresh()

    def _push(self, message: dict[str, Any]) -> None:
        if self.window_ is not None:
            self.window_.map_view.push(message)

    def _arrived(self, view: SupplyView) -> None:
        self.view = view
        self.sites_model.set_rows(
            sorted(
                view.sites,
                key=lambda s: ({"red": 0, "amber": 1, "green": 2}.get(s.level, 3), s.name.lower()),
            )
        )
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
        totals = {t.item_id: t for t in view.totals}
        self.items_model.set_rows([(i, totals.get(i.id)) for i in view.items])
        self.standards_model.set_rows(view.standards)
        self._fill_board(view.shipments)
        self.requests_model.set_rows(view.requests)
        self.presence_model.set_rows(view.presence)
        levels = [s.level for s in view.sites]
        moving = sum(1 for s in view.shipments if s.status == "in_transit")
        self.summary.setText(
            _(
                "{sites} sites: {red} red, {amber} amber, {green} green · {moving} shipments in transit · "
                "{short} items short of need"
            ).format(
                sites=len(view.sites),
                red=levels.count("red"),
                amber=levels.count("amber"),
                green=levels.count("green"),
                moving=moving,
                short=sum(1 for r in view.lines if r.shortfall),
            )
        )
        self._push(view.map_message)
        self._push({"op": "supply.show", "on": self.on_map.isChecked()})
        if self.chart_key:
            self.show_chart(*self.chart_key)
        self.sig_loaded.emit()

    def _fill_stock(self) -> None:
        if self.view is None:
            return
        site = self.site_filter.currentData()
        rows = [r for r in self.view.lines if site is None or r.site_id == site]
        self.stock_model.set_rows(rows)

    def _fill_board(self, shipments: list[ShipmentRow]) -> None:
        for listing in self.board.values():
            listing.clear()
        for s in shipments:
            listing = self.board.get(s.status)
            if listing is None:
                continue
            when = s.arrived_at if s.status == "arrived" else s.eta
            lines = [f"{s.waybill} · {mode_label(s.mode)}", f"{s.origin} → {s.destination}"]
            if when:
                lines.append(
                    (_("arrived {dtg}") if s.status == "arrived" else _("ETA {dtg}")).format(
                        dtg=format_dtg(when)
                    )
                )
            short = [line for line in s.lines if line.discrepancy]
            if short:
                lines.append(
                    _("discrepancy on {n} of {total} lines").format(
                        n=len(short), total=len(s.lines)
                    )
                )
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setToolTip(
                plain_tooltip(
                    "\n".join(
                        lines + [f"{line.quantity:,} {line.unit} {line.item}" for line in s.lines]
                    )
                )
            )
            if short:
                item.setForeground(QBrush(QColor("#b71c1c")))
            listing.addItem(item)

    # ------------------------------------------------------------------ selection
    def _site_selected(self) -> None:
        rows = self.sites_table.selectionModel().selectedRows()
        if not rows:
            return
        site = self.sites_model.rows[rows[0].row()]
        if site.lat is not None and site.lon is not None:
            self._push({"op": "fly", "lat": site.lat, "lon": site.lon, "zoom": 10})
        index = self.site_filter.findData(site.site_id)
        if index >= 0:
            self.site_filter.setCurrentIndex(index)

    def _stock_selected(self) -> None:
        rows = self.stock_table.selectionModel().selectedRows()
        if rows:
            line = self.stock_model.rows[rows[0].row()]
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

    def _shipment(self) -> ShipmentRow | None:
        if self.view is None:
            return None
        return next((s for s in self.view.shipments if s.id == self.selected_shipment), None)

    def _shipment_clicked(self, item: QListWidgetItem) -> None:
        self.select_shipment(str(item.data(Qt.ItemDataRole.UserRole)))

    def select_shipment(self, shipment_id: str) -> None:
        self.selected_shipment = shipment_id
        for listing in self.board.values():
            for n in range(listing.count()):
                it = listing.item(n)
                it.setSelected(it.data(Qt.ItemDataRole.UserRole) == shipment_id)
        ship = self._shipment()
        status = ship.status if ship else ""
        self.dispatch_button.setEnabled(status == "planned" and bool(ship and ship.origin_site_id))
        self.receive_button.setEnabled(status in ("planned", "in_transit"))
        self.cancel_button.setEnabled(status in ("planned", "in_transit"))
        if ship is None:
            self.shipment_detail.setText("")
            return
        lines = [
            f"{line.quantity:,} {line.unit} {line.item}"
            + (
                _(" — received {n} ({reason})").format(
                    n=f"{line.received:,}", reason=line.discrepancy_reason
                )
                if line.received is not None and line.discrepancy
                else ""
            )
            for line in ship.lines
        ]
        self.shipment_detail.setText(
            f"{ship.waybill}: {ship.origin} → {ship.destination} ({shipment_status_label(ship.status)})\n"
            + "\n".join(lines)
            + (f"\n{ship.note}" if ship.note else "")
        )
        self._push({"op": "supply.select", "id": shipment_id})

    # ------------------------------------------------------------------ actions
    def _set_status(self, status: str) -> None:
        from app.core.supply.ops import set_shipment_status

        if not self.selected_shipment:
            return
        self.ctx.runner.submit(
            set_shipment_status,
            self.ctx.store,
            self.selected_shipment,
            status,
            initiator="supply",
            on_done=lambda _r: self.ctx.sig_status.emit(_("Shipment updated")),
        )

    def _receive(self) -> None:
        from app.core.supply.ops import receive_shipment

        ship = self._shipment()
        if ship is None:
            return
        dialog = ReceiveDialog(ship, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        received, reasons = dialog.received()
        self.ctx.runner.submit(
            receive_shipment,
            self.ctx.store,
            ship.id,
            received,
            reasons,
            initiator="supply",
            on_done=lambda _r: self.ctx.sig_status.emit(_("Shipment received")),
        )

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

    def _import_hxl(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        from app.core.supply.hxl import import_hxl

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import an HXL table"), "", _("HXL tables (*.csv *.hxl);;All files (*)")
        )
        if path:
            self.ctx.runner.submit(
                import_hxl,
                self.ctx.store,
                Path(path),
                on_done=lambda r: self.ctx.sig_status.emit(str(r)),
            )

    def _write_report(self) -> None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        path, chosen = QFileDialog.getSaveFileName(
            self,
            _("Write the LOGSITREP"),
            "logsitrep.json",
            _("JSON (*.json);;CSV (*.csv);;HXL (*.hxl.csv *.hxl)"),
        )
        if not path:
            return
        target = Path(path)
        fmt = (
            "hxl"
            if ".hxl" in target.name.lower() or chosen.startswith("HXL")
            else ("csv" if target.suffix.lower() == ".csv" else "json")
        )
        self.ctx.runner.submit(
            write_report,
            self.ctx.store,
            target,
            fmt,
            on_done=lambda n: self.ctx.sig_status.emit(
                _("Wrote the LOGSITREP: {n} rows to {path}").format(n=n, path=target)
            ),
        )

    def _edit_standard(self, index: QModelIndex) -> None:
        from app.core.supply.ops import set_standard

        standard = self.standards_model.rows[index.row()]
        text, ok = QInputDialog.getText(
            self,
            _("Per-person standard"),
            _("{key}: {unit} per person per day").format(key=standard.key, unit=standard.unit),
            QLineEdit.EchoMode.Normal,
            f"{standard.quantity.normalize():f}",
        )
        if ok and text.strip():
            self.ctx.runner.submit(
                set_standard, self.ctx.store, standard.key, text.strip(), initiator="supply"
            )


def build(window: MainWindow) -> SupplyPanel:
    panel = SupplyPanel(window.ctx, window)
    window.map_controller.sig_loaded.connect(
        lambda *_a: panel.view and panel._push(panel.view.map_message)
    )
    return panel
