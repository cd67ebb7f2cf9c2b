"""Builds the offline Leaflet page with folium, once.

Leaflet, milsymbol, topojson-client and our own scripts (``cop-map.js``, the
core, and one file per concern: ``cop-units.js``, ``cop-zones.js``, ...) come
from ``resources/``; the Natural Earth basemap from ``maps/``.  Nothing is
fetched from the network.  The page gets the message protocol
(``protocol.page_spec()``, checked by ``COP.receive``) and the shared colours
(``styles.page_styles()``) in the options of ``COP.init``.  Two flavours:

* ``assets="file"``: the live page inside the app; scripts referenced by
  ``file://`` URL, data pushed later through QWebChannel.
* ``assets="inline"``: one self-contained HTML file (scripts, styles, basemap
  and data inline) that opens offline in any browser.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from app import __version__, paths

LEAFLET = ("vendor", "leaflet-1.9.4")
SCRIPTS = [
    ("leaflet", (*LEAFLET, "leaflet.js")),
    ("milsymbol", ("vendor", "milsymbol-3.0.4", "milsymbol.js")),
    ("topojson", ("vendor", "topojson-client-3.1.0", "topojson-client.min.js")),
    ("cop_map", ("map", "cop-map.js")),
    ("cop_units", ("map", "cop-units.js")),
    ("cop_zones", ("map", "cop-zones.js")),
    ("cop_tasks", ("map", "cop-tasks.js")),
    ("cop_tiles", ("map", "cop-tiles.js")),
    ("leaflet_draw", ("vendor", "leaflet-draw-1.0.4", "leaflet.draw.js")),
    ("cop_draw", ("map", "cop-draw.js")),
    ("cop_briefing", ("map", "cop-briefing.js")),
    ("cop_routes", ("map", "cop-routes.js")),
    ("cop_supply", ("map", "cop-supply.js")),
]
STYLES = [
    ("leaflet_css", (*LEAFLET, "leaflet.css")),
    ("leaflet_draw_css", ("vendor", "leaflet-draw-1.0.4", "leaflet.draw.css")),
    ("cop_map_css", ("map", "cop-map.css")),
]
BASEMAPS = {
    "naturalearth-50m": ("naturalearth", "countries-50m.json"),
    "naturalearth-110m": ("naturalearth", "countries-110m.json"),
}
QWEBCHANNEL_URL = "qrc:///qtwebchannel/qwebchannel.js"


def _init_element(options: dict[str, Any]) -> Any:
    """A folium element calling ``COP.init(map, options)`` right after the map exists."""
    from branca.element import MacroElement
    from jinja2 import Template

    class CopInit(MacroElement):
        _template = Template(
            """{% macro script(this, kwargs) %}
            COP.init({{ this._parent.get_name() }}, {{ this.options }});
            {% endmacro %}"""
        )

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "CopInit"
            self.options = json.dumps(options)

    return CopInit()


def _bootstrap() -> dict[str, Any]:
    """What every page is given at start: the protocol it checks messages against and
    the shared colours."""
    from app.core.mapdoc.protocol import page_spec
    from app.core.mapdoc.styles import page_styles

    return {"protocol": page_spec(), "styles": page_styles()}


def _inline_script(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _inline_style(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    css_dir = path.parent
    # inline the few images leaflet.css refers to as data: URLs
    import base64
    import re

    def _data_url(match: re.Match[str]) -> str:
        target = css_dir / match.group(1)
        if target.is_file() and target.suffix == ".png":
            data = base64.b64encode(target.read_bytes()).decode()
            return f"url(data:image/png;base64,{data})"
        return match.group(0)

    text = re.sub(r"url\((images/[^)]+)\)", _data_url, text)
    return "<style>" + text + "</style>"


def build_map(
    *,
    assets: Literal["file", "inline"] = "file",
    basemap: str = "naturalearth-50m",
    center: tuple[float, float] = (0.0, 0.0),
    zoom: int = 3,
    options: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """The folium map: no tiles, local assets, our layers initialised by COP.init."""
    import folium
    from branca.element import Element

    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        world_copy_jump=False,
        min_zoom=2,
        max_zoom=18,
        zoom_control=True,
    )
    base = paths.resources_dir()
    if assets == "file":
        fmap.default_js = [(name, base.joinpath(*rel).as_uri()) for name, rel in SCRIPTS]
        fmap.default_js.insert(0, ("qwebchannel", QWEBCHANNEL_URL))
        fmap.default_css = [(name, base.joinpath(*rel).as_uri()) for name, rel in STYLES]
    else:
        fmap.default_js = []
        fmap.default_css = []
        header = fmap.get_root().header
        for name, rel in STYLES:
            header.add_child(Element(_inline_style(base.joinpath(*rel))), name=name)
        for name, rel in SCRIPTS:
            header.add_child(Element(_inline_script(base.joinpath(*rel))), name=name)
    opts = dict(options or {})
    opts.update(_bootstrap())
    basemap_file = paths.map_data(*BASEMAPS.get(basemap, BASEMAPS["naturalearth-50m"]))
    if assets == "inline":
        opts["basemapData"] = json.loads(basemap_file.read_text(encoding="utf-8"))
        if data is not None:
            opts["data"] = data
    else:
        opts["basemapUrl"] = basemap_file.as_uri()
    _init_element(opts).add_to(fmap)
    return fmap


def render_page(fmap: Any) -> str:
    html: str = fmap.get_root().render()
    return html


def _fingerprint(**kwargs: Any) -> str:
    """Changes when anything the page is built from changes."""
    import hashlib

    digest = hashlib.sha256(__version__.encode())
    digest.update(json.dumps(kwargs, sort_keys=True, default=str).encode())
    digest.update(json.dumps(_bootstrap(), sort_keys=True).encode())
    base = paths.resources_dir()
    source = Path(__file__)
    if not source.is_file():  # a frozen bundle: its code changes only with its executable
        source = Path(sys.executable)
    files = [source] + [base.joinpath(*rel) for _n, rel in SCRIPTS + STYLES]
    files += [paths.map_data(*rel) for rel in BASEMAPS.values()]
    for path in files:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def write_live_page(folder: Path, **kwargs: Any) -> Path:
    """The live page for the app's web view, built by folium once and cached."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"cop-map-{_fingerprint(**kwargs)}.html"
    if not target.is_file():
        tmp = target.with_suffix(".part")
        tmp.write_text(render_page(build_map(assets="file", **kwargs)), encoding="utf-8")
        tmp.replace(target)
    return target
