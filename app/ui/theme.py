"""Day and night display, and the size of text and symbols.

Night is a dark, low-glare palette for the window and the map alike (dim
panels, amber text, no white areas), for a watch kept in a darkened room.
The size factor scales the interface font and the map's symbols and labels,
for 4K screens and projectors.  Both are saved per user and restored at
start; the classification banners keep their prescribed colours.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from app.core.mapdoc.protocol import Op, message
from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

SIZES = (1.0, 1.25, 1.5, 1.75, 2.0)
_ORIGINAL: dict[str, Any] = {}
_CURRENT = {"theme": "day"}


def current_theme() -> str:
    """ "day" or "night", as the window shows now (for widgets made later)."""
    return _CURRENT["theme"]


NIGHT = {
    QPalette.ColorRole.Window: "#161b20",
    QPalette.ColorRole.WindowText: "#d9c7a0",
    QPalette.ColorRole.Base: "#0f1317",
    QPalette.ColorRole.AlternateBase: "#151a1f",
    QPalette.ColorRole.Text: "#d9c7a0",
    QPalette.ColorRole.PlaceholderText: "#7d7363",
    QPalette.ColorRole.Button: "#1e252c",
    QPalette.ColorRole.ButtonText: "#d9c7a0",
    QPalette.ColorRole.BrightText: "#ffb347",
    QPalette.ColorRole.Highlight: "#5a3f12",
    QPalette.ColorRole.HighlightedText: "#ffe2a8",
    QPalette.ColorRole.ToolTipBase: "#1e252c",
    QPalette.ColorRole.ToolTipText: "#d9c7a0",
    QPalette.ColorRole.Link: "#d89b45",
    QPalette.ColorRole.Light: "#2a323a",
    QPalette.ColorRole.Midlight: "#232a31",
    QPalette.ColorRole.Mid: "#1a2026",
    QPalette.ColorRole.Dark: "#0b0e11",
    QPalette.ColorRole.Shadow: "#000000",
}


def night_palette() -> QPalette:
    palette = QPalette()
    for role, colour in NIGHT.items():
        palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour).darker(160))
    return palette


class Display(QObject):
    sig_changed = Signal(str, float)
    """The theme ("day" or "night") or the size factor changed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.app = app
        if not _ORIGINAL:  # the style's own palette and font, before any change of ours
            _ORIGINAL.update(palette=QPalette(app.palette()), font=QFont(app.font()))
        self.day_palette: QPalette = _ORIGINAL["palette"]
        self.base_font: QFont = _ORIGINAL["font"]
        theme = str(self.ctx.settings.value("display/theme", "day"))
        self.theme = theme if theme in ("day", "night") else "day"
        try:
            self.size = float(self.ctx.settings.value("display/size", 1.0))
        except (TypeError, ValueError):
            self.size = 1.0
        self.size = min(SIZES, key=lambda s: abs(s - self.size))
        self._build_menu()
        self.apply()

    def _build_menu(self) -> None:
        menu = self.window.view_menu
        menu.addSeparator()
        self.night_action = QAction(_("&Night mode"), self.window)
        self.night_action.setCheckable(True)
        self.night_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.night_action.toggled.connect(lambda on: self.set_theme("night" if on else "day"))
        menu.addAction(self.night_action)
        sizes = menu.addMenu(_("Text and symbol &size"))
        self.size_group = QActionGroup(self.window)
        self.size_actions: dict[float, QAction] = {}
        for size in SIZES:
            action = QAction(_("{percent} %").format(percent=round(size * 100)), self.window)
            action.setCheckable(True)
            action.triggered.connect(lambda _c=False, s=size: self.set_size(s))
            self.size_group.addAction(action)
            sizes.addAction(action)
            self.size_actions[size] = action
        sizes.addSeparator()
        for text, shortcut, step in ((_("&Larger"), "Ctrl++", 1), (_("S&maller"), "Ctrl+-", -1)):
            action = QAction(text, self.window)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _c=False, d=step: self.step_size(d))
            sizes.addAction(action)
        reset = QAction(_("&Normal size"), self.window)
        reset.setShortcut(QKeySequence("Ctrl+0"))
        reset.triggered.connect(lambda: self.set_size(1.0))
        sizes.addAction(reset)

    # ------------------------------------------------------------ changes
    def set_theme(self, theme: str) -> None:
        if theme != self.theme:
            self.theme = theme
            self.ctx.settings.setValue("display/theme", theme)
            self.apply()

    def set_size(self, size: float) -> None:
        if size != self.size:
            self.size = size
            self.ctx.settings.setValue("display/size", size)
            self.apply()

    def step_size(self, step: int) -> None:
        i = SIZES.index(self.size) + step
        self.set_size(SIZES[max(0, min(len(SIZES) - 1, i))])

    def apply(self) -> None:
        night = self.theme == "night"
        self.app.setPalette(night_palette() if night else self.day_palette)
        font = QFont(self.base_font)
        if self.base_font.pointSizeF() > 0:
            font.setPointSizeF(self.base_font.pointSizeF() * self.size)
        else:
            font.setPixelSize(round(self.base_font.pixelSize() * self.size))
        self.app.setFont(font)
        self.night_action.blockSignals(True)
        self.night_action.setChecked(night)
        self.night_action.blockSignals(False)
        self.size_actions[self.size].setChecked(True)
        _CURRENT["theme"] = self.theme
        charts = sys.modules.get("app.ui.panels.supply.charts")  # only if a chart was ever made
        if charts is not None:
            charts.set_chart_theme(self.theme)
        self.window.ctx.map.send(
            [message(Op.THEME, name=self.theme), message(Op.SCALE, factor=self.size)]
        )
        self.sig_changed.emit(self.theme, self.size)


def install(window: MainWindow) -> Display:
    return Display(window)
