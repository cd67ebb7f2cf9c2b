"""map_load_20k: 20,000 units from the store to the first painted frame (ms).

Ours: write the folium page, open the web view, read the store in the
worker, push the picture over QWebChannel, canvas layer paints.
Baseline (same run, same units): one ``folium.Marker`` with a ``DivIcon``
symbol per unit, from building the page in Python to its first painted frame.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from cases import Result, bench, median

UNITS = 20_000


def _app() -> Any:
    from app.ui.app import application, prepare_environment

    prepare_environment(offscreen=True)
    return application()


def _wait(app: Any, predicate: Any, timeout_s: float = 600.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark timed out")
        time.sleep(0.001)


def _store(folder: Path, units: int) -> Any:
    from app.core.demo.picture import load_demo
    from app.core.store.engine import open_store

    store = open_store(folder / "map.sqlite", operator="bench")
    load_demo(store, units=units, zones=20)
    return store


def _ours(app: Any, store: Any, folder: Path) -> float:
    from PySide6.QtCore import QSettings

    from app.core.mapdoc.page import write_live_page
    from app.ui.context import AppContext
    from app.ui.map.controller import MapController
    from app.ui.map.view import MapView

    start = time.perf_counter()
    page = write_live_page(folder / "page")
    ctx = AppContext(store, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    view = MapView(page)
    view.resize(1600, 1000)
    controller = MapController(ctx, view)
    view.bridge.sig_ready.connect(controller.reload)
    view.show()
    done = {}

    def painted(stats: dict[str, Any]) -> None:
        if stats.get("total") == UNITS and "t" not in done:
            done["t"] = time.perf_counter()

    view.bridge.sig_painted.connect(painted)
    _wait(app, lambda: "t" in done)
    elapsed = (done["t"] - start) * 1000
    ctx.close()
    view.shutdown()
    view.close()
    view.deleteLater()
    app.processEvents()
    return elapsed


def _baseline(app: Any, store: Any, folder: Path) -> float:
    import folium
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from app.core.picture.queries import list_units
    from app.ui.symbols import symbol_svgs

    units = list_units(store)
    svgs = symbol_svgs({u.sidc for u in units}, 24)  # symbol cache, not timed
    start = time.perf_counter()
    from app import paths
    from app.core.mapdoc.page import LEAFLET

    fmap = folium.Map(location=[-12.5, 40.0], zoom_start=6, tiles=None)
    # the same local Leaflet as ours (offline: a CDN script would never load)
    fmap.default_js = [("leaflet", paths.resource(*LEAFLET, "leaflet.js").as_uri())]
    fmap.default_css = [("leaflet_css", paths.resource(*LEAFLET, "leaflet.css").as_uri())]
    for u in units:
        folium.Marker(
            [u.lat, u.lon], icon=folium.DivIcon(html=svgs[u.sidc]), tooltip=u.name
        ).add_to(fmap)
    fmap.get_root().html.add_child(
        folium.Element(
            "<script>window.addEventListener('load', function(){ requestAnimationFrame(function(){"
            " setTimeout(function(){ document.title = 'painted'; }, 0); }); });</script>"
        )
    )
    html_path = folder / "baseline.html"
    fmap.save(str(html_path))
    view = QWebEngineView()
    view.resize(1600, 1000)
    view.show()
    view.setUrl(QUrl.fromLocalFile(str(html_path)))
    _wait(app, lambda: view.title() == "painted")
    elapsed = (time.perf_counter() - start) * 1000
    view.close()
    view.deleteLater()
    app.processEvents()
    return elapsed


@bench("map_load_20k")
def map_load_20k(repeat: int | None) -> Result:
    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _store(folder, UNITS)
        ours = [_ours(app, store, folder) for _ in range(repeat or 3)]
        baseline = [_baseline(app, store, folder) for _ in range(1 if repeat is None else repeat)]
        store.close()
    return Result(
        "map_load_20k",
        "ms",
        median(ours),
        median(baseline),
        note=f"target: ratio >= 20; ours {[round(t) for t in ours]}, baseline {[round(t) for t in baseline]}",
    )
