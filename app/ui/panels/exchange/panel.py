"""Registers the Exchange pieces in the main window: the Messages dock, the
Exchange menu (exports for TAK and GIS tools, the live feed), the feed's
indicator in the status bar and the routes on the map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from app.i18n import _
from app.ui.panels.exchange.feed import FeedController
from app.ui.panels.exchange.messages import MessagesPanel
from app.ui.panels.exchange.routes import RoutesOnMap
from app.ui.panels.exchange.settings import FeedSettingsDialog

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def _exports() -> list[tuple[str, str, str, str]]:
    return [
        (
            "cot",
            _("Export Cursor on Target (CoT)…"),
            "picture.cot",
            _("Cursor on Target (*.cot *.xml)"),
        ),
        ("kml", _("Export KML…"), "picture.kml", _("KML (*.kml)")),
        ("kmz", _("Export KMZ…"), "picture.kmz", _("KMZ (*.kmz)")),
        ("tak", _("Export TAK data package…"), "picture.zip", _("TAK data package (*.zip)")),
    ]


class ExchangeMenu:
    def __init__(self, window: MainWindow, feed: FeedController) -> None:
        self.window, self.feed = window, feed
        bar = window.menuBar()
        actions = bar.actions()
        menu = bar.addMenu(_("E&xchange"))
        if actions:  # before Help, the last menu
            bar.insertMenu(actions[-1], menu)
        self.menu = menu
        for fmt, label, default, filter_text in _exports():
            action = QAction(label, window)
            action.triggered.connect(
                lambda _c=False, f=fmt, d=default, t=filter_text: self.export(f, d, t)
            )
            menu.addAction(action)
        menu.addSeparator()
        self.routes_action = QAction(_("Show &routes on the map"), window)
        self.routes_action.setCheckable(True)
        menu.addAction(self.routes_action)
        menu.addSeparator()
        self.connect_action = QAction(_("&Connect to the live feed"), window)
        self.connect_action.setCheckable(True)
        self.connect_action.toggled.connect(self._toggle_feed)
        menu.addAction(self.connect_action)
        self.send_action = QAction(_("&Send our units on the feed"), window)
        self.send_action.setCheckable(True)
        self.send_action.setChecked(feed.config.send_own)
        self.send_action.toggled.connect(feed.set_sending)
        menu.addAction(self.send_action)
        settings = QAction(_("Live feed &settings…"), window)
        settings.triggered.connect(self.edit_settings)
        menu.addAction(settings)

    def export(self, fmt: str, default: str, filter_text: str) -> None:
        from app.core.exchange.files import export_file

        path, _filter = QFileDialog.getSaveFileName(self.window, _("Export"), default, filter_text)
        if path:
            self.window.ctx.runner.submit(
                export_file,
                self.window.ctx.store,
                Path(path),
                fmt,
                on_done=lambda r: self.window.ctx.sig_status.emit(str(r)),
            )

    def _toggle_feed(self, on: bool) -> None:
        if on and self.feed.client is None:
            try:
                self.feed.start()
            except ValueError as exc:
                self.window.show_error(str(exc))
                self.connect_action.setChecked(False)
        elif not on and self.feed.client is not None:
            self.feed.stop(remember=True)

    def edit_settings(self) -> FeedSettingsDialog:
        dialog = FeedSettingsDialog(self.feed.config, self.feed.connect_at_start, self.window)

        def accepted() -> None:
            if dialog.config is not None:
                self.feed.apply_settings(dialog.config, dialog.at_start.isChecked())
                self.send_action.setChecked(dialog.config.send_own)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog


def build(window: MainWindow) -> MessagesPanel:
    """The Messages dock; it holds the other Exchange pieces it registers too: the live
    ``feed`` (its indicator in the status bar), the Exchange ``menu`` and the ``routes``
    on the map."""
    feed = FeedController(window.ctx, window)
    window.statusBar().addPermanentWidget(feed.indicator)
    menu = ExchangeMenu(window, feed)
    routes = RoutesOnMap(window.ctx, window.map_view, window.map_controller, window)
    menu.routes_action.setChecked(routes.shown)
    menu.routes_action.toggled.connect(routes.show)
    panel = MessagesPanel(window.ctx, window)
    panel.feed, panel.menu, panel.routes = feed, menu, routes
    window.sig_closed.connect(feed.close)
    if feed.connect_at_start:
        window.ctx.when_picture_shown(lambda: menu.connect_action.setChecked(True))
    return panel
