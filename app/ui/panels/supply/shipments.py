"""The Supply dock's Shipments tab: a board with a column per status, the selected
shipment's lines, and dispatch, receive (with discrepancies) and cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.common.dtg import format_dtg
from app.core.mapdoc.protocol import Op, message
from app.core.supply.records import SHIPMENT_STATUSES, mode_label, shipment_status_label
from app.i18n import _
from app.ui.context import AppContext
from app.ui.models.table import plain_tooltip
from app.ui.panels.supply.tables import STATUS_COLOURS

if TYPE_CHECKING:
    from app.core.supply.queries import ShipmentRow
    from app.ui.panels.supply.actions import SupplyForms


class ShipmentBoard(QWidget):
    """Shipments as cards in planned / in transit / arrived / cancelled columns."""

    def __init__(
        self,
        ctx: AppContext,
        forms: SupplyForms,
        push: Callable[[dict[str, Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._push = push
        self.shipments: list[ShipmentRow] = []
        board = self
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
                lambda it: forms.edit_shipment(str(it.data(Qt.ItemDataRole.UserRole)))
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

    def fill(self, shipments: list[ShipmentRow]) -> None:
        self.shipments = shipments
        for listing in self.board.values():
            listing.clear()
        for s in shipments:
            card_list = self.board.get(s.status)
            if card_list is None:
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
            card_list.addItem(item)

    def current(self) -> ShipmentRow | None:
        """The selected shipment, as last read."""
        return next((s for s in self.shipments if s.id == self.selected_shipment), None)

    def _shipment_clicked(self, item: QListWidgetItem) -> None:
        self.select_shipment(str(item.data(Qt.ItemDataRole.UserRole)))

    def select_shipment(self, shipment_id: str) -> None:
        self.selected_shipment = shipment_id
        for listing in self.board.values():
            for n in range(listing.count()):
                it = listing.item(n)
                it.setSelected(it.data(Qt.ItemDataRole.UserRole) == shipment_id)
        ship = self.current()
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
        self._push(message(Op.SUPPLY_SELECT, id=shipment_id))

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

        ship = self.current()
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
