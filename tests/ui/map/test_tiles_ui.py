"""Offline tiles through the coptiles:// scheme, the basemap switcher, the north
arrow and the MGRS grid, on a real QtWebEngine page (offscreen)."""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mgrs as mgrs_lib
import pytest

# registers the scheme while that is allowed: at collection, before any QApplication
from app.ui.map import tiles as ui_tiles  # isort: skip
from app.core.mapdoc import page as page_mod
from app.core.mapdoc import tiles as core_tiles


def png(rgb: tuple[int, int, int]) -> bytes:
    """A real 2x2 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


RED, BLUE = png((200, 30, 30)), png((30, 30, 200))


def make_mbtiles(path: Path, tiles_xyz: dict[tuple[int, int, int], bytes], **meta: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, (1 << z) - 1 - y, d) for (z, x, y), d in tiles_xyz.items()],
    )
    conn.commit()
    conn.close()


def make_xyz(folder: Path, tiles_xyz: dict[tuple[int, int, int], bytes]) -> Path:
    for (z, x, y), data in tiles_xyz.items():
        (folder / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
        (folder / str(z) / str(x) / f"{y}.png").write_bytes(data)
    return folder


def test_the_scheme_is_registered() -> None:
    assert ui_tiles.scheme_registered()


@pytest.fixture
def sources(tmp_path: Path) -> list[core_tiles.TileSource]:
    maps = tmp_path / "maps"
    (maps / "tiles").mkdir(parents=True)
    make_mbtiles(
        maps / "tiles" / "test.mbtiles",
        {
            (z, x, y): (RED if (x + y) % 2 else BLUE)
            for z in (1, 2, 3)
            for x in range(1 << z)
            for y in range(1 << z)
        },
        name="Test tiles",
        minzoom="1",
        maxzoom="3",
    )
    folder = make_xyz(tmp_path / "folder" / "xyz", {(1, 1, 1): RED})
    found = core_tiles.discover_sources(maps, [folder])
    yield found
    core_tiles.close_connections()


def _shutdown(qtbot: Any, view: Any) -> None:
    view.close()
    page = view.page()
    view.setPage(None)
    page.deleteLater()
    view.deleteLater()
    qtbot.wait(50)


@pytest.fixture
def bare_view(qtbot: Any, tmp_path: Path, sources: list[core_tiles.TileSource]) -> Iterator[Any]:
    """A web view on its own profile with only the tile handler: images from coptiles://."""
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from app.ui.app import application

    application()
    view = QWebEngineView()
    profile = QWebEngineProfile(view)
    view.handler = ui_tiles.install(profile, sources)
    view.setPage(QWebEnginePage(profile, view))
    html = tmp_path / "tiles.html"
    html.write_text(
        "<!doctype html><html><body>"
        '<img id="mb" src="coptiles://test/1/0/0">'
        '<img id="xyz" src="coptiles://xyz/1/1/1">'
        '<img id="missing" src="coptiles://test/3/0/9">'
        '<img id="nosource" src="coptiles://nope/1/0/0">'
        '<img id="traversal" src="coptiles://xyz/1/../../../etc/passwd">'
        "</body></html>",
        encoding="utf-8",
    )
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loadFinished, timeout=30000):
        view.setUrl(QUrl.fromLocalFile(str(html)))
    yield view
    _shutdown(qtbot, view)


def test_tiles_load_and_missing_tiles_fail(
    qtbot: Any, bare_view: Any, js: Callable[..., Any]
) -> None:
    ids = ["mb", "xyz", "missing", "nosource", "traversal"]
    script = "[" + ",".join(f"document.getElementById('{i}')" for i in ids) + "]"
    qtbot.waitUntil(
        lambda: all(js(bare_view, script + ".map(function(i){return i.complete;})")), timeout=20000
    )
    widths = js(bare_view, script + ".map(function(i){return i.naturalWidth;})")
    assert dict(zip(ids, widths, strict=True)) == {
        "mb": 2,
        "xyz": 2,
        "missing": 0,
        "nosource": 0,
        "traversal": 0,
    }
    assert bare_view.handler.served == 2
    # the traversal never reached the handler as such: the URL was normalised or refused
    assert bare_view.handler.missing >= 2


