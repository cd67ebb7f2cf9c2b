"""Builds the offline Leaflet page with folium, once.

Leaflet, milsymbol, topojson-client and our own ``cop-map.js`` come from
``resources/``; the Natural Earth basemap from ``maps/``.  Nothing is fetched
from the network.  Two flavours:

* ``assets="file"``: the live page inside the app; scripts referenced by
  ``file://`` URL, data pushed later through QWebChannel.
* ``assets="inline"``: one self-contained HTML file (scripts, styles, basemap
  and data inline) that opens offline in any browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from app import paths

LEAFLET = ("vendor", "leaflet-1.9.4")
SCRIPTS = [
    ("leaflet", (*LEAFLET, "leaflet.js")),
    ("milsymbol", ("vendor", "milsymbol-3.0.4", "milsymbol.js")),
    ("topojson", ("vendor", "topojson-client-3.1.0", "topojson-client.min.js")),
    ("cop_map", ("map", "cop-map.js")),
]
STYLES = [
    ("leaflet_css", (*LEAFLET, "leaflet.css")),
    ("cop_map_css", ("map", "cop-map.css")),
]
BASEMAPS = {
    "naturalearth-50m": ("naturalearth", "countries-50m.json"),
    "naturalearth-110m": ("naturalearth", "countries-110m.json"),
}
QWEBCHANNEL_URL = "qrc:///qtwebchannel/qwebchannel.js"


class _Init(MacroElement):
    """Calls ``COP.init(map, options)`` right after folium created the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        COP.init({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}"""
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CopInit"
        self.options = json.dumps(options)


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
) -> folium.Map:
    """The folium map: no tiles, local assets, our layers initialised by COP.init."""
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
    basemap_file = paths.map_data(*BASEMAPS.get(basemap, BASEMAPS["naturalearth-50m"]))
    if assets == "inline":
        opts["basemapData"] = json.loads(basemap_file.read_text(encoding="utf-8"))
        if data is not None:
            opts["data"] = data
    else:
        opts["basemapUrl"] = basemap_file.as_uri()
    _Init(opts).add_to(fmap)
    return fmap


def render_page(fmap: folium.Map) -> str:
    html: str = fmap.get_root().render()
    return html


def write_live_page(folder: Path, **kwargs: Any) -> Path:
    """Write the live page for the app's web view; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "cop-map.html"
    target.write_text(render_page(build_map(assets="file", **kwargs)), encoding="utf-8")
    return target
