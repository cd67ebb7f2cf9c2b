"""Exchange: the live CoT feed (settings, connection indicator, opt-in sending),
the Messages dock (chat heard on the feed or imported), routes on the map and
exports for TAK and GIS tools (CoT, KML, KMZ, TAK data packages)."""

from PySide6.QtCore import Qt

from app.i18n import N_
from app.ui.panels import PanelSpec
from app.ui.panels.exchange.panel import build

# a tab beside the Alerts: the bottom of the window is too short to split
PANEL = PanelSpec(
    "messages", N_("Messages"), Qt.DockWidgetArea.BottomDockWidgetArea, build, tab_with="alerts"
)

__all__ = ["PANEL"]
