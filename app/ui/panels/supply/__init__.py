"""Supply dock: sites and days of supply, stock and charts, items, shipments, requests, 3W presence."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.supply.panel import build

PANEL = PanelSpec(
    "supply", N_("Supply"), Qt.DockWidgetArea.RightDockWidgetArea, build, tab_with="tasks"
)

__all__ = ["PANEL"]
