"""The Supply dock's Requests and Presence tabs: needs by site and item with their
fulfilment, and who does what where (3W) with people reached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.common.dtg import format_dtg
from app.core.supply.records import priority_label, request_status_label
from app.i18n import _
from app.ui.panels.supply.tables import ColumnsModel, count_text, make_table

if TYPE_CHECKING:
    from app.core.supply.queries import PresenceRow, RequestRow
    from app.ui.panels.supply.actions import SupplyForms


class RequestsTab(QWidget):
    """Requests (needs): critical ones stand out; double-click to edit."""

    def __init__(self, forms: SupplyForms, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ColumnsModel(
            [
                (_("Site"), lambda r: r.site),
                (_("Item"), lambda r: r.item),
                (_("Quantity"), lambda r: f"{r.quantity:,} {r.unit}"),
                (_("Received"), lambda r: count_text(r.received) or ""),
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
        self.table = make_table(self.model, "supplyRequests", (200, 190, 110, 80, 75, 110, 110))
        self.table.doubleClicked.connect(lambda i: forms.edit_request(self.model.rows[i.row()].id))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def fill(self, requests: list[RequestRow]) -> None:
        self.model.set_rows(requests)


class PresenceTab(QWidget):
    """3W presence: organisation, sector, place, people in need, targeted, reached."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ColumnsModel(
            [
                (_("Organisation"), lambda p: p.organisation),
                (_("Sector"), lambda p: p.sector),
                (_("Place"), lambda p: p.place),
                (_("Admin 1"), lambda p: p.admin1),
                (_("In need"), lambda p: count_text(p.in_need)),
                (_("Targeted"), lambda p: count_text(p.targeted)),
                (_("Reached"), lambda p: count_text(p.reached)),
                (
                    _("Reached %"),
                    lambda p: (
                        f"{100 * p.reached / p.targeted:.0f} %" if p.reached and p.targeted else ""
                    ),
                ),
            ],
            numeric=(4, 5, 6, 7),
        )
        self.table = make_table(self.model, "supplyPresence", (130, 120, 150, 110, 80, 80, 80))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def fill(self, presence: list[PresenceRow]) -> None:
        self.model.set_rows(presence)
