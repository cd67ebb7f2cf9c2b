"""Supply dock: sites and days of supply, stock and charts, items, shipments, requests, 3W presence."""

from app.ui.panels.supply.panel import register

__all__ = ["register"]
