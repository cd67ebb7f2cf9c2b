"""The Supply dock: sites with traffic-light days of supply, stock with charts,
items and standards, a shipment board, requests and 3W presence.

This is the dock's shell: the summary, the New / Import / LOGSITREP buttons and the
tabs, each in its own module: ``sites``, ``stock`` (with ``charts``), ``items``,
``shipments``, ``requests`` (requests and 3W presence); ``actions`` opens the forms
(``forms``, ``shipment_forms``). Everything is read in one worker job
(``app.core.supply.queries.supply_overview``) and written through core operations on
the runner; the map's supply layer is pushed from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.events import Changed, RecordKind
from app.core.mapdoc.protocol import Op, message
from app.core.supply.ops import SUPPLY_KINDS
from app.core.supply.queries import SupplyOverview, supply_overview
from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.supply.actions import SupplyForms
from app.ui.panels.supply.items import ItemsTab
from app.ui.panels.supply.requests import PresenceTab, RequestsTab
from app.ui.panels.supply.shipments import ShipmentBoard
from app.ui.panels.supply.sites import SitesTab
from app.ui.panels.supply.stock import StockTab

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class SupplyPanel(QWidget):
    sig_loaded = Signal()
    """The dock's tables were filled from the store."""
    sig_chart_shown = Signal(str, str)
    """The charts now show this site and item (ids)."""

    def __init__(
        self, ctx: AppContext, window: MainWindow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.view: SupplyOverview | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("supplySummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.on_map = QCheckBox(_("Show on map"), self)
        self.on_map.setChecked(True)
        self.on_map.toggled.connect(lambda on: self._push(message(Op.SUPPLY_SHOW, on=on)))
        self.import_button = QPushButton(_("Import HXL…"), self)
        self.import_button.setObjectName("supplyImport")
        self.import_button.clicked.connect(self._import_hxl)
        self.report_button = QPushButton(_("LOGSITREP…"), self)
        self.report_button.setObjectName("supplyReport")
        self.report_button.clicked.connect(self._write_report)
        # the summary on a line of its own, wrapped: it must not set the dock's width
        self.summary.setWordWrap(True)
        self.forms = SupplyForms(self)
        self.new_button = QPushButton(_("New"), self)
        self.new_button.setObjectName("supplyNew")
        new_menu = QMenu(self.new_button)
        new_menu.addAction(_("Site…"), self.forms.new_site)
        new_menu.addAction(_("Item…"), self.forms.new_item)
        new_menu.addAction(_("Shipment…"), self.forms.new_shipment)
        new_menu.addAction(_("Request…"), self._new_request)
        self.new_button.setMenu(new_menu)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)
        top.addWidget(self.report_button)
        top.addStretch(1)
        top.addWidget(self.on_map)

        self.sites = SitesTab(self.forms, self._push, self)
        self.stock = StockTab(ctx, self)
        self.sites.sig_site_chosen.connect(self.stock.show_site)
        self.stock.sig_chart_shown.connect(self.sig_chart_shown)
        self.items = ItemsTab(ctx, self.forms, self)
        self.shipments = ShipmentBoard(ctx, self.forms, self._push, self)
        self.requests = RequestsTab(self.forms, self)
        self.presence = PresenceTab(self)

        self.forms.install_menus()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("supplyTabs")
        self.tabs.addTab(self.sites, _("Sites"))
        self.tabs.addTab(self.stock, _("Stock"))
        self.tabs.addTab(self.items, _("Items"))
        self.tabs.addTab(self.shipments, _("Shipments"))
        self.tabs.addTab(self.requests, _("Requests"))
        self.tabs.addTab(self.presence, _("Presence"))
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
        self.ctx.runner.submit(supply_overview, self.ctx.store, self.as_of, on_done=self._arrived)

    def show_time(self, at: Any) -> None:
        """The History bar moved: stock as it was at ``at`` (None: live)."""
        self.as_of = at
        self.refresh()

    def _on_changed(self, changes: list[Changed]) -> None:
        if any(c.kind in SUPPLY_KINDS or c.kind == RecordKind.ZONE for c in changes):
            self.refresh()

    def _push(self, message: dict[str, Any]) -> None:
        if self.window_ is not None:
            self.window_.ctx.map.send(message)

    def _arrived(self, view: SupplyOverview) -> None:
        self.view = view
        self.sites.fill(view)
        self.stock.fill(view)
        self.items.fill(view)
        self.shipments.fill(view.shipments)
        self.requests.fill(view.requests)
        self.presence.fill(view.presence)
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
        self._push(message(Op.SUPPLY_SHOW, on=self.on_map.isChecked()))
        self.stock.redraw_chart()
        self.sig_loaded.emit()

    # ------------------------------------------------------------------ actions
    def _new_request(self) -> None:
        """A request for the site the Stock tab shows (if one is chosen)."""
        self.forms.new_request(self.stock.site_filter.currentData())

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

        from app.core.supply.hxl import export_logsitrep

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
            export_logsitrep,
            self.ctx.store,
            target,
            fmt,
            on_done=lambda n: self.ctx.sig_status.emit(
                _("Wrote the LOGSITREP: {n} rows to {path}").format(n=n, path=target)
            ),
        )


def build(window: MainWindow) -> SupplyPanel:
    panel = SupplyPanel(window.ctx, window)
    window.map_controller.sig_loaded.connect(
        lambda *_a: panel.view and panel._push(panel.view.map_message)
    )
    return panel