@pytest.fixture
def map_view(
    qtbot: Any,
    tmp_path: Path,
    sources: list[core_tiles.TileSource],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """The real folium page with cop-tiles.js added, the tile handler and the offline guard
    letting coptiles:// through (what the integration does)."""
    from app.ui.app import application
    from app.ui.map import view as view_mod

    application()
    monkeypatch.setattr(
        page_mod, "SCRIPTS", [*page_mod.SCRIPTS, ("cop_tiles", ("map", "cop-tiles.js"))]
    )
    monkeypatch.setattr(view_mod, "LOCAL_SCHEMES", view_mod.LOCAL_SCHEMES | {"coptiles"})
    page_file = page_mod.write_live_page(tmp_path / "page")
    view = view_mod.MapView(page_file)
    view.tiles = ui_tiles.install(view.profile, sources)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.ready, timeout=60000)
    yield view
    view.close()
    view.shutdown()
    view.deleteLater()
    qtbot.wait(50)


def test_the_switcher_shows_an_mbtiles_basemap(
    qtbot: Any, map_view: Any, js: Callable[..., Any], sources: list[core_tiles.TileSource]
) -> None:
    assert js(map_view, "COP.basemaps().current") == "naturalearth"
    map_view.push(core_tiles.sources_message(sources))
    names = js(
        map_view,
        "Array.from(document.querySelectorAll('.cop-basemaps .leaflet-control-layers-base label')).map(function(l){return l.textContent.trim();})",
    )
    assert names == ["Natural Earth (offline)", "Test tiles", "xyz"]
    overlays = js(
        map_view,
        "Array.from(document.querySelectorAll('.cop-basemaps .leaflet-control-layers-overlays label')).map(function(l){return l.textContent.trim();})",
    )
    assert overlays == ["MGRS grid", "North arrow"]
    map_view.push(
        [{"op": "fly", "lat": 0.0, "lon": 0.0, "zoom": 2}, {"op": "basemap.select", "id": "test"}]
    )
    qtbot.waitUntil(lambda: js(map_view, "COP.basemaps().tilesInPage") >= 4, timeout=20000)
    state = js(map_view, "COP.basemaps()")
    assert state["current"] == "test" and state["sources"] == ["test", "xyz"]
    assert map_view.tiles.served >= 4
    assert map_view.guard.blocked == []
    # the tile pane sits above Natural Earth and below the zones
    z = js(
        map_view,
        "[COP_Z('copBasemap'), COP_Z('copTiles'), COP_Z('copZones')]".replace(
            "COP_Z",
            "(function(n){return +document.querySelector('.leaflet-'+n+'-pane').style.zIndex;})",
        ),
    )
    assert z[0] < z[1] < z[2]
    # choosing Natural Earth in the switcher removes the tiles
    js(
        map_view,
        "document.querySelectorAll('.cop-basemaps .leaflet-control-layers-base input')[0].click()",
    )
    qtbot.waitUntil(lambda: js(map_view, "COP.basemaps().current") == "naturalearth", timeout=5000)
    assert js(map_view, "document.querySelectorAll('.leaflet-copTiles-pane img').length") == 0
    # an unknown id falls back to Natural Earth
    map_view.push({"op": "basemap.select", "id": "no-such-source"})
    assert js(map_view, "COP.basemaps().current") == "naturalearth"


def test_untrusted_names_are_text(qtbot: Any, map_view: Any, js: Callable[..., Any]) -> None:
    evil = '<img src=x onerror="window.pwned=1">Topo & co'
    map_view.push(
        {
            "op": "tiles.sources",
            "sources": [
                {
                    "id": "evil",
                    "name": evil,
                    "minzoom": 0,
                    "maxzoom": 3,
                    "attribution": evil,
                    "url_template": "coptiles://evil/{z}/{x}/{y}",
                },
                {
                    "id": "evil2",
                    "name": evil,
                    "minzoom": 0,
                    "maxzoom": 3,
                    "url_template": "coptiles://evil2/{z}/{x}/{y}",
                },
                {
                    "id": "script",
                    "name": "script",
                    "url_template": "javascript:alert(1)//{z}/{x}/{y}",
                },
            ],
            "labels": {"naturalEarth": "Fond <b>naturel</b>"},
        }
    )
    map_view.push({"op": "basemap.select", "id": "evil"})
    labels = js(
        map_view,
        "Array.from(document.querySelectorAll('.cop-basemaps .leaflet-control-layers-base label')).map(function(l){return l.textContent.trim();})",
    )
    assert labels == ["Fond <b>naturel</b>", evil, evil + " (evil2)"]  # no javascript: source
    assert (
        js(
            map_view,
            "document.querySelectorAll('.leaflet-control-container img, .leaflet-control-container b').length",
        )
        == 0
    )
    assert evil in js(
        map_view, "document.querySelector('.leaflet-control-attribution').textContent"
    )
    qtbot.wait(200)
    assert js(map_view, "window.pwned || 0") == 0


