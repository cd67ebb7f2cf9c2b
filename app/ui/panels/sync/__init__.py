"""Sync dock: pending changes, peers, Sync now, bundles, conflicts to review and reverse."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.sync.panel import build

# beside the tasks, not squeezing the map
PANEL = PanelSpec(
    "sync", N_("Sync"), Qt.DockWidgetArea.RightDockWidgetArea, build, tab_with="tasks"
)

__all__ = ["PANEL"]
