"""Geofence alerts: inside hazard zones, entered since the last update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import shapely

from app.core.picture.geofence import (
    ZoneShape,
    compute_alerts,
    naive_alerts,
    store_alerts,
    zones_in_force,
)
from app.core.picture.ops import add_units, add_zones, move_units
from app.core.picture.records import UnitData, ZoneData


def square(x0: float, y0: float, size: float = 1.0) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
        ],
    }


def zone(zid: str, kind: str, x0: float, y0: float, severity: int = 3) -> ZoneShape:
    return ZoneShape(zid, f"zone {zid}", kind, severity, shapely.geometry.shape(square(x0, y0)))


def test_units_inside_hazard_zones_are_listed_and_safe_areas_are_not() -> None:
    zones = [
        zone("nogo", "no-go", 0, 0, 5),
        zone("safe", "safe area", 10, 10),
        zone("flood", "flood", 0.5, 0.5, 2),
    ]
    units = [("a", "Alpha", 0.7, 0.7), ("b", "Bravo", 10.5, 10.5), ("c", "Charlie", 5.0, 5.0)]
    alerts, membership = compute_alerts(units, zones)
    assert {(a.unit_id, a.zone_id) for a in alerts} == {("a", "nogo"), ("a", "flood")}
    assert alerts[0].severity == 5  # the worst first
    assert membership == {"a": frozenset({"nogo", "flood"})}
    assert all(a.kind == "inside" for a in alerts)


def test_entering_is_reported_once_then_it_is_just_inside() -> None:
    zones = [zone("nogo", "no-go", 0, 0)]
    _alerts, before = compute_alerts([("a", "Alpha", 5.0, 5.0)], zones)
    alerts, after = compute_alerts([("a", "Alpha", 0.5, 0.5)], zones, before)
    assert [a.kind for a in alerts] == ["entered"]
    assert "entered" in alerts[0].message
    alerts, _ = compute_alerts([("a", "Alpha", 0.6, 0.6)], zones, after)
    assert [a.kind for a in alerts] == ["inside"]


def test_the_index_agrees_with_testing_every_zone() -> None:
    rng = np.random.default_rng(3)
    zones = [zone(str(i), "conflict", *rng.uniform(0, 20, 2)) for i in range(50)]
    units = [(str(i), f"u{i}", *rng.uniform(0, 21, 2)) for i in range(2000)]
    alerts, _ = compute_alerts(units, zones)
    assert len(alerts) == naive_alerts(units, zones) > 0


def test_zones_out_of_their_validity_are_not_in_force() -> None:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)

    class Row:
        def __init__(self, zid: str, start: datetime | None, end: datetime | None) -> None:
            self.id, self.name, self.kind, self.severity = zid, zid, "no-go", 3
            self.geometry, self.valid_from, self.valid_to = square(0, 0), start, end

    rows = [
        Row("now", None, None),
        Row("later", now + timedelta(hours=1), None),
        Row("over", None, now - timedelta(hours=1)),
    ]
    assert [z.id for z in zones_in_force(rows, now)] == ["now"]


def test_store_alerts_follow_a_unit_in_and_out_of_a_no_go_zone(store) -> None:  # type: ignore[no-untyped-def]
    add_zones(
        store, [ZoneData(name="Minefield", kind="no-go", severity=5, geometry=square(40.0, -13.0))]
    )
    [uid] = add_units(
        store, [UnitData(name="Convoy", sidc="10031000001211000000", lat=-14.0, lon=39.0)]
    )
    [hostile] = add_units(
        store, [UnitData(name="Gunmen", sidc="10061000001211000000", lat=-12.5, lon=40.5)]
    )
    alerts, seen = store_alerts(store)
    assert alerts == []  # the hostile group inside is the threat, not an alert
    move_units(store, [(uid, -12.5, 40.5)])
    alerts, seen = store_alerts(store, seen)
    assert [(a.unit_id, a.kind) for a in alerts] == [(uid, "entered")]
    move_units(store, [(uid, -14.0, 39.0)])
    alerts, _ = store_alerts(store, seen)
    assert alerts == []
    assert hostile


def test_the_tracker_rechecks_moved_units_like_a_full_recompute(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Moving units through AlertTracker gives what a full recompute over the store gives."""
    from app.core.picture.geofence import AlertTracker
    from app.core.picture.ops import add_units, add_zones, move_units
    from app.core.picture.records import UnitData, ZoneData
    from app.core.store.engine import open_store

    store = open_store(tmp_path / "t.sqlite")
    try:
        square = {
            "type": "Polygon",
            "coordinates": [[[40, -12], [40.5, -12], [40.5, -11.5], [40, -11.5], [40, -12]]],
        }
        add_zones(store, [ZoneData(name="Minefield", kind="no-go", severity=5, geometry=square)])
        ids = add_units(
            store,
            [
                UnitData(name=f"U{i}", sidc="10031000001211000000", lat=-13.0, lon=39.0 + i * 0.01)
                for i in range(20)
            ],
        )
        tracker = AlertTracker()
        assert tracker.load(store) == []
        moves = [(uid, -11.75, 40.25) for uid in ids[:5]]
        move_units(store, moves)
        alerts = tracker.moved(moves)
        assert sorted(a.unit_id for a in alerts) == sorted(ids[:5])
        assert {a.kind for a in alerts} == {"entered"}
        full, _ = store_alerts(store, {uid: frozenset() for uid in ids})
        assert [(a.unit_id, a.kind) for a in full] == [(a.unit_id, a.kind) for a in alerts]
        # the next move of others leaves the first five "inside", not "entered"
        alerts = tracker.moved([(ids[10], -13.1, 39.1)])
        assert {a.kind for a in alerts} == {"inside"}
        # leaving clears them
        alerts = tracker.moved([(uid, -13.0, 39.0) for uid in ids[:5]])
        assert alerts == []
    finally:
        store.close()