def test_north_arrow_toggles(map_view: Any, js: Callable[..., Any]) -> None:
    assert (
        js(
            map_view,
            "document.querySelectorAll('.leaflet-top.leaflet-right .cop-north svg').length",
        )
        == 1
    )
    map_view.push({"op": "northArrow", "show": False})
    assert js(map_view, "document.querySelectorAll('.cop-north').length") == 0
    assert js(map_view, "COP.basemaps().northArrow") is False
    map_view.push({"op": "northArrow", "show": True})
    assert js(map_view, "document.querySelectorAll('.cop-north').length") == 1


def test_the_page_utm_and_mgrs_match_the_mgrs_library(
    map_view: Any, js: Callable[..., Any]
) -> None:
    import random

    rng = random.Random(7)
    points = [(rng.uniform(-79.9, 83.9), rng.uniform(-180, 179.99)) for _ in range(500)]
    points += [
        (-12.97, 40.52),
        (60.0, 5.0),
        (75.0, 10.0),
        (78.0, 20.9),
        (-33.8568, 151.2153),
        (38.8895, -77.0353),
    ]
    got = js(
        map_view, f"{json.dumps(points)}.map(function(p){{return COP.grid.mgrs(p[0], p[1], 5);}})"
    )
    converter = mgrs_lib.MGRS()
    for (lat, lon), page in zip(points, got, strict=True):
        ref = converter.toMGRS(lat, lon, MGRSPrecision=5)
        ref = ref.decode() if isinstance(ref, bytes) else ref
        mine = page.replace(" ", "")
        assert mine[:5] == ref[:5], (lat, lon, page, ref)  # zone, band, 100 km square
        assert (
            abs(int(mine[5:10]) - int(ref[5:10])) <= 1 and abs(int(mine[10:]) - int(ref[10:])) <= 1
        ), (page, ref)
    back = js(
        map_view,
        "(function(){var u = COP.grid.toUtm(-12.97, 40.52); var p = COP.grid.fromUtm(u.zone, u.easting, u.northing, true); return [u.zone, u.band, p.lat, p.lon];})()",
    )
    assert back[:2] == [37, "L"]
    assert back[2] == pytest.approx(-12.97, abs=1e-9) and back[3] == pytest.approx(40.52, abs=1e-9)


def test_the_mgrs_grid_at_suitable_zooms(qtbot: Any, map_view: Any, js: Callable[..., Any]) -> None:
    converter = mgrs_lib.MGRS()

    def square(lat: float, lon: float) -> str:
        ref = converter.toMGRS(lat, lon, MGRSPrecision=0)
        return (ref.decode() if isinstance(ref, bytes) else ref)[-2:]

    map_view.push(
        [{"op": "fly", "lat": -12.97, "lon": 40.52, "zoom": 3}, {"op": "grid", "show": True}]
    )
    assert js(map_view, "COP.basemaps().grid") is True
    assert js(map_view, "COP.grid.labels()") == []  # too far out
    map_view.push({"op": "fly", "lat": -12.97, "lon": 40.52, "zoom": 5})
    gzd = {label["text"] for label in js(map_view, "COP.grid.labels()")}
    assert {"37L", "36L", "37M"} <= gzd
    map_view.push({"op": "fly", "lat": -12.97, "lon": 40.52, "zoom": 8})
    labels = js(map_view, "COP.grid.labels()")
    squares = [lab for lab in labels if lab["kind"] == "square"]
    assert len(squares) >= 4
    for lab in squares:  # each square label sits inside the square it names
        assert lab["text"] == square(lab["lat"], lab["lon"]), lab
    assert square(-12.97, 40.52) in {lab["text"] for lab in squares}
    assert not [lab for lab in labels if lab["kind"] in ("easting", "northing")]
    map_view.push({"op": "fly", "lat": -12.97, "lon": 40.52, "zoom": 11})
    labels = js(map_view, "COP.grid.labels()")
    eastings = sorted({lab["value"] for lab in labels if lab["kind"] == "easting"})
    assert len(eastings) >= 3 and all(v % 10000 == 0 for v in eastings)
    assert all(b - a == 10000 for a, b in zip(eastings, eastings[1:], strict=False))
    # switching it off clears the canvas layer
    map_view.push({"op": "grid", "show": False})
    assert js(map_view, "COP.grid.labels()") == []
    assert js(map_view, "document.querySelectorAll('canvas.cop-grid').length") == 0


