"""Briefing dock: saved views as slides, presentation mode, handouts, and the
time slider that shows the picture as it was."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.briefing.panel import build

# a tab beside Units and Tasks: the briefer opens it, the watchkeeper keeps the tables
PANEL = PanelSpec(
    "briefing", N_("Briefing"), Qt.DockWidgetArea.RightDockWidgetArea, build, tab_with="units"
)

__all__ = ["PANEL"]
