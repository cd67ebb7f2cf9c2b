"""Exchange: the live CoT feed (settings, connection indicator, opt-in sending),
the Messages dock (chat heard on the feed or imported), routes on the map and
exports for TAK and GIS tools (CoT, KML, KMZ, TAK data packages)."""

from app.ui.panels.exchange.panel import register

__all__ = ["register"]
