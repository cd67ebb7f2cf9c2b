"""The demo's scenario as data: the TOML files under ``resources/demo/``.

Operation CORAL SHIELD is written down in data files, one per part of the scenario:
``units.toml``, ``zones.toml``, ``tasks.toml``, ``geography.toml`` (named lines and
areas, the coast, the regions), ``markings.toml`` (marking profiles), ``briefing.toml``
(the last day's tracks and the slides), ``supply.toml`` and ``synthetic.toml`` (what
synthetic records for large pictures may be).  The generator (``picture``, ``synthetic``,
``briefing``, ``supply``) turns them into records: seeded random draws, times relative to
``now``, ids, geometry from control points.

Each file is read once per process (``tomllib``, no dependency) and must be treated as
read-only.  ``problems()`` checks the files against the rules of the records they become;
``translatable_messages()`` lists the user-facing texts the catalogue tooling collects.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from app import paths
from app.core.common.markings import Classification, Releasability

FILES = (
    "units",
    "zones",
    "tasks",
    "geography",
    "markings",
    "briefing",
    "supply",
    "synthetic",
)

# file -> (array of tables, fields) whose text is shown to users and goes through _()
TRANSLATABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "briefing": ("slide", ("name", "note")),
}


def path(name: str) -> Path:
    """The data file ``name`` (without ``.toml``)."""
    return paths.resource("demo", f"{name}.toml")


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed data file ``name`` (cached: do not modify it)."""
    with path(name).open("rb") as handle:
        return tomllib.load(handle)


@cache
def marking_table() -> dict[str, tuple[str, Releasability]]:
    """Marking profiles: (classification as stored, releasability), parsed once.

    Already in the form ``validate()`` gives, so records need no normalising.
    """
    return {
        key: (
            str(Classification.parse(profile["classification"])),
            Releasability.parse(profile["releasable_to"]),
        )
        for key, profile in load("markings").items()
    }


def readiness_strength() -> dict[str, tuple[int, int]]:
    """Strength bounds (per cent) by readiness."""
    return {key: (low, high) for key, (low, high) in load("units")["strength"].items()}


def translatable_messages() -> list[tuple[str, str]]:
    """(msgid, where) of every translatable text in the data files, for the catalogue."""
    found: list[tuple[str, str]] = []
    for name, (table, fields) in TRANSLATABLE.items():
        where = f"resources/demo/{name}.toml"
        for record in load(name).get(table, ()):
            found.extend((record[f], where) for f in fields if record.get(f))
    return found


# --------------------------------------------------------------------------- checks

_IDENTITIES = ("friend", "neutral", "hostile", "unknown")
_SYMBOL_SETS = ("10", "11")
_GEOMETRY_KEYS = ("polygon", "line", "ellipse", "point")


def _missing(record: dict[str, Any], required: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}: no {key}" for key in required if key not in record]


def _geometry_problems(spec: Any, where: str, allow_point: bool) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{where}: geometry is not a table"]
    shapes = [key for key in _GEOMETRY_KEYS if key in spec]
    if len(shapes) != 1:
        return [f"{where}: geometry needs one of {', '.join(_GEOMETRY_KEYS)}"]
    shape = shapes[0]
    problems = []
    if shape == "point" and not allow_point:
        problems.append(f"{where}: a zone is an area, not a point")
    if shape in ("polygon", "line"):
        points = spec[shape]
        if isinstance(points, str):
            if points not in load("geography")["paths"]:
                problems.append(f"{where}: unknown path {points!r}")
        elif not isinstance(points, list) or len(points) < (3 if shape == "polygon" else 2):
            problems.append(f"{where}: too few points")
        if shape == "line" and not spec.get("half-width", 0) > 0:
            problems.append(f"{where}: a line needs a positive half-width")
    if shape == "ellipse" and len(spec.get("radii", ())) != 2:
        problems.append(f"{where}: an ellipse needs radii = [rx, ry]")
    return problems