def test_the_page_reports_basemap_changes(
    qtbot: Any,
    map_view: Any,
    js: Callable[..., Any],
    sources: list[core_tiles.TileSource],
    tmp_path: Path,
) -> None:
    from PySide6.QtCore import QSettings

    # what cop-map.js exposes as COP.bridge(): here a stand-in recording the calls
    js(
        map_view,
        "window.__told = []; COP.bridge = function(){ return {basemapChanged: function(s){ window.__told.push(JSON.parse(s)); }}; }; 0",
    )
    map_view.push(core_tiles.sources_message(sources))
    js(
        map_view,
        "document.querySelectorAll('.cop-basemaps .leaflet-control-layers-base input')[1].click()",
    )
    js(
        map_view,
        "document.querySelectorAll('.cop-basemaps .leaflet-control-layers-overlays input')[0].click()",
    )
    told = js(map_view, "window.__told")
    assert told == [
        {"basemap": "test", "grid": False, "northArrow": True},
        {"basemap": "test", "grid": True, "northArrow": True},
    ]
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ui_tiles.remember(settings, told[-1])
    assert settings.value(ui_tiles.KEY_BASEMAP) == "test"
    assert ui_tiles._as_bool(settings.value(ui_tiles.KEY_GRID), False) is True


def test_attach_restores_the_last_basemap_and_passes_only_enabled_online_hosts(
    qtbot: Any,
    map_view: Any,
    js: Callable[..., Any],
    sources: list[core_tiles.TileSource],
    tmp_path: Path,
) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(ui_tiles.KEY_BASEMAP, "test")
    settings.setValue(ui_tiles.KEY_GRID, True)
    settings.setValue(ui_tiles.KEY_NORTH, False)
    online = core_tiles.url_source("https://tiles.example.org/{z}/{x}/{y}.png", "Example")
    handler = ui_tiles.attach(map_view, [*sources, online], settings)
    assert map_view.tile_handler is handler
    assert map_view.guard.allowed_prefixes == ("https://tiles.example.org/",)
    qtbot.waitUntil(lambda: js(map_view, "COP.basemaps().current") == "test", timeout=5000)
    state = js(map_view, "COP.basemaps()")
    assert state["grid"] is True and state["northArrow"] is False
    assert state["sources"] == ["test", "xyz", "online"]
    # without the online source the guard passes nothing again
    ui_tiles.attach(map_view, sources)
    assert map_view.tile_handler is handler and map_view.guard.allowed_prefixes == ()


def test_sources_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings

    user = tmp_path / "user-tiles"
    make_xyz(user / "topo", {(0, 0, 0): RED})
    monkeypatch.setattr(core_tiles, "user_tiles_dir", lambda: user)
    chosen = make_xyz(tmp_path / "chosen" / "ortho", {(0, 0, 0): BLUE})
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert [s.id for s in ui_tiles.sources_from_settings(settings)] == ["topo"]
    settings.setValue(ui_tiles.KEY_PATHS, [str(chosen)])
    settings.setValue(
        ui_tiles.KEY_ONLINE,
        json.dumps(
            [
                {"url": "https://a.example.org/{z}/{x}/{y}.png", "name": "A"},
                {"url": "https://b.example.org/{z}/{x}/{y}.png", "name": "B", "enabled": True},
            ]
        ),
    )
    settings.sync()
    reread = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    found = ui_tiles.sources_from_settings(reread)
    assert [(s.id, s.kind) for s in found] == [("topo", "xyz"), ("ortho", "xyz"), ("online", "url")]
    assert found[-1].name == "B"
