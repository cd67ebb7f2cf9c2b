"""Sync dock: pending changes, peers, Sync now, bundles, conflicts to review and reverse."""

from app.ui.panels.sync.panel import register

__all__ = ["register"]
