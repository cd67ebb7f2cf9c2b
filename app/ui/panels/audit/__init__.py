"""Audit dock: the store's change history (who changed what, when)."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.audit.panel import build

# beside the Alerts dock, as a tab: the watchkeeper's eye stays on the alerts
PANEL = PanelSpec(
    "audit", N_("Audit"), Qt.DockWidgetArea.BottomDockWidgetArea, build, tab_with="alerts"
)

__all__ = ["PANEL"]
