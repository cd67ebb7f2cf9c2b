"""The web view hosting the Leaflet page, its offline guard and its channel."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

LOCAL_SCHEMES = frozenset({"file", "qrc", "data", "blob", "about", "coptiles"})


class OfflineGuard(QWebEngineUrlRequestInterceptor):
    """Blocks every request that is not local: the offline guarantee.

    ``allowed_prefixes`` holds tile servers the user configured; nothing else
    ever leaves the machine.  ``blocked`` records what was stopped.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.allowed_prefixes: tuple[str, ...] = ()
        self.blocked: list[str] = []
        self.seen: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        text = url.toString()
        self.seen.append(text)
        if url.scheme() in LOCAL_SCHEMES or text.startswith(self.allowed_prefixes):
            return
        self.blocked.append(text)
        info.block(True)


class MapBridge(QObject):
    """The object the page sees as ``bridge`` over QWebChannel.

    Its slots are the calls the page makes back, listed (with their argument
    types) in ``app.core.mapdoc.protocol.PAGE_CALLS``."""

    sig_push = Signal(str)
    """A JSON message (or list of messages) for ``COP.receive`` in the page."""
    sig_ready = Signal()
    """The page is loaded and listening."""
    sig_unit_clicked = Signal(str)
    """A unit symbol was clicked (unit id)."""
    sig_zone_clicked = Signal(str)
    """A zone was clicked (zone id)."""
    sig_zone_drawn = Signal(dict)
    """The user finished drawing a zone's outline (a GeoJSON geometry)."""
    sig_zone_context_menu = Signal(str)
    """The user right-clicked a zone (zone id)."""
    sig_zone_reshaped = Signal(str, dict)
    """The user saved a zone's edited outline (zone id, GeoJSON geometry)."""
    sig_task_clicked = Signal(str)
    """A task on the map was clicked (task id)."""
    sig_map_clicked = Signal(float, float)
    """Empty map was clicked at (lat, lon)."""
    sig_cursor_moved = Signal(float, float)
    """The mouse is over (lat, lon)."""
    sig_painted = Signal(dict)
    """The page painted a frame: frame, drawn, total, drawMs."""
    sig_view_changed = Signal(dict)
    """The map stopped moving: lat, lon, zoom, bounds."""
    sig_basemap_changed = Signal(dict)
    """The user chose a basemap or toggled the grid / north arrow: basemap, grid, northArrow."""
    sig_context_menu = Signal(float, float)
    """The user right-clicked the map at (lat, lon)."""
    sig_measured = Signal(float, float, float, float)
    """The range and bearing tool went from (lat1, lon1) to (lat2, lon2)."""

    @Slot()
    def pageReady(self) -> None:
        self.sig_ready.emit()

    @Slot(str)
    def unitClicked(self, unit_id: str) -> None:
        self.sig_unit_clicked.emit(unit_id)

    @Slot(str)
    def zoneClicked(self, zone_id: str) -> None:
        self.sig_zone_clicked.emit(zone_id)

    @Slot(str)
    def zoneDrawn(self, geometry: str) -> None:
        self.sig_zone_drawn.emit(json.loads(geometry))

    @Slot(str, str)
    def zoneReshaped(self, zone_id: str, geometry: str) -> None:
        self.sig_zone_reshaped.emit(zone_id, json.loads(geometry))

    @Slot(str)
    def zoneContextMenu(self, zone_id: str) -> None:
        self.sig_zone_context_menu.emit(zone_id)

    @Slot(str)
    def taskClicked(self, task_id: str) -> None:
        self.sig_task_clicked.emit(task_id)

    @Slot(float, float)
    def mapClicked(self, lat: float, lon: float) -> None:
        self.sig_map_clicked.emit(lat, lon)

    @Slot(float, float)
    def cursorMoved(self, lat: float, lon: float) -> None:
        self.sig_cursor_moved.emit(lat, lon)

    @Slot(str)
    def painted(self, stats: str) -> None:
        self.sig_painted.emit(json.loads(stats))

    @Slot(str)
    def viewChanged(self, view: str) -> None:
        self.sig_view_changed.emit(json.loads(view))

    @Slot(str)
    def basemapChanged(self, state: str) -> None:
        self.sig_basemap_changed.emit(json.loads(state))

    @Slot(float, float)
    def contextMenu(self, lat: float, lon: float) -> None:
        self.sig_context_menu.emit(lat, lon)

    @Slot(float, float, float, float)
    def measured(self, lat1: float, lon1: float, lat2: float, lon2: float) -> None:
        self.sig_measured.emit(lat1, lon1, lat2, lon2)