def problems() -> list[str]:
    """Everything wrong with the data files (empty when they are sound)."""
    from app.core.picture.records import READINESS, ZONE_KINDS
    from app.core.supply import records as supply
    from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES

    found: list[str] = []
    markings = load("markings")
    for key, profile in markings.items():
        found += _missing(profile, ("classification", "releasable_to"), f"markings.{key}")

    units = load("units")
    seen: set[str] = set()
    for index, unit in enumerate(units.get("unit", ())):
        where = f"units: unit {index + 1} ({unit.get('key', '?')})"
        found += _missing(
            unit,
            ("key", "name", "callsign", "nation", "identity", "symbol", "at", "marking"),
            where,
        )
        if unit.get("key") in seen:
            found.append(f"{where}: key used twice")
        if unit.get("parent") is not None and unit["parent"] not in seen:
            found.append(f"{where}: parent {unit['parent']!r} is not an earlier unit")
        seen.add(unit.get("key", ""))
        if unit.get("identity") not in _IDENTITIES:
            found.append(f"{where}: unknown identity {unit.get('identity')!r}")
        if len(unit.get("symbol", ())) != 3 or unit["symbol"][0] not in _SYMBOL_SETS:
            found.append(f"{where}: symbol must be [symbol set 10 or 11, entity, echelon]")
        if unit.get("marking") not in markings:
            found.append(f"{where}: unknown marking {unit.get('marking')!r}")
        if unit.get("readiness", "green") not in READINESS:
            found.append(f"{where}: unknown readiness {unit.get('readiness')!r}")
        if "moving" in unit and len(unit["moving"]) != 2:
            found.append(f"{where}: moving must be [course, speed]")
    for readiness in READINESS:
        if readiness not in units.get("strength", {}):
            found.append(f"units: no strength for readiness {readiness!r}")

    for index, zone in enumerate(load("zones").get("zone", ())):
        where = f"zones: zone {index + 1} ({zone.get('name', '?')})"
        found += _missing(zone, ("name", "kind", "severity", "marking", "geometry"), where)
        if zone.get("kind") not in ZONE_KINDS:
            found.append(f"{where}: unknown kind {zone.get('kind')!r}")
        if zone.get("severity") not in range(1, 6):
            found.append(f"{where}: severity must be 1 to 5")
        if zone.get("marking") not in markings:
            found.append(f"{where}: unknown marking {zone.get('marking')!r}")
        if "valid" in zone and len(zone["valid"]) not in (1, 2):
            found.append(f"{where}: valid must be [from] or [from, to]")
        found += _geometry_problems(zone.get("geometry"), where, allow_point=False)

    for index, task in enumerate(load("tasks").get("task", ())):
        where = f"tasks: task {index + 1} ({task.get('title', '?')})"
        required = ("title", "type", "priority", "status", "units", "originator", "due", "marking")
        found += _missing(task, required, where)
        for key, known in (("type", TASK_TYPES), ("priority", PRIORITIES), ("status", STATUSES)):
            if task.get(key) not in known:
                found.append(f"{where}: unknown {key} {task.get(key)!r}")
        if task.get("marking") not in markings:
            found.append(f"{where}: unknown marking {task.get('marking')!r}")
        for key in task.get("units", ()):
            if key not in seen:
                found.append(f"{where}: unknown unit {key!r}")
        if "location" in task:
            found += _geometry_problems(task["location"], where, allow_point=True)

    briefing = load("briefing")
    callsigns = {unit.get("callsign") for unit in units.get("unit", ())}
    for callsign in briefing.get("tracks", {}):
        if callsign not in callsigns:
            found.append(f"briefing: track of unknown callsign {callsign!r}")
    zone_names = {zone.get("name") for zone in load("zones").get("zone", ())}
    if briefing.get("flare_up", {}).get("zone") not in zone_names:
        found.append("briefing: the flare-up's zone is not a zone of the scenario")
    for index, slide in enumerate(briefing.get("slide", ())):
        where = f"briefing: slide {index + 1}"
        found += _missing(slide, ("name", "bounds", "note"), where)
        south, west, north, east = slide.get("bounds", (0, 0, 0, 0))
        if not (south < north and west < east):
            found.append(f"{where}: bounds must be [south, west, north, east]")

    found += _supply_problems(load("supply"), supply)

    synthetic = load("synthetic")
    for index, category in enumerate(synthetic.get("unit_category", ())):
        where = f"synthetic: unit category {index + 1}"
        if category.get("identity") not in _IDENTITIES:
            found.append(f"{where}: unknown identity {category.get('identity')!r}")
        if len(category.get("echelons", ())) != len(category.get("weights", (None,))):
            found.append(f"{where}: one weight per echelon")
        for mix in category.get("markings", ()):
            found += [f"{where}: unknown marking {k!r}" for k in mix if k not in markings]
    shares = sum(c.get("share", 0) for c in synthetic.get("unit_category", ()))
    if abs(shares - 1.0) > 1e-9:
        found.append(f"synthetic: the unit categories' shares add up to {shares}, not 1")
    for key in (
        *synthetic.get("zones", {}).get("markings_by_severity", ()),
        *synthetic.get("tasks", {}).get("markings", ()),
    ):
        if key not in markings:
            found.append(f"synthetic: unknown marking {key!r}")
    return found


