"""Tasks dock: who does what, where, by when."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.tasks.panel import build

PANEL = PanelSpec(
    "tasks", N_("Tasks"), Qt.DockWidgetArea.RightDockWidgetArea, build, tab_with="units"
)

__all__ = ["PANEL"]
