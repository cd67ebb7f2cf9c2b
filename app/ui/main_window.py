"""The main window: a shell that places the map, the banners and the panels.

Behaviour lives in panels (``app/ui/panels/<name>``), the map controller and
core operations; this file only wires them together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from app import __version__
from app.core.common.geo import format_dd, to_mgrs
from app.core.store.engine import Store
from app.i18n import _
from app.ui.banner import ClassificationBanner
from app.ui.context import AppContext
from app.ui.map.controller import MapController
from app.ui.map.view import MapView
from app.ui.panels import PanelSpec, panel_specs


class MainWindow(QMainWindow):
    sig_closed = Signal()
    """The window closed and released its background work."""

    def __init__(self, store: Store, map_view: MapView, settings: QSettings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = AppContext(store, settings, self)
        self.ctx.runner.sig_error.connect(self.show_error)
        self.map_view = map_view  # created first so the web engine starts early
        self.map_controller = MapController(self.ctx, self.map_view, self)
        self.banner_top = ClassificationBanner(self)
        self.banner_bottom = ClassificationBanner(self)
        # the banners span the whole window, above and below the panels too
        for banner, area in (
            (self.banner_top, Qt.ToolBarArea.TopToolBarArea),
            (self.banner_bottom, Qt.ToolBarArea.BottomToolBarArea),
        ):
            bar = QToolBar(self)
            bar.setObjectName(f"banner{area.name}")
            bar.setMovable(False)
            bar.setFloatable(False)
            bar.setContentsMargins(0, 0, 0, 0)
            bar.setStyleSheet("QToolBar { border: 0; padding: 0; spacing: 0; }")
            bar.toggleViewAction().setVisible(False)
            banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            bar.addWidget(banner)
            self.addToolBar(area, bar)
        self.setCentralWidget(self.map_view)
        self.ctx.sig_marking.connect(self._set_marking)
        self._build_status_bar()
        self.docks: list[QDockWidget] = []
        self._build_menus()
        from app.ui.map.tools import install as install_map_tools
        from app.ui.map.zones import install as install_zone_editor
        from app.ui.store_actions import install as install_store_actions

        self.map_tools = install_map_tools(self)
        self.zone_editor = install_zone_editor(self)
        self.store_actions = install_store_actions(self)
        self.panels: dict[str, QWidget] = {}
        """Every panel's widget by its name (``PanelSpec.name``): the registry."""
        for spec in panel_specs():
            self.panels[spec.name] = widget = spec.build(self)
            self.add_panel(spec, widget)
        for dock in self.docks:  # by default the watchkeeper's tabs are in front
            if dock.objectName() in ("unitsDock", "alertsDock"):
                dock.raise_()
        from app.ui.shortcuts import install as install_keyboard
        from app.ui.theme import install as install_display

        self.display = install_display(self)
        self.keyboard = install_keyboard(self)
        self._restore_layout()
        if self.map_view.ready:
            self.map_controller.reload()
        else:
            self.map_view.bridge.sig_ready.connect(self.map_controller.reload)

    # ------------------------------------------------------------------ layout
    def add_panel(self, spec: PanelSpec, widget: QWidget) -> QDockWidget:
        """Puts a panel's ``widget`` in a dock where its ``spec`` says, as a tab beside
        the panel named ``spec.tab_with`` when there is one (Units and Alerts are
        brought to the front once every panel is placed).

        The dock scrolls rather than grow: a tall panel (Sync, Supply) must not
        make the whole window taller than a 720-line projector.
        """
        dock = QDockWidget(spec.translated_title(), self)
        dock.setObjectName(spec.dock_name)
        area_ = QScrollArea(dock)
        area_.setWidgetResizable(True)
        area_.setFrameShape(QFrame.Shape.NoFrame)
        area_.setWidget(widget)
        area_.setFocusProxy(widget)
        dock.setWidget(area_)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(spec.area, dock)
        neighbour = next(
            (d for d in self.docks if spec.tab_with and d.objectName() == f"{spec.tab_with}Dock"),
            None,
        )
        if neighbour is not None:
            self.tabifyDockWidget(neighbour, dock)
        self.docks.append(dock)
        self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _restore_layout(self) -> None:
        state = self.ctx.settings.value("window/state")
        geometry = self.ctx.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 950)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:
            self.resizeDocks(
                [d for d in self.docks if d.objectName() == "layersDock"],
                [190],
                Qt.Orientation.Horizontal,
            )
            self.resizeDocks(
                [d for d in self.docks if d.objectName() == "unitsDock"],
                [640],
                Qt.Orientation.Horizontal,
            )
            self.resizeDocks(
                [d for d in self.docks if d.objectName() == "alertsDock"],
                [170],
                Qt.Orientation.Vertical,
            )

    def _build_status_bar(self) -> None:
        self.cursor_label = QLabel(self)
        self.cursor_label.setObjectName("cursorLabel")
        self.cursor_label.setMinimumWidth(420)
        self.site_label = QLabel(self)
        self.site_label.setObjectName("siteLabel")
        self.site_label.setTextFormat(Qt.TextFormat.PlainText)
        self.show_site()
        self.statusBar().addWidget(self.cursor_label)
        self.statusBar().addPermanentWidget(self.site_label)
        self.map_view.bridge.sig_cursor_moved.connect(self._cursor_moved)
        self.ctx.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def show_site(self) -> None:
        """Show the store's site (after a change of name or partner) in the title and status bar."""
        site = self.ctx.store.site
        self.setWindowTitle(_("Coalition COP — {site}").format(site=site.site_name))
        self.site_label.setText(
            _("Site: {site} ({partner}) · Operator: {who}").format(
                site=site.site_name, partner=site.partner, who=self.ctx.store.operator
            )
        )

    def _cursor_moved(self, lat: float, lon: float) -> None:
        try:
            grid = to_mgrs(lat, lon, precision=5)
        except ValueError:
            grid = "—"
        self.cursor_label.setText(f"MGRS {grid}    {format_dd(lat, lon)}")

    def _set_marking(self, text: str, level: str) -> None:
        self.banner_top.set_marking(text, int(level))
        self.banner_bottom.set_marking(text, int(level))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self._action(file_menu, _("Load the &demo picture"), self.load_demo)
        self._action(file_menu, _("&Import…"), self.import_file, QKeySequence.StandardKey.Open)
        self._action(file_menu, _("&Export GeoJSON…"), self.export_geojson, "Ctrl+E")
        file_menu.addSeparator()
        self.file_menu = file_menu
        self.quit_action = self._action(
            file_menu, _("&Quit"), self.close, QKeySequence.StandardKey.Quit
        )
        self.view_menu = bar.addMenu(_("&View"))
        self.help_menu = bar.addMenu(_("&Help"))
        self._action(self.help_menu, _("&About Coalition COP"), self.about)

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ------------------------------------------------------------------ actions
    def show_error(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Coalition COP"), text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()

    def load_demo(self) -> None:
        from app.core.demo.picture import load_demo

        self.ctx.sig_status.emit(_("Loading the demo picture…"))
        self.map_controller.fit_on_load = True
        self.ctx.runner.submit(
            load_demo, self.ctx.store, on_done=lambda _r: self.map_controller.reload()
        )

    def import_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Import"),
            "",
            _(
                "All formats (*.geojson *.json *.csv *.cot *.xml *.kml *.kmz *.zip);;GeoJSON (*.geojson *.json);;"
                "Cursor on Target (*.cot *.xml);;KML / KMZ (*.kml *.kmz);;TAK data package (*.zip);;All files (*)"
            ),
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> Any:
        """Import in the worker, with progress and Cancel (a cancelled import stores nothing)."""
        from app.core.exchange.files import import_file
        from app.ui.progress import run_with_progress

        job, _dialog = run_with_progress(
            self,
            self.ctx.runner,
            _("Importing {name}…").format(name=path.name),
            import_file,
            self.ctx.store,
            path,
            on_done=lambda r: self.ctx.sig_status.emit(str(r)),
            on_error=lambda exc: self.show_error(str(exc)),
            on_cancelled=lambda: self.ctx.sig_status.emit(
                _("Import cancelled: nothing was stored.")
            ),
        )
        return job

    def export_geojson(self) -> None:
        from app.core.exchange.files import export_file

        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export GeoJSON"), "picture.geojson", _("GeoJSON (*.geojson)")
        )
        if not path:
            return
        self.ctx.runner.submit(
            export_file,
            self.ctx.store,
            Path(path),
            "geojson",
            on_done=lambda r: self.ctx.sig_status.emit(str(r)),
        )

    def about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(_("About Coalition COP"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            _(
                "Coalition COP {version}\nAn offline common operating picture.\nStore: {path}"
            ).format(version=__version__, path=self.ctx.store.path or self.ctx.store.url)
        )
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("window/state", self.saveState())
        self.ctx.close()
        self.map_view.shutdown()
        super().closeEvent(event)
        self.sig_closed.emit()
