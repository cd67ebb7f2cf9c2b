"""Alerts dock: units inside hazard zones, units that just entered one."""

from app.ui.panels.alerts.panel import register

__all__ = ["register"]
