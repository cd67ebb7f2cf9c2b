"""Alerts dock: units inside hazard zones, units that just entered one."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.alerts.panel import build

PANEL = PanelSpec("alerts", N_("Alerts"), Qt.DockWidgetArea.BottomDockWidgetArea, build)

__all__ = ["PANEL"]
