"""Opening the Supply dock's forms: the New menu, double-clicks and the right-click
menus of the sites, items and requests tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMenu

from app.core.supply.queries import get_site
from app.i18n import _
from app.ui.panels.supply.forms import ItemForm, SiteForm, SupplyForm
from app.ui.panels.supply.shipment_forms import RequestForm, ShipmentForm


class SupplyForms(QObject):
    """Opens the forms from the Supply dock (buttons, double-click, context menus)."""

    sig_opened = Signal(object)
    """A form was opened (the dialog)."""

    def __init__(self, panel: Any) -> None:
        super().__init__(panel)
        self.panel = panel
        self.current: SupplyForm | None = None

    def install_menus(self) -> None:
        """Right-click menus on the sites, items and requests tables."""
        panel = self.panel
        for table in (panel.sites.table, panel.items.table, panel.requests.table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.setToolTip(_("Double-click a row to edit it; right-click for more"))
        panel.sites.table.customContextMenuRequested.connect(self._site_menu)
        panel.items.table.customContextMenuRequested.connect(self._item_menu)
        panel.requests.table.customContextMenuRequested.connect(self._request_menu)

    def _menu(self, table: Any, pos: Any, actions: Sequence[tuple[str, Callable[[], Any]]]) -> None:
        menu = QMenu(table)
        for text, slot in actions:
            menu.addAction(text, slot)
        menu.popup(table.viewport().mapToGlobal(pos))

    def _site_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.sites.table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [(_("New site…"), self.new_site)]
        if index.isValid():
            site_id = panel.sites.model.rows[index.row()].site_id
            actions = [
                (_("Edit site…"), lambda: self.edit_site(site_id)),
                (_("New request for this site…"), lambda: self.new_request(site_id)),
                *actions,
            ]
        self._menu(panel.sites.table, pos, actions)

    def _item_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.items.table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [(_("New item…"), self.new_item)]
        if index.isValid():
            item_id = panel.items.model.rows[index.row()][0].id
            actions.insert(0, (_("Edit item…"), lambda: self.edit_item(item_id)))
        self._menu(panel.items.table, pos, actions)

    def _request_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.requests.table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [
            (_("New request…"), lambda: self.new_request())
        ]
        if index.isValid():
            request_id = panel.requests.model.rows[index.row()].id
            actions.insert(0, (_("Edit request…"), lambda: self.edit_request(request_id)))
        self._menu(panel.requests.table, pos, actions)

    def _open(self, form: SupplyForm, done: str) -> SupplyForm:
        status = self.panel.ctx.sig_status
        form.sig_saved.connect(lambda _ids: status.emit(done))
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.current = form
        form.open()
        self.sig_opened.emit(form)
        return form

    def _sites(self) -> list[Any]:
        return list(self.panel.view.sites) if self.panel.view else []

    def _items(self) -> list[Any]:
        return list(self.panel.view.items) if self.panel.view else []

    def new_site(self) -> SupplyForm:
        ctx = self.panel.ctx
        return self._open(SiteForm(ctx.runner, ctx.store, None, self.panel), _("Supply site saved"))

    def edit_site(self, site_id: str) -> None:
        """Read the site on the worker, then open its form."""
        ctx = self.panel.ctx
        ctx.runner.submit(
            get_site,
            ctx.store,
            site_id,
            on_done=lambda site: (
                site is not None
                and self._open(
                    SiteForm(ctx.runner, ctx.store, site, self.panel), _("Supply site saved")
                )
            ),
        )

    def new_item(self) -> SupplyForm:
        ctx = self.panel.ctx
        keys = [s.key for s in self.panel.view.standards] if self.panel.view else []
        return self._open(
            ItemForm(ctx.runner, ctx.store, None, keys, self.panel), _("Supply item saved")
        )

    def edit_item(self, item_id: str) -> SupplyForm | None:
        ctx = self.panel.ctx
        item = next((i for i in self._items() if i.id == item_id), None)
        if item is None:
            return None
        keys = [s.key for s in self.panel.view.standards] if self.panel.view else []
        return self._open(
            ItemForm(ctx.runner, ctx.store, item, keys, self.panel), _("Supply item saved")
        )

    def new_shipment(self) -> SupplyForm:
        ctx = self.panel.ctx
        return self._open(
            ShipmentForm(ctx.runner, ctx.store, self._sites(), self._items(), None, self.panel),
            _("Shipment planned"),
        )

    def edit_shipment(self, shipment_id: str) -> SupplyForm | None:
        """The form of a planned shipment (only a planned one can be edited)."""
        ctx = self.panel.ctx
        ship = next(
            (
                s
                for s in (self.panel.view.shipments if self.panel.view else [])
                if s.id == shipment_id
            ),
            None,
        )
        if ship is None or ship.status != "planned":
            return None
        form = ShipmentForm(ctx.runner, ctx.store, self._sites(), self._items(), ship, self.panel)
        return self._open(form, _("Shipment updated"))

    def new_request(self, site_id: str | None = None) -> SupplyForm:
        ctx = self.panel.ctx
        form = RequestForm(
            ctx.runner, ctx.store, self._sites(), self._items(), None, site_id, self.panel
        )
        return self._open(form, _("Request saved"))

    def edit_request(self, request_id: str) -> SupplyForm | None:
        ctx = self.panel.ctx
        request = next(
            (
                r
                for r in (self.panel.view.requests if self.panel.view else [])
                if r.id == request_id
            ),
            None,
        )
        if request is None:
            return None
        form = RequestForm(
            ctx.runner, ctx.store, self._sites(), self._items(), request, None, self.panel
        )
        return self._open(form, _("Request saved"))
