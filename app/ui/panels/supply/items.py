"""The Supply dock's Items tab: the catalogue with the operation's totals, and the
per-person standards (editable)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.supply.records import category_label
from app.i18n import _
from app.ui.context import AppContext
from app.ui.panels.supply.tables import ColumnsModel, count_text, days_text, make_table, rate_text

if TYPE_CHECKING:
    from app.core.supply.queries import SupplyOverview
    from app.ui.panels.supply.actions import SupplyForms


class ItemsTab(QWidget):
    """Items with stock on hand, in transit, consumption and shortfall over all sites."""

    def __init__(self, ctx: AppContext, forms: SupplyForms, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ColumnsModel(
            [
                (_("Code"), lambda t: t[0].code),
                (_("Item"), lambda t: t[0].name),
                (_("Category"), lambda t: category_label(t[0].category)),
                (_("Unit"), lambda t: t[0].unit),
                (
                    _("Pack"),
                    lambda t: f"{t[0].pack_name} × {t[0].pack_size:,}" if t[0].pack_name else "",
                ),
                (_("On hand"), lambda t: count_text(t[1].on_hand) if t[1] else ""),
                (
                    _("In transit"),
                    lambda t: count_text(t[1].in_transit) if t[1] and t[1].in_transit else "",
                ),
                (
                    _("Per day"),
                    lambda t: (
                        rate_text(t[1].daily_consumption) if t[1] and t[1].daily_consumption else ""
                    ),
                ),
                (_("Days"), lambda t: days_text(t[1].days_of_supply) if t[1] else ""),
                (
                    _("Shortfall"),
                    lambda t: count_text(t[1].shortfall) if t[1] and t[1].shortfall else "",
                ),
            ],
            numeric=(5, 6, 7, 8, 9),
        )
        self.table = make_table(self.model, "supplyItems", (95, 230, 80, 55, 110, 95, 85, 75, 55))
        self.standards_model = ColumnsModel(
            [
                (_("Standard"), lambda s: s.key),
                (_("Per person per day"), lambda s: f"{s.quantity.normalize():f}"),
                (_("Unit"), lambda s: s.unit),
                (_("Source"), lambda s: s.note + ("" if not s.edited else " ✎")),
            ],
            numeric=(1,),
        )
        self.standards_table = make_table(self.standards_model, "supplyStandards", (90, 130, 60))
        self.standards_table.setMaximumHeight(110)
        self.standards_table.doubleClicked.connect(self._edit_standard)
        self.table.doubleClicked.connect(lambda i: forms.edit_item(self.model.rows[i.row()][0].id))
        items_layout = QVBoxLayout(self)
        items_layout.setContentsMargins(0, 0, 0, 0)
        items_layout.addWidget(self.table, 1)
        hint = QLabel(_("Per-person standards (double-click to edit):"), self)
        items_layout.addWidget(hint)
        items_layout.addWidget(self.standards_table)

    def fill(self, view: SupplyOverview) -> None:
        totals = {t.item_id: t for t in view.totals}
        self.model.set_rows([(i, totals.get(i.id)) for i in view.items])
        self.standards_model.set_rows(view.standards)

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
