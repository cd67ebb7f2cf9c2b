"""Dockable panels.  Each is a package that declares itself with a ``PANEL``
(:class:`PanelSpec`): its name, title, default dock area, the panel it tabs with
and the function that builds its widget.  The main window builds them in the
order of ``PANELS`` and keeps them in ``window.panels`` (by name): that registry
is the one way to reach another panel; shared state and events go through the
``AppContext`` signals (``app/ui/context.py``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

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


@dataclass(frozen=True)
class PanelSpec:
    """How a panel package places itself in the main window."""

    name: str
    """The key in ``window.panels``; the dock is named ``<name>Dock`` (saved layouts)."""
    title: str
    """The dock's title, marked with ``N_`` and translated when the window is built."""
    area: Qt.DockWidgetArea
    """The default dock area."""
    build: Callable[[MainWindow], QWidget]
    """Makes the panel's widget (and wires what else the package owns) for a window."""
    tab_with: str | None = None
    """The name of the panel this one sits beside as a tab, if any."""

    @property
    def dock_name(self) -> str:
        return f"{self.name}Dock"

    def translated_title(self) -> str:
        return _(self.title)


def panel_specs() -> list[PanelSpec]:
    """Every panel's declaration, in the order the window places them."""
    return [importlib.import_module(name).PANEL for name in PANELS]
