"""Briefing dock: saved views as slides, presentation mode, handouts, and the
time slider that shows the picture as it was."""

from app.ui.panels.briefing.panel import register

__all__ = ["register"]
