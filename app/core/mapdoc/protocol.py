"""Every message the map page understands, and every call it makes back.

The Leaflet page (``resources/map/*.js``) is driven only by messages: JSON
objects with an ``op`` naming the handler and the payload fields beside it.
This module is their one definition:

* :class:`Op` names each message; :data:`SPEC` lists its payload fields with
  their types and whether they are required.
* :func:`message` builds a message and checks it against the table (an
  unknown op, a missing required field, an unknown field or a wrong type
  raise ``ValueError``), so a renamed op fails where it is made, not silently
  in the page.
* :func:`page_spec` is the same table as JSON-able data; the page builder
  (``app/core/mapdoc/page.py``) puts it into the page (``COP.PROTOCOL``) and
  ``COP.receive`` refuses an unknown op or a message missing a required field.
* :data:`PAGE_CALLS` lists what the page sends back to Python: the slots of
  the QWebChannel bridge (``app/ui/map/view.py``, ``MapBridge``).

Python builds messages with ``message(Op.FLY, lat=..., lon=..., zoom=...)``
and the UI sends them through the map controller (``ctx.map.send``).

One call is not a message: ``MapView.symbol_images`` asks the page for
milsymbol images (``COP.symbolImages``) and waits for the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Op(StrEnum):
    """The names of the messages the page handles (``message["op"]``)."""

    # units, trails and place names (cop-units.js)
    UNITS_RESET = "units.reset"
    UNITS_DELTA = "units.delta"
    UNITS_STALE = "units.stale"
    SELECT = "select"
    TRAILS = "trails"
    PLACES_RESET = "places.reset"
    LAYERS = "layers"
    # zones (cop-zones.js)
    ZONES_RESET = "zones.reset"
    ZONES_DELTA = "zones.delta"
    # tasks (cop-tasks.js)
    TASKS_RESET = "tasks.reset"
    TASKS_DELTA = "tasks.delta"
    TASKS_SELECT = "tasks.select"
    # the view, the look and the tools (cop-map.js)
    FLY = "fly"
    FIT = "fit"
    HIGHLIGHT = "highlight"
    TOOL = "tool"
    MEASURE_LABEL = "measure.label"
    SCALE = "scale"
    THEME = "theme"
    # basemaps, grid and north arrow (cop-tiles.js)
    TILES_SOURCES = "tiles.sources"
    BASEMAP_SELECT = "basemap.select"
    GRID = "grid"
    NORTH_ARROW = "northArrow"
    # drawing and reshaping zones (cop-draw.js)
    DRAW_START = "draw.start"
    DRAW_CANCEL = "draw.cancel"
    DRAW_RESHAPE = "draw.reshape"
    # supply routes (cop-routes.js)
    ROUTES_RESET = "routes.reset"
    ROUTES_DELTA = "routes.delta"
    ROUTES_SHOW = "routes.show"
    # supply sites and shipments (cop-supply.js)
    SUPPLY_RESET = "supply.reset"
    SUPPLY_SHOW = "supply.show"
    SUPPLY_SELECT = "supply.select"


TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
    "any": (object,),
}
"""The payload types (JSON names) and the Python values that fit each."""


@dataclass(frozen=True)
class Field:
    """One payload field of a message."""

    name: str
    type: str
    required: bool = True
    nullable: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.nullable
        if self.type == "number" and isinstance(value, bool):
            return False
        return isinstance(value, TYPES[self.type])


def _req(name: str, type_: str, *, nullable: bool = False) -> Field:
    return Field(name, type_, True, nullable)


def _opt(name: str, type_: str, *, nullable: bool = False) -> Field:
    return Field(name, type_, False, nullable)


SPEC: dict[Op, tuple[Field, ...]] = {
    # rows are lists of values in ``cols`` order (or unit objects without cols)
    Op.UNITS_RESET: (_opt("cols", "array"), _opt("rows", "array"), _opt("units", "array")),
    Op.UNITS_DELTA: (
        _opt("cols", "array"),
        _opt("add", "array"),
        _opt("update", "array"),
        _opt("remove", "array"),
    ),
    Op.UNITS_STALE: (_req("ids", "array"), _req("stale", "boolean")),
    Op.SELECT: (_req("id", "string", nullable=True), _opt("pan", "boolean")),
    Op.TRAILS: (_req("on", "boolean"), _req("trails", "object")),
    Op.PLACES_RESET: (_req("places", "array"),),
    Op.LAYERS: (
        _opt("affiliations", "object"),
        _opt("zones", "object"),
        _opt("units", "boolean"),
        _opt("labels", "boolean"),
        _opt("places", "boolean"),
        _opt("declutter", "boolean"),
        _opt("tasks", "boolean"),
        _opt("trails", "boolean"),
        _opt("labelsText", "object"),
    ),
    Op.ZONES_RESET: (_req("zones", "object"),),
    Op.ZONES_DELTA: (_opt("add", "array"), _opt("update", "array"), _opt("remove", "array")),
    Op.TASKS_RESET: (_req("tasks", "array"),),
    Op.TASKS_DELTA: (_opt("update", "array"), _opt("remove", "array")),
    Op.TASKS_SELECT: (_req("id", "string", nullable=True), _opt("pan", "boolean")),
    Op.FLY: (_req("lat", "number"), _req("lon", "number"), _opt("zoom", "number")),
    Op.FIT: (_req("bounds", "array"),),
    Op.HIGHLIGHT: (_req("lat", "number"), _req("lon", "number"), _opt("ms", "number")),
    Op.TOOL: (_req("name", "string", nullable=True), _opt("start", "array")),
    Op.MEASURE_LABEL: (_req("text", "string"),),
    Op.SCALE: (_req("factor", "number"),),
    Op.THEME: (_req("name", "string"),),
    Op.TILES_SOURCES: (
        _req("sources", "array"),
        _opt("labels", "object"),
        _opt("selected", "string"),
    ),
    Op.BASEMAP_SELECT: (_opt("id", "string", nullable=True), _opt("quiet", "boolean")),
    Op.GRID: (_req("show", "boolean"),),
    Op.NORTH_ARROW: (_req("show", "boolean"),),
    Op.DRAW_START: (_opt("shape", "string"),),
    Op.DRAW_CANCEL: (),
    Op.DRAW_RESHAPE: (_req("id", "string"), _opt("labels", "object")),
    Op.ROUTES_RESET: (_req("routes", "array"),),
    Op.ROUTES_DELTA: (_opt("update", "array"), _opt("remove", "array")),
    Op.ROUTES_SHOW: (_req("on", "boolean"),),
    Op.SUPPLY_RESET: (_req("sites", "array"), _req("shipments", "array")),
    Op.SUPPLY_SHOW: (_req("on", "boolean"),),
    Op.SUPPLY_SELECT: (_req("id", "string"), _opt("pan", "boolean")),
}
"""The payload fields of each message."""

Message = dict[str, Any]
"""A page message: ``{"op": <Op value>, <field>: <value>, ...}``."""


def fields(op: Op | str) -> dict[str, Field]:
    """The payload fields of ``op`` by name (``ValueError`` for an unknown op)."""
    try:
        return {f.name: f for f in SPEC[Op(op)]}
    except ValueError:
        raise ValueError(f"unknown page op {op!r}") from None


def check(msg: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless ``msg`` is a message the page understands."""
    op = msg.get("op")
    known = fields(op if isinstance(op, str) else "")
    for name, value in msg.items():
        if name == "op":
            continue
        spec = known.get(name)
        if spec is None:
            raise ValueError(f"page op {op!r} has no field {name!r}")
        if not spec.accepts(value):
            raise ValueError(f"page op {op!r}: {name!r} must be {spec.type}, not {value!r:.60}")
    missing = [f.name for f in known.values() if f.required and f.name not in msg]
    if missing:
        raise ValueError(f"page op {op!r} needs {', '.join(missing)}")


