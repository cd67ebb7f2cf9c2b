"""Audit dock: the store's change history (who changed what, when)."""

from app.ui.panels.audit.panel import register

__all__ = ["register"]
