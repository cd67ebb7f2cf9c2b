"""Tasks dock: who does what, where, by when."""

from app.ui.panels.tasks.panel import register

__all__ = ["register"]