class MapView(QWebEngineView):
    """Shows the page; ``push()`` sends messages, queued until the page is ready."""

    def __init__(self, page_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = QWebEngineProfile(self)  # off the record: no disk cache
        self.guard = OfflineGuard(self)
        self.profile.setUrlRequestInterceptor(self.guard)
        page = QWebEnginePage(self.profile, self)
        settings = page.settings()
        # remote URLs are *allowed* here so that they reach the guard and are
        # blocked (and counted) there; in Qt 6.12 allowing them turns local
        # file access off, so it is turned back on explicitly (DESIGN §9)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.NavigateOnDropEnabled, False)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(page)
        self.channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self.channel)
        self.setPage(page)
        self.ready = False
        self._queue: list[Any] = []
        self.last_paint: dict[str, Any] = {}
        self.bridge.sig_ready.connect(self._on_ready)
        self.bridge.sig_painted.connect(self._on_painted)
        self.resize(1280, 800)  # laid out before it is shown: never a 0x0 map
        self.setUrl(QUrl.fromLocalFile(str(page_file)))

    def _on_ready(self) -> None:
        self.ready = True
        if self._queue:
            queued, self._queue = self._queue, []
            self.bridge.sig_push.emit(json.dumps(queued, separators=(",", ":")))

    def _on_painted(self, stats: dict[str, Any]) -> None:
        self.last_paint = stats

    def push(self, message: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Send page messages as they are.  The app sends through the page's owner,
        ``app.ui.map.controller.MapPage`` (``ctx.map.send`` for the main map), which
        checks them against ``app.core.mapdoc.protocol`` first."""
        if not self.ready:
            self._queue.extend(message if isinstance(message, list) else [message])
            return
        self.bridge.sig_push.emit(json.dumps(message, separators=(",", ":")))

    def push_raw(self, payload: str) -> None:
        """Send an already serialised message list (built off the GUI thread)."""
        if not self.ready:
            self._queue.extend(json.loads(payload))
            return
        self.bridge.sig_push.emit(payload)

    def symbol_images(
        self, sidcs: list[str], size: int, on_done: Callable[[dict[str, str]], None]
    ) -> None:
        """Ask the page for symbol PNGs (data URLs) drawn by its milsymbol.js.

        The page has the symbol tables loaded already; the Python port would
        parse 30 MB of JSON first, holding the interpreter for ~0.4 s.
        """
        script = f"JSON.stringify(COP.symbolImages({json.dumps(sorted(sidcs))}, {int(size)}))"

        def arrived(result: Any) -> None:
            try:
                images = json.loads(result) if isinstance(result, str) else {}
            except ValueError:
                images = {}
            on_done({sidc: images.get(sidc, "") for sidc in sidcs})

        def run() -> None:
            self.page().runJavaScript(script, 0, arrived)

        if self.ready:
            run()
        else:
            self.bridge.sig_ready.connect(run, Qt.ConnectionType.SingleShotConnection)

    def shutdown(self) -> None:
        """Release the page before the profile (else Qt warns the profile is in use)."""
        page = self.page()
        self.setPage(None)  # type: ignore[arg-type]
        page.deleteLater()
