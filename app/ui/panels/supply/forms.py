"""The Supply dock's forms: new or edited sites, items and requests, and new shipments.

Each form validates what was typed through the domain ``validate()`` when OK is
pressed and shows the message (naming the field) without closing; the write then
runs on the runner's "db" thread through the core operation, and the form closes
only once it is stored. A refusal from the store (an item code or a waybill
already used) is shown in the form the same way: nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.core.common.dtg import DTGError, format_dtg, parse_dtg
from app.core.common.geo import CoordinateError, format_dd, parse_coordinate
from app.core.common.markings import MarkingError
from app.core.picture.records import ValidationError
from app.core.supply.records import (
    CATEGORIES,
    MODES,
    PRIORITIES,
    SITE_KINDS,
    ItemData,
    LineData,
    RequestData,
    ShipmentData,
    SiteData,
    category_label,
    mode_label,
    parse_quantity,
    priority_label,
    site_kind_label,
)
from app.i18n import _

if TYPE_CHECKING:
    from app.core.supply.indicators import SiteSummary
    from app.core.supply.queries import ItemRow, RequestRow, ShipmentRow, SiteRow
    from app.ui.workers import Runner

UNITS = ("each", "L", "kg", "ration", "box", "kit", "carton", "m³")


def _combo(
    parent: QWidget, values: Sequence[str], label: Callable[[str], str], current: str | None
) -> QComboBox:
    box = QComboBox(parent)
    for value in values:
        box.addItem(label(value), value)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _count(text: str, what: str) -> int | None:
    """A whole number typed in a field (``1,200`` or ``1 200`` too); None when empty."""
    text = text.strip()
    return None if not text else parse_quantity(text, what)


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _when(text: str, what: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_dtg(text)
    except DTGError as exc:
        raise ValidationError(_("{what}: {error}").format(what=what, error=exc)) from exc


def load_site(store: Any, site_id: str) -> SiteRow | None:
    """One site with every field the form edits (worker side)."""
    from app.core.supply.queries import list_sites

    return next((s for s in list_sites(store) if s.id == site_id), None)


class SupplyForm(QDialog):
    """A form that validates on OK, stores through a core operation on the runner and
    closes once stored; any refusal is shown in the form and nothing is stored."""

    sig_saved = Signal(object)
    """The record was stored; the ids the core operation returned."""

    def __init__(self, runner: Runner, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.store = store
        self.form = QFormLayout(self)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.saved_ids: list[str] | None = None
        self.saving = False

    def finish_layout(self) -> None:
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)

    def collect(self) -> Any:
        """The record as typed, validated; ValidationError names what is wrong."""
        raise NotImplementedError

    def operation(self, data: Any) -> Callable[..., Any]:
        """The core function that stores ``[data]``."""
        raise NotImplementedError

    def accept(self) -> None:
        try:
            data = self.collect()
        except (ValidationError, MarkingError) as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.buttons.setEnabled(False)
        self.saving = True
        self.runner.submit(
            self.operation(data),
            self.store,
            [data],
            initiator="supply",
            on_done=self._saved,
            on_error=self._refused,
        )

    def reject(self) -> None:
        if not self.saving:  # a write on its way is waited for: its answer comes back here
            super().reject()

    def _saved(self, ids: list[str]) -> None:
        self.saved_ids = list(ids)
        self.saving = False
        self.buttons.setEnabled(True)
        self.sig_saved.emit(self.saved_ids)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.error.setText(str(exc))


class SiteForm(SupplyForm):
    """A supply site: warehouse, distribution point, airhead, port or field hospital."""

    def __init__(
        self, runner: Runner, store: Any, site: SiteRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplySiteForm")
        self.site = site
        self.setWindowTitle(
            _("Edit site {name}").format(name=site.name) if site else _("New supply site")
        )
        self.name = QLineEdit(site.name if site else "", self)
        self.kind = _combo(self, SITE_KINDS, site_kind_label, site.kind if site else None)
        point = (
            format_dd(site.lat, site.lon)
            if site and site.lat is not None and site.lon is not None
            else ""
        )
        self.position = QLineEdit(point, self)
        self.position.setPlaceholderText(_("MGRS, DD or DMS (empty: no position)"))
        self.capacity = QLineEdit(_number(site.capacity) if site else "", self)
        self.capacity.setPlaceholderText(_("whole number of base units"))
        self.organisation = QLineEdit(site.organisation if site else "", self)
        self.in_need = QLineEdit(_number(site.people_in_need) if site else "", self)
        self.targeted = QLineEdit(_number(site.people_targeted) if site else "", self)
        self.classification = QLineEdit(site.classification if site else "UNCLASSIFIED", self)
        self.releasable = QLineEdit(str(site.releasable_to) if site else "PUBLIC", self)
        self.form.addRow(_("Name"), self.name)
        self.form.addRow(_("Kind"), self.kind)
        self.form.addRow(_("Position"), self.position)
        self.form.addRow(_("Capacity"), self.capacity)
        self.form.addRow(_("Operated by"), self.organisation)
        self.form.addRow(_("People in need"), self.in_need)
        self.form.addRow(_("People targeted"), self.targeted)
        self.form.addRow(_("Classification"), self.classification)
        self.form.addRow(_("Releasable to"), self.releasable)
        self.finish_layout()
        self.setMinimumWidth(420)

    def collect(self) -> SiteData:
        lat = lon = None
        text = self.position.text().strip()
        if text:
            try:
                lat, lon = parse_coordinate(text)
            except CoordinateError as exc:
                raise ValidationError(_("position: {error}").format(error=exc)) from exc
        data = SiteData(
            name=self.name.text(),
            kind=self.kind.currentData(),
            lat=lat,
            lon=lon,
            capacity=_count(self.capacity.text(), _("capacity")),
            organisation=self.organisation.text(),
            people_in_need=_count(self.in_need.text(), _("people in need")),
            people_targeted=_count(self.targeted.text(), _("people targeted")),
            classification=self.classification.text().strip(),
            releasable_to=self.releasable.text().strip(),
            id=self.site.id if self.site else None,
        )
        if self.site is not None:
            data.admin1, data.country = self.site.admin1, self.site.country
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_sites

        return add_sites


class ItemForm(SupplyForm):
    """A catalogue item: code, name, category, base unit, pack and per-person standard."""

    def __init__(
        self,
        runner: Runner,
        store: Any,
        item: ItemRow | None = None,
        standards: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplyItemForm")
        self.item = item
        self.setWindowTitle(
            _("Edit item {code}").format(code=item.code) if item else _("New supply item")
        )
        self.code = QLineEdit(item.code if item else "", self)
        self.name = QLineEdit(item.name if item else "", self)
        self.category = _combo(self, CATEGORIES, category_label, item.category if item else "other")
        self.unit = QComboBox(self)
        self.unit.setEditable(True)
        self.unit.addItems(list(UNITS))
        self.unit.setCurrentText(item.unit if item else "each")
        self.pack_name = QLineEdit(item.pack_name if item else "", self)
        self.pack_name.setPlaceholderText(_("e.g. carton (empty: none)"))
        self.pack_size = QLineEdit(str(item.pack_size) if item else "1", self)
        self.standard = QComboBox(self)
        self.standard.addItem(_("none"), "")
        keys = sorted(set(standards) | ({item.standard} if item and item.standard else set()))
        for key in keys:
            self.standard.addItem(key, key)
        self.standard.setCurrentIndex(
            max(0, self.standard.findData(item.standard if item and item.standard else ""))
        )
        self.form.addRow(_("Code"), self.code)
        self.form.addRow(_("Name"), self.name)
        self.form.addRow(_("Category"), self.category)
        self.form.addRow(_("Base unit"), self.unit)
        self.form.addRow(_("Pack"), self.pack_name)
        self.form.addRow(_("Base units per pack"), self.pack_size)
        self.form.addRow(_("Per-person standard"), self.standard)
        self.finish_layout()
        self.setMinimumWidth(400)

    def collect(self) -> ItemData:
        size = _count(self.pack_size.text(), _("pack size"))
        data = ItemData(
            code=self.code.text(),
            name=self.name.text(),
            category=self.category.currentData(),
            unit=self.unit.currentText(),
            pack_name=self.pack_name.text(),
            pack_size=1 if size is None else size,
            standard=self.standard.currentData() or None,
            id=self.item.id if self.item else None,
        )
        if self.item is not None:
            data.kcal_per_unit = self.item.kcal_per_unit
            data.classification, data.releasable_to = (
                self.item.classification,
                self.item.releasable_to,
            )
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_items

        return add_items


def _site_combo(
    parent: QWidget,
    sites: Sequence[SiteSummary],
    current: str | None = None,
    none: str | None = None,
) -> QComboBox:
    box = QComboBox(parent)
    if none is not None:
        box.addItem(none, None)
    for s in sorted(sites, key=lambda s: s.name.lower()):
        box.addItem(s.name, s.site_id)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _item_combo(parent: QWidget, items: Sequence[ItemRow], current: str | None = None) -> QComboBox:
    box = QComboBox(parent)
    for i in sorted(items, key=lambda i: i.name.lower()):
        box.addItem(f"{i.name} ({i.unit})", i.id)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


class ShipmentForm(SupplyForm):
    """A planned shipment, new or edited: waybill, route, mode, ETA and its lines in base units."""

    def __init__(
        self,
        runner: Runner,
        store: Any,
        sites: Sequence[SiteSummary],
        items: Sequence[ItemRow],
        shipment: ShipmentRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplyShipmentForm")
        self.shipment = shipment
        self.setWindowTitle(
            _("Edit shipment {waybill}").format(waybill=shipment.waybill)
            if shipment
            else _("New shipment")
        )
        self.items = list(items)
        self.waybill = QLineEdit(shipment.waybill if shipment else "", self)
        self.origin = _site_combo(
            self,
            sites,
            shipment.origin_site_id if shipment else None,
            none=_("(from outside the operation)"),
        )
        self.origin_name = QLineEdit(
            shipment.origin if shipment and not shipment.origin_site_id else "", self
        )
        self.origin_name.setPlaceholderText(_("supplier or place, if not one of our sites"))
        self.destination = _site_combo(
            self, sites, shipment.destination_site_id if shipment else None
        )
        self.mode = _combo(self, MODES, mode_label, shipment.mode if shipment else "road")
        self.eta = QLineEdit(format_dtg(shipment.eta) if shipment and shipment.eta else "", self)
        self.eta.setPlaceholderText(_("DTG, e.g. 281530ZNOV26"))
        self.note = QLineEdit(shipment.note if shipment else "", self)
        self.lines = QTableWidget(0, 2, self)
        self.lines.setObjectName("supplyShipmentLines")
        self.lines.setHorizontalHeaderLabels([_("Item"), _("Quantity (base units)")])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.lines.verticalHeader().setVisible(True)
        self.lines.setMinimumHeight(140)
        self.add_line_button = QPushButton(_("Add line"), self)
        self.remove_line_button = QPushButton(_("Remove line"), self)
        self.add_line_button.clicked.connect(lambda: self.add_line())
        self.remove_line_button.clicked.connect(self.remove_line)
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_line_button)
        line_buttons.addWidget(self.remove_line_button)
        line_buttons.addStretch(1)
        self.form.addRow(_("Waybill"), self.waybill)
        self.form.addRow(_("From"), self.origin)
        self.form.addRow(_("Origin (outside)"), self.origin_name)
        self.form.addRow(_("To"), self.destination)
        self.form.addRow(_("Mode"), self.mode)
        self.form.addRow(_("ETA"), self.eta)
        self.form.addRow(_("Note"), self.note)
        self.form.addRow(QLabel(_("Lines"), self))
        self.form.addRow(self.lines)
        self.form.addRow(line_buttons)
        self.finish_layout()
        self.origin.currentIndexChanged.connect(self._origin_changed)
        self._origin_changed()
        for line in shipment.lines if shipment else ():
            self.add_line(line.item_id, str(line.quantity))
        if not self.lines.rowCount():
            self.add_line()
        self.setMinimumWidth(480)

    def _origin_changed(self) -> None:
        self.origin_name.setEnabled(self.origin.currentData() is None)

    def add_line(self, item_id: str | None = None, quantity: str = "") -> int:
        """A new line (row number); ``item_id`` and ``quantity`` prefill it."""
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        self.lines.setCellWidget(row, 0, _item_combo(self.lines, self.items, item_id))
        field = QLineEdit(quantity, self.lines)
        field.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.lines.setCellWidget(row, 1, field)
        return row

    def remove_line(self) -> None:
        row = self.lines.currentRow()
        self.lines.removeRow(row if row >= 0 else self.lines.rowCount() - 1)

    def line_fields(self, row: int) -> tuple[QComboBox, QLineEdit]:
        item, quantity = self.lines.cellWidget(row, 0), self.lines.cellWidget(row, 1)
        assert isinstance(item, QComboBox) and isinstance(quantity, QLineEdit)
        return item, quantity

    def collect(self) -> ShipmentData:
        lines: list[LineData] = []
        for row in range(self.lines.rowCount()):
            item, quantity = self.line_fields(row)
            label = _("line {n}").format(n=row + 1)
            if item.currentData() is None:
                raise ValidationError(_("{line}: no item chosen").format(line=label))
            try:
                amount = parse_quantity(quantity.text(), _("quantity"))
                lines.append(LineData(item_id=item.currentData(), quantity=amount).validate())
            except ValidationError as exc:
                raise ValidationError(f"{label}: {exc}") from None
        origin = self.origin.currentData()
        data = ShipmentData(
            waybill=self.waybill.text(),
            origin_site_id=origin,
            origin_name="" if origin else self.origin_name.text(),
            destination_site_id=self.destination.currentData() or "",
            mode=self.mode.currentData(),
            status="planned",
            eta=_when(self.eta.text(), _("ETA")),
            note=self.note.text(),
            lines=lines,
        )
        if self.shipment is not None:
            data.id, data.departure = self.shipment.id, self.shipment.departure
            data.classification, data.releasable_to = (
                self.shipment.classification,
                self.shipment.releasable_to,
            )
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_shipments

        return add_shipments


class RequestForm(SupplyForm):
    """A request for supply at a site: item, quantity, priority, date required."""

    def __init__(
        self,
        runner: Runner,
        store: Any,
        sites: Sequence[SiteSummary],
        items: Sequence[ItemRow],
        request: RequestRow | None = None,
        site_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, store, parent)
        self.setObjectName("supplyRequestForm")
        self.request = request
        self.setWindowTitle(_("Edit request") if request else _("New request"))
        self.site = _site_combo(self, sites, request.site_id if request else site_id)
        self.item = _item_combo(self, items, request.item_id if request else None)
        self.quantity = QLineEdit(str(request.quantity) if request else "", self)
        self.quantity.setPlaceholderText(_("whole number of base units"))
        self.priority = _combo(
            self, PRIORITIES, priority_label, request.priority if request else "medium"
        )
        self.required_by = QLineEdit(
            format_dtg(request.required_by) if request and request.required_by else "", self
        )
        self.required_by.setPlaceholderText(_("DTG or date, e.g. 051200ZDEC26"))
        self.note = QLineEdit(request.note if request else "", self)
        self.form.addRow(_("Site"), self.site)
        self.form.addRow(_("Item"), self.item)
        self.units = {i.id: i.unit for i in items}
        self.unit = QLabel(self)
        self.unit.setTextFormat(Qt.TextFormat.PlainText)
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.quantity, 1)
        quantity_row.addWidget(self.unit)
        self.item.currentIndexChanged.connect(
            lambda: self.unit.setText(self.units.get(self.item.currentData(), ""))
        )
        self.unit.setText(self.units.get(self.item.currentData(), ""))
        self.form.addRow(_("Quantity"), quantity_row)
        self.form.addRow(_("Priority"), self.priority)
        self.form.addRow(_("Required by"), self.required_by)
        self.form.addRow(_("Note"), self.note)
        self.finish_layout()
        self.setMinimumWidth(400)

    def collect(self) -> RequestData:
        if self.site.currentData() is None or self.item.currentData() is None:
            raise ValidationError(_("a request needs a site and an item"))
        data = RequestData(
            site_id=self.site.currentData(),
            item_id=self.item.currentData(),
            quantity=parse_quantity(self.quantity.text(), _("quantity")),
            priority=self.priority.currentData(),
            required_by=_when(self.required_by.text(), _("required by")),
            note=self.note.text(),
        )
        if self.request is not None:
            data.id, data.status = self.request.id, self.request.status
            data.classification, data.releasable_to = (
                self.request.classification,
                self.request.releasable_to,
            )
        return data.validate()

    def operation(self, data: Any) -> Callable[..., Any]:
        from app.core.supply.ops import add_requests

        return add_requests


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
        for table in (panel.sites_table, panel.items_table, panel.requests_table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.setToolTip(_("Double-click a row to edit it; right-click for more"))
        panel.sites_table.customContextMenuRequested.connect(self._site_menu)
        panel.items_table.customContextMenuRequested.connect(self._item_menu)
        panel.requests_table.customContextMenuRequested.connect(self._request_menu)

    def _menu(self, table: Any, pos: Any, actions: Sequence[tuple[str, Callable[[], Any]]]) -> None:
        menu = QMenu(table)
        for text, slot in actions:
            menu.addAction(text, slot)
        menu.popup(table.viewport().mapToGlobal(pos))

    def _site_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.sites_table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [(_("New site…"), self.new_site)]
        if index.isValid():
            site_id = panel.sites_model.rows[index.row()].site_id
            actions = [
                (_("Edit site…"), lambda: self.edit_site(site_id)),
                (_("New request for this site…"), lambda: self.new_request(site_id)),
                *actions,
            ]
        self._menu(panel.sites_table, pos, actions)

    def _item_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.items_table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [(_("New item…"), self.new_item)]
        if index.isValid():
            item_id = panel.items_model.rows[index.row()][0].id
            actions.insert(0, (_("Edit item…"), lambda: self.edit_item(item_id)))
        self._menu(panel.items_table, pos, actions)

    def _request_menu(self, pos: Any) -> None:
        panel = self.panel
        index = panel.requests_table.indexAt(pos)
        actions: list[tuple[str, Callable[[], Any]]] = [
            (_("New request…"), lambda: self.new_request())
        ]
        if index.isValid():
            request_id = panel.requests_model.rows[index.row()].id
            actions.insert(0, (_("Edit request…"), lambda: self.edit_request(request_id)))
        self._menu(panel.requests_table, pos, actions)

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
            load_site,
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
