"""Map tools in a toolbar: search / go to, range and bearing; the map's right-click menu."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLineEdit, QMenu, QToolBar

from app.core.common.geo import format_dd, format_dms, range_bearing_text, to_mgrs
from app.core.mapdoc.protocol import Op, message
from app.core.picture.search import Hit, search
from app.i18n import _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class MapTools(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.view = window.map_view
        self.map = window.ctx.map
        bar = QToolBar(_("Map tools"), window)
        bar.setObjectName("mapToolsBar")
        bar.setMovable(False)
        self.search_box = QLineEdit(bar)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(
            _("Search: unit, callsign, SIDC, place, or a position in MGRS, DD or DMS")
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(460)
        self.search_box.setMaximumWidth(620)
        self.search_box.returnPressed.connect(self.run_search)
        bar.addWidget(self.search_box)
        focus = QAction(_("Search / go to"), window)
        focus.setShortcut(QKeySequence("Ctrl+F"))
        focus.triggered.connect(lambda: (self.search_box.setFocus(), self.search_box.selectAll()))
        window.addAction(focus)
        bar.addSeparator()
        self.measure = QAction(_("Range and bearing"), bar)
        self.measure.setCheckable(True)
        self.measure.setShortcut(QKeySequence("Ctrl+R"))
        self.measure.setToolTip(_("Click a start and an end on the map (Ctrl+R)"))
        self.measure.toggled.connect(self._measure_toggled)
        bar.addAction(self.measure)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.bar = bar
        self.view.bridge.sig_context_menu.connect(self.context_menu)
        self.view.bridge.sig_measured.connect(self._measured)
        self.last_hits: list[Hit] = []

    # ---------------------------------------------------------------- search
    def run_search(self) -> None:
        text = self.search_box.text()
        if text.strip():
            self.ctx.runner.submit(search, self.ctx.store, text, on_done=self._found)

    def _found(self, hits: list[Hit]) -> None:
        self.last_hits = hits
        if not hits:
            self.ctx.sig_status.emit(
                _("Nothing found for '{text}'").format(text=self.search_box.text())
            )
            return
        if len(hits) == 1 or hits[0].kind == "coordinate":
            self.go(hits[0])
            return
        menu = QMenu(self.window)
        menu.setObjectName("searchResults")
        for hit in hits:
            action = menu.addAction(hit.label)
            action.triggered.connect(lambda _checked=False, h=hit: self.go(h))
        menu.popup(self.search_box.mapToGlobal(QPoint(0, self.search_box.height())))
        self.results_menu = menu

    def go(self, hit: Hit) -> None:
        """Pan there, highlight it, select the unit if it is one."""
        self.map.send(
            [
                message(Op.FLY, lat=hit.lat, lon=hit.lon, zoom=12 if hit.kind != "place" else 10),
                message(Op.HIGHLIGHT, lat=hit.lat, lon=hit.lon),
            ]
        )
        if hit.unit_id:
            self.ctx.select_unit(hit.unit_id, "search")
        self.ctx.sig_status.emit(hit.label)

    # ---------------------------------------------------------------- range and bearing
    def _measure_toggled(self, on: bool) -> None:
        self.map.send(message(Op.TOOL, name="measure" if on else None))

    def _measured(self, lat1: float, lon1: float, lat2: float, lon2: float) -> None:
        text = range_bearing_text(lat1, lon1, lat2, lon2)
        self.last_measure = text
        self.map.send(message(Op.MEASURE_LABEL, text=text))
        self.ctx.sig_status.emit(text)

    # ---------------------------------------------------------------- right-click menu
    def context_menu(self, lat: float, lon: float) -> QMenu:
        menu = QMenu(self.window)
        menu.setObjectName("mapContextMenu")
        try:
            grid = to_mgrs(lat, lon, precision=5)
        except ValueError:
            grid = ""
        for label, text in (
            (_("Copy as MGRS: {value}"), grid),
            (_("Copy as DD: {value}"), format_dd(lat, lon)),
            (_("Copy as DMS: {value}"), format_dms(lat, lon)),
        ):
            if text:
                action = menu.addAction(label.format(value=text))
                action.triggered.connect(
                    lambda _c=False, t=text: QGuiApplication.clipboard().setText(t)
                )
        menu.addSeparator()
        menu.addAction(_("New unit here…")).triggered.connect(lambda: self.new_unit(lat, lon))
        menu.addAction(_("New zone here…")).triggered.connect(lambda: self.new_zone(lat, lon))
        measure = menu.addAction(_("Range and bearing from here"))
        measure.triggered.connect(lambda: self._measure_from(lat, lon))
        from PySide6.QtGui import QCursor

        menu.popup(QCursor.pos())
        self.context = menu
        return menu

    def new_unit(self, lat: float, lon: float) -> Any:
        from app.core.picture.ops import add_units
        from app.ui.map.forms import UnitForm

        form = UnitForm(lat, lon, self.window)
        form.accepted.connect(
            lambda: self.ctx.runner.submit(add_units, self.ctx.store, [form.result_data])
        )
        form.open()
        self.form = form
        return form

    def new_zone(self, lat: float, lon: float) -> Any:
        from app.ui.map.forms import ZoneForm

        form = ZoneForm(lat, lon, self.window)
        form.accepted.connect(lambda: self.window.zone_editor.add(form.result_data))
        form.open()
        self.form = form
        return form

    def _measure_from(self, lat: float, lon: float) -> None:
        self.measure.blockSignals(True)
        self.measure.setChecked(True)
        self.measure.blockSignals(False)
        self.map.send(message(Op.TOOL, name="measure", start=[lat, lon]))

    def state(self) -> dict[str, Any]:
        return {"measuring": self.measure.isChecked()}


def install(window: MainWindow) -> MapTools:
    return MapTools(window)
