"""Layers dock: units by affiliation, zones by kind, labels."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.layers.panel import build

PANEL = PanelSpec("layers", N_("Layers"), Qt.DockWidgetArea.LeftDockWidgetArea, build)

__all__ = ["PANEL"]
