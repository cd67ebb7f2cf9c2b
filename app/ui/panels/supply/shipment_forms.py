"""The Supply dock's shipment and request forms (their lines in base units)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.picture.records import ValidationError
from app.core.supply.records import (
    MODES,
    PRIORITIES,
    LineData,
    RequestData,
    ShipmentData,
    mode_label,
    parse_quantity,
    priority_label,
)
from app.i18n import _
from app.ui.panels.supply.fields import (
    combo,
    item_combo,
    site_combo,
    when_field,
)
from app.ui.panels.supply.forms import SupplyForm

if TYPE_CHECKING:
    from app.core.supply.indicators import SiteSummary
    from app.core.supply.queries import ItemRow, RequestRow, ShipmentRow
    from app.ui.workers import Runner


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
        self.origin = site_combo(
            self,
            sites,
            shipment.origin_site_id if shipment else None,
            none=_("(from outside the operation)"),
        )
        self.origin_name = QLineEdit(
            shipment.origin if shipment and not shipment.origin_site_id else "", self
        )
        self.origin_name.setPlaceholderText(_("supplier or place, if not one of our sites"))
        self.destination = site_combo(
            self, sites, shipment.destination_site_id if shipment else None
        )
        self.mode = combo(self, MODES, mode_label, shipment.mode if shipment else "road")
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
        self.lines.setCellWidget(row, 0, item_combo(self.lines, self.items, item_id))
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
            eta=when_field(self.eta.text(), _("ETA")),
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
        self.site = site_combo(self, sites, request.site_id if request else site_id)
        self.item = item_combo(self, items, request.item_id if request else None)
        self.quantity = QLineEdit(str(request.quantity) if request else "", self)
        self.quantity.setPlaceholderText(_("whole number of base units"))
        self.priority = combo(
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
            required_by=when_field(self.required_by.text(), _("required by")),
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
