"""Units dock: the table of units, in step with the map."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.units.panel import build

PANEL = PanelSpec("units", N_("Units"), Qt.DockWidgetArea.RightDockWidgetArea, build)

__all__ = ["PANEL"]
