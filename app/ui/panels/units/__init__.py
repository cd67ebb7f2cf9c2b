"""Units dock: the table of units, in step with the map."""

from app.ui.panels.units.panel import register

__all__ = ["register"]
