"""The demo as data files plus a generator: the files are sound, the records they give
keep the scenario's rules, and every record can be dumped to canonical JSON.

The expectations come from independent sources (the SIDC parser, the records' own
vocabularies, a box around Cabo Delgado), never from a snapshot of the generator's output.
``canonical_dump`` is also a script, to compare two versions of the generator by hand::

    python tests/core/demo/test_demo_data.py before.json   # on one version
    python tests/core/demo/test_demo_data.py after.json    # on the other; then cmp them
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from app.core.common.markings import Releasability
from app.core.common.sidc import parse_sidc
from app.core.demo import data
from app.core.demo.briefing import build_slides
from app.core.demo.picture import DemoPicture, build_demo
from app.core.demo.supply import build_supply
from app.core.picture.records import READINESS, ZONE_KINDS
from app.core.supply.records import CATEGORIES, SHIPMENT_STATUSES, SITE_KINDS
from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES
from app.i18n import set_language

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)
# Cabo Delgado with a margin (lat south, north; lon west, east), from a map, not from the data
CABO_DELGADO = (-14.0, -10.3, 38.3, 41.0)
EAST_AFRICA = (-20.0, 5.0, 25.0, 45.0)


# --------------------------------------------------------------------------- the dump


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Releasability):
        return sorted(value.codes)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot dump {value!r}")


def canonical_dump(seed: int = 7, now: datetime = NOW) -> str:
    """Every record of the demo for ``seed`` and ``now`` as canonical JSON: the scenario's
    picture, a large one with synthetic records, the supply picture, the slides and tracks."""
    records = {
        "picture": build_demo(seed=seed, now=now),
        "large picture": build_demo(seed=seed, now=now, units=6_000, zones=300, tasks=400),
        "supply": build_supply(seed, now),
        "slides": build_slides(now),
        "tracks": data.load("briefing")["tracks"],
    }
    return json.dumps(_plain(records), sort_keys=True, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module")
def picture() -> DemoPicture:
    return build_demo(now=NOW)


def test_the_dump_is_canonical() -> None:
    first = canonical_dump()
    assert first == canonical_dump()
    assert first != canonical_dump(seed=8)
    dumped = json.loads(first)
    assert len(dumped["picture"]["units"]) == len(data.load("units")["unit"])
    assert len(dumped["large picture"]["units"]) == 6_000
    assert {"sites", "items", "movements", "shipments", "requests", "presence"} <= set(
        dumped["supply"]
    )


# --------------------------------------------------------------------------- the data files


def test_every_data_file_is_sound() -> None:
    for name in data.FILES:
        assert data.path(name).is_file(), name
        assert data.load(name), name
    assert data.problems() == []


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, Any]]]:
    """Editable copies of the data files, seen by ``problems()``."""
    files = {name: copy.deepcopy(data.load(name)) for name in data.FILES}
    monkeypatch.setattr(data, "load", lambda name: files[name])
    yield files


def test_problems_are_found(broken: dict[str, dict[str, Any]]) -> None:
    units = broken["units"]["unit"]
    units[1]["parent"] = units[5]["key"]  # a child before its parent
    units[2]["identity"] = "friendly"
    del units[3]["marking"]
    broken["zones"]["zone"][0]["kind"] = "volcano"
    broken["zones"]["zone"][1]["geometry"] = {"polygon": "atlantis"}
    broken["tasks"]["task"][0]["units"] = ["nobody"]
    broken["tasks"]["task"][1]["status"] = "done"
    broken["supply"]["shipment"][0]["destination"] = "nowhere"
    broken["supply"]["ledger"]["flows"][0]["item"] = "GOLD"
    broken["synthetic"]["unit_category"][0]["share"] = 0.5
    found = "\n".join(data.problems())
    for expected in (
        "is not an earlier unit",
        "unknown identity 'friendly'",
        "no marking",
        "unknown kind 'volcano'",
        "unknown path 'atlantis'",
        "unknown unit 'nobody'",
        "unknown status 'done'",
        "unknown destination 'nowhere'",
        "unknown item 'GOLD'",
        "shares add up",
    ):
        assert expected in found, expected


def test_the_data_files_use_the_records_vocabularies() -> None:
    assert {u.get("readiness", "green") for u in data.load("units")["unit"]} <= set(READINESS)
    assert {z["kind"] for z in data.load("zones")["zone"]} <= set(ZONE_KINDS)
    tasks = data.load("tasks")["task"]
    assert {t["type"] for t in tasks} <= set(TASK_TYPES)
    assert {t["priority"] for t in tasks} <= set(PRIORITIES)
    assert {t["status"] for t in tasks} == set(STATUSES)  # every status
    supply = data.load("supply")
    assert {s["kind"] for s in supply["site"]} <= set(SITE_KINDS)
    assert {i["category"] for i in supply["item"]} <= set(CATEGORIES)
    assert {s["status"] for s in supply["shipment"]} == set(SHIPMENT_STATUSES)


# --------------------------------------------------------------------------- the records


def test_every_scenario_unit_has_the_symbol_its_data_describe(picture: DemoPicture) -> None:
    specs = data.load("units")["unit"]
    assert len(picture.units) == len(specs)
    for unit, spec in zip(picture.units, specs, strict=True):
        parsed = parse_sidc(unit.sidc)
        symbol_set, entity, echelon = spec["symbol"]
        assert parsed.affiliation_group == unit.affiliation == spec["identity"], unit.name
        assert parsed.symbol_set == symbol_set and parsed.entity == entity, unit.name
        assert parsed.echelon == (None if echelon == "00" else echelon), unit.name
        assert parsed.is_headquarters == spec.get("hq", False), unit.name
        assert (unit.name, unit.callsign, unit.nation) == (
            spec["name"],
            spec["callsign"],
            spec["nation"],
        )


def test_positions_lie_in_the_scenario_region(picture: DemoPicture) -> None:
    south, north, west, east = CABO_DELGADO
    for unit in picture.units:
        assert south <= unit.lat <= north and west <= unit.lon <= east, unit.name
    for zone in picture.zones:
        bounds = shape(zone.geometry).bounds  # lon, lat, lon, lat
        assert west <= bounds[0] and bounds[2] <= east, zone.name
        assert south <= bounds[1] and bounds[3] <= north, zone.name
    for task in picture.tasks:
        if task.location:
            lon, lat, *_ = shape(task.location).bounds
            assert south <= lat <= north and west <= lon <= east, task.title
    for site in build_supply(7, NOW)["sites"]:
        assert south <= site.lat <= north and west <= site.lon <= east, site.name


def test_synthetic_units_stay_in_their_region() -> None:
    large = build_demo(seed=3, now=NOW, units=6_000, zones=50, tasks=0)
    south, north, west, east = EAST_AFRICA
    assert all(south <= u.lat <= north and west <= u.lon <= east for u in large.units)
    for unit in large.units:
        parse_sidc(unit.sidc)
    counts = Counter(u.affiliation for u in large.units[len(data.load("units")["unit"]) :])
    assert counts.most_common(1)[0][0] == "friend" and set(counts) == {
        "friend",
        "neutral",
        "hostile",
        "unknown",
    }


def test_every_parent_exists_and_comes_before_its_child(picture: DemoPicture) -> None:
    seen: set[str] = set()
    for unit in picture.units:
        assert unit.parent_id is None or unit.parent_id in seen, unit.name
        seen.add(str(unit.id))


def test_every_prefix_of_the_scenario_is_self_contained() -> None:
    for size in (1, 7, 30):
        units = build_demo(now=NOW, units=size).units
        ids = {u.id for u in units}
        assert all(u.parent_id is None or u.parent_id in ids for u in units)


def test_every_task_is_given_to_units_of_the_picture(picture: DemoPicture) -> None:
    ids = {u.id for u in picture.units}
    assert len(picture.tasks) == len(data.load("tasks")["task"])
    for task in picture.tasks:
        assert set(task.assigned_units) <= ids, task.title
        assert task.assigned_units or task.status == "draft", task.title
    open_statuses = {"assigned", "in_progress", "blocked"}
    assert any(t.due and t.due < NOW and t.status in open_statuses for t in picture.tasks)


def test_geometry_from_control_points_is_valid(picture: DemoPicture) -> None:
    shapes = [z.geometry for z in picture.zones] + [t.location for t in picture.tasks]
    for geometry in shapes:
        assert geometry is not None
        polygon = shape(geometry)
        assert polygon.is_valid
        if geometry["type"] == "Polygon":
            ring = geometry["coordinates"][0]
            assert ring[0] == ring[-1]
            area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))
            assert area2 > 0  # counter-clockwise exterior (RFC 7946)


def test_the_supply_ledger_never_goes_below_zero() -> None:
    records = build_supply(7, NOW)
    sites = {s.id for s in records["sites"]}
    items = {i.id for i in records["items"]}
    balance: Counter[tuple[str | None, str | None]] = Counter()
    for move in sorted(records["movements"], key=lambda m: m.at):
        assert move.site_id in sites and move.item_id in items
        sign = -1 if move.kind == "issue" else 1
        balance[(move.site_id, move.item_id)] += sign * move.quantity
        assert balance[(move.site_id, move.item_id)] >= 0
    for shipment in records["shipments"]:
        assert shipment.destination_site_id in sites
        assert all(line.item_id in items for line in shipment.lines)
    requests = {r.id for r in records["requests"]}
    linked = [line.request_id for s in records["shipments"] for line in s.lines if line.request_id]
    assert linked and set(linked) <= requests


def test_slides_come_from_the_data_and_are_translated() -> None:
    specs = data.load("briefing")["slide"]
    slides = build_slides(NOW)
    assert [s.name for s in slides] == [s["name"] for s in specs]
    assert [s.position for s in slides] == list(range(1, len(specs) + 1))
    assert len({s.id for s in slides}) == len(slides)
    from app.i18n_catalog import extract

    msgids = {m.msgid for m in extract()}
    for spec in specs:
        assert spec["name"] in msgids and spec["note"] in msgids
    set_language("fr")
    try:
        french = build_slides(NOW)
    finally:
        set_language("en")
    assert all(f.name != s["name"] for f, s in zip(french, specs, strict=True))


def test_loading_the_same_seed_twice_updates_rather_than_duplicates(tmp_path: Path) -> None:
    from app.core.demo import load_demo
    from app.core.store.engine import open_store
    from app.core.store.models import CrisisZone, SavedView, SupplySite, Task, Unit

    store = open_store(tmp_path / "demo.sqlite", operator="test")
    try:
        first = load_demo(store, now=NOW)
        second = load_demo(store, now=NOW)
        assert first == second
        with store.session() as session:
            counts = {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Unit, CrisisZone, Task, SavedView, SupplySite)
            }
    finally:
        store.close()
    assert counts == {
        "Unit": len(data.load("units")["unit"]),
        "CrisisZone": len(data.load("zones")["zone"]),
        "Task": len(data.load("tasks")["task"]),
        "SavedView": len(data.load("briefing")["slide"]),
        "SupplySite": len(data.load("supply")["site"]),
    }


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(canonical_dump() + "\n", encoding="utf-8")
