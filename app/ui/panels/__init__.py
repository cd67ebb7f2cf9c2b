"""Dockable panels.  Each is a package with ``register(window)``; the main
window only places what they return."""

PANELS = (
    "app.ui.panels.units",
    "app.ui.panels.layers",
    "app.ui.panels.alerts",
    "app.ui.panels.tasks",
    "app.ui.panels.briefing",
    "app.ui.panels.audit",
    "app.ui.panels.exchange",
    "app.ui.panels.supply",
    "app.ui.panels.sync",
)