def _supply_problems(data: dict[str, Any], supply: Any) -> list[str]:
    found: list[str] = []
    sites = {site.get("key") for site in data.get("site", ())}
    items = {item.get("code") for item in data.get("item", ())}
    requests = {request.get("key") for request in data.get("request", ())}
    for site in data.get("site", ()):
        where = f"supply: site {site.get('key', '?')}"
        found += _missing(site, ("key", "name", "kind", "at", "capacity", "organisation"), where)
        if site.get("kind") not in supply.SITE_KINDS:
            found.append(f"{where}: unknown kind {site.get('kind')!r}")
    for item in data.get("item", ()):
        where = f"supply: item {item.get('code', '?')}"
        found += _missing(item, ("code", "name", "category", "unit", "pack_name"), where)
        if item.get("category") not in supply.CATEGORIES:
            found.append(f"{where}: unknown category {item.get('category')!r}")

    def known(where: str, site: Any, item: Any) -> list[str]:
        wrong = [f"{where}: unknown site {site!r}"] if site not in sites else []
        return wrong + ([f"{where}: unknown item {item!r}"] if item not in items else [])

    for hub, stock in data.get("hub_stock", {}).items():
        for code in stock:
            found += known(f"supply: hub stock {hub}", hub, code)
    for flow in data.get("ledger", {}).get("flows", ()):
        found += known("supply: flow", flow.get("site"), flow.get("item"))
    for site in data.get("ledger", {}).get("trend", {}).get("sites", ()):
        found += known("supply: trend", site, next(iter(items), None))
    for adjustment in data.get("adjustment", ()):
        where = f"supply: adjustment on day {adjustment.get('day')}"
        found += known(where, adjustment.get("site"), adjustment.get("item"))
        if adjustment.get("reason") not in supply.ADJUSTMENT_REASONS:
            found.append(f"{where}: unknown reason {adjustment.get('reason')!r}")
    for shipment in data.get("shipment", ()):
        where = f"supply: shipment {shipment.get('key', '?')}"
        found += _missing(
            shipment, ("key", "waybill", "destination", "mode", "status", "lines"), where
        )
        if shipment.get("origin") is not None and shipment["origin"] not in sites:
            found.append(f"{where}: unknown origin {shipment['origin']!r}")
        if shipment.get("destination") not in sites:
            found.append(f"{where}: unknown destination {shipment.get('destination')!r}")
        if shipment.get("mode") not in supply.MODES:
            found.append(f"{where}: unknown mode {shipment.get('mode')!r}")
        if shipment.get("status") not in supply.SHIPMENT_STATUSES:
            found.append(f"{where}: unknown status {shipment.get('status')!r}")
        for line in shipment.get("lines", ()):
            if line[0] not in items or len(line) not in (2, 3):
                found.append(f"{where}: a line must be [known item code, quantity(, received)]")
        if shipment.get("request") is not None and shipment["request"] not in requests:
            found.append(f"{where}: unknown request {shipment['request']!r}")
    for request in data.get("request", ()):
        where = f"supply: request {request.get('key', '?')}"
        found += _missing(
            request, ("key", "site", "item", "quantity", "priority", "required_by"), where
        )
        found += known(where, request.get("site"), request.get("item"))
        if request.get("priority") not in supply.PRIORITIES:
            found.append(f"{where}: unknown priority {request.get('priority')!r}")
    for row in data.get("presence", {}).get("rows", ()):
        if len(row) != 7:
            found.append(f"supply: presence row {row!r} must have 7 fields")
    return found
