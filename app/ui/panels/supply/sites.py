"""The Supply dock's Sites tab: each site with its traffic-light days of supply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.mapdoc.protocol import Op, message
from app.core.supply.records import site_kind_label
from app.i18n import _
from app.ui.panels.supply.tables import (
    ColumnsModel,
    count_text,
    days_text,
    level_colour,
    level_label,
    make_table,
)

if TYPE_CHECKING:
    from app.core.supply.queries import SupplyOverview
    from app.ui.panels.supply.actions import SupplyForms


class SitesTab(QWidget):
    """The sites, worst first; a click flies the map there and filters the stock."""

    sig_site_chosen = Signal(str)
    """A site was selected (its id): the Stock tab shows its stock."""

    def __init__(
        self,
        forms: SupplyForms,
        push: Callable[[dict[str, Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._push = push
        self.model = ColumnsModel(
            [
                (_("Site"), lambda s: s.name),
                (_("Kind"), lambda s: site_kind_label(s.kind)),
                (_("People"), lambda s: count_text(s.people) if s.people else ""),
                (_("Days of supply"), lambda s: days_text(s.worst_days)),
                (_("Lowest item"), lambda s: s.worst_item),
                (_("Status"), lambda s: level_label(s.level)),
                (_("To reorder"), lambda s: s.reorder or ""),
                (_("Short of need"), lambda s: s.shortfall_items or ""),
            ],
            colour=lambda s, col: level_colour(s.level) if col in (3, 5) else None,
            numeric=(2, 3, 6, 7),
        )
        self.table = make_table(self.model, "supplySites", (230, 120, 70, 95, 190, 95, 75))
        self.table.selectionModel().selectionChanged.connect(self._site_selected)
        self.table.doubleClicked.connect(
            lambda i: forms.edit_site(self.model.rows[i.row()].site_id)
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def fill(self, view: SupplyOverview) -> None:
        self.model.set_rows(
            sorted(
                view.sites,
                key=lambda s: ({"red": 0, "amber": 1, "green": 2}.get(s.level, 3), s.name.lower()),
            )
        )

    def _site_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        site = self.model.rows[rows[0].row()]
        if site.lat is not None and site.lon is not None:
            self._push(message(Op.FLY, lat=site.lat, lon=site.lon, zoom=10))
        self.sig_site_chosen.emit(site.site_id)