def message(op: Op | str, **payload: Any) -> Message:
    """A checked page message: ``message(Op.FLY, lat=52.1, lon=5.2, zoom=10)``."""
    try:
        name = Op(op).value
    except ValueError:
        raise ValueError(f"unknown page op {op!r}") from None
    msg: Message = {"op": name, **payload}
    check(msg)
    return msg


def page_spec() -> dict[str, Any]:
    """The table as JSON-able data for the page (``COP.PROTOCOL``)."""
    return {
        "ops": {
            str(op): {
                "required": [f.name for f in spec if f.required],
                "optional": [f.name for f in spec if not f.required],
                "types": {f.name: f.type + ("?" if f.nullable else "") for f in spec},
            }
            for op, spec in SPEC.items()
        },
        "calls": {name: list(args) for name, args in PAGE_CALLS.items()},
    }


PAGE_CALLS: dict[str, tuple[str, ...]] = {
    "pageReady": (),
    "unitClicked": ("string",),
    "zoneClicked": ("string",),
    "zoneDrawn": ("string",),
    "zoneReshaped": ("string", "string"),
    "zoneContextMenu": ("string",),
    "taskClicked": ("string",),
    "mapClicked": ("number", "number"),
    "cursorMoved": ("number", "number"),
    "painted": ("string",),
    "viewChanged": ("string",),
    "basemapChanged": ("string",),
    "contextMenu": ("number", "number"),
    "measured": ("number", "number", "number", "number"),
}
"""What the page calls on the QWebChannel ``bridge`` (``MapBridge``'s slots) and
their argument types; a ``string`` argument of ``zoneDrawn``, ``zoneReshaped``,
``painted``, ``viewChanged`` and ``basemapChanged`` is JSON."""


__all__ = [
    "PAGE_CALLS",
    "SPEC",
    "Field",
    "Message",
    "Op",
    "check",
    "fields",
    "message",
    "page_spec",
]
