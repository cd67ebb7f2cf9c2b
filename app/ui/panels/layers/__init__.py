"""Layers dock: units by affiliation, zones by kind, labels."""

from app.ui.panels.layers.panel import register

__all__ = ["register"]
