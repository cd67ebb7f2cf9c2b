"""The demo picture (Operation CORAL SHIELD): content, markings, determinism, loading, scale."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from app.core.common.markings import (
    UN_AGENCIES,
    Classification,
    Level,
    Releasability,
    partner_kind,
    validate_marking,
)
from app.core.common.sidc import ENTITY_NAMES, parse_sidc
from app.core.demo.picture import DemoPicture, build_demo, load_demo
from app.core.picture.records import ZONE_KINDS, UnitData, ZoneData
from app.core.store.engine import Store, open_store
from app.core.store.models import CrisisZone, Unit

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)  # not the real time, so times must follow it
NGOS = {"MSF", "ICRC", "IFRC", "NRC", "OXFAM", "SCI", "IRC", "CARE", "WVI"}
ECHELONS = ["team", "section", "platoon", "company", "battalion", "brigade"]


@pytest.fixture(scope="module")
def picture() -> DemoPicture:
    return build_demo(now=NOW)


def _count(store: Store, model: type[Unit] | type[CrisisZone]) -> int:
    with store.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(model).where(~model.deleted)) or 0
        )


# --------------------------------------------------------------------------- content


def test_default_picture_has_the_scenario(picture: DemoPicture) -> None:
    units = picture.units
    assert 40 <= len(units) <= 100
    friends = [u for u in units if u.affiliation == "friend"]
    nations = {u.nation for u in friends if partner_kind(u.nation) == "nation"} - {"MOZ"}
    assert len(nations) >= 6, nations
    assert any(u.nation in UN_AGENCIES or u.nation == "UN" for u in units)
    assert any(u.nation in NGOS for u in units)
    assert {u.affiliation for u in units} == {"friend", "neutral", "hostile", "unknown"}
    assert Counter(u.affiliation for u in units).most_common(1)[0][0] == "friend"
    assert set(ECHELONS) <= {u.echelon for u in units}
    names = [u.name for u in units]
    assert len(set(names)) == len(names)
    assert all(u.callsign for u in friends)
    assert sum(u.course is not None and u.speed is not None for u in units) >= 5


def test_units_have_varied_types_readiness_and_strength(picture: DemoPicture) -> None:
    entities = {parse_sidc(u.sidc).entity for u in picture.units}
    wanted = {
        "infantry": {"121100"},
        "mechanized infantry": {"121102"},
        "reconnaissance": {"121300", "120501"},
        "engineer": {"140700", "140701", "140702"},
        "medical": {"161300", "161400"},
        "supply": {"163400"},
        "transportation": {"163600"},
        "aviation": {"120600", "120800"},
        "signal": {"111000", "111100"},
        "military police": {"141200"},
        "CBRN": {"140100"},
        "civil affairs": {"110200", "110300"},
    }
    missing = [name for name, codes in wanted.items() if not codes & entities]
    assert not missing, missing
    assert any(parse_sidc(u.sidc).is_headquarters for u in picture.units)
    readiness = Counter(u.readiness for u in picture.units)
    assert readiness["green"] > readiness["amber"] >= 2
    assert readiness["red"] >= 1
    assert all(0 <= u.strength <= 100 for u in picture.units)
    assert len({u.strength for u in picture.units}) > 5


def test_parents_are_in_the_picture(picture: DemoPicture) -> None:
    ids = {u.id for u in picture.units}
    with_parent = [u for u in picture.units if u.parent_id]
    assert len(with_parent) >= 20
    assert all(u.parent_id in ids for u in with_parent)
    brigade = next(u for u in picture.units if u.echelon == "brigade")
    assert brigade.parent_id is None
    assert any(u.parent_id == brigade.id for u in picture.units)


def test_zones_are_varied(picture: DemoPicture) -> None:
    zones = picture.zones
    assert len(zones) >= 8
    kinds = {z.kind for z in zones}
    assert len(kinds) >= 4 and kinds <= set(ZONE_KINDS)
    assert {"conflict", "flood", "corridor", "safe area", "epidemic"} <= kinds
    severities = {z.severity for z in zones}
    assert len(severities) >= 3 and min(severities) <= 2 and max(severities) == 5
    assert all(z.description for z in zones)
    assert any(z.valid_from is not None and z.valid_to is not None for z in zones)


# --------------------------------------------------------------------------- markings


def test_markings_vary(picture: DemoPicture) -> None:
    records: list[UnitData | ZoneData] = [*picture.units, *picture.zones]
    rels = Counter(frozenset(Releasability.parse(r.releasable_to).codes) for r in records)
    assert rels[frozenset({"NATO"})] >= 3
    assert rels[frozenset({"NATO", "UN"})] >= 3
    assert rels[frozenset({"PUBLIC"})] >= 3
    levels = Counter(str(Classification.parse(r.classification)) for r in records)
    assert levels["NATO RESTRICTED"] == max(levels.values())
    assert {"NATO UNCLASSIFIED", "UNCLASSIFIED", "NATO CONFIDENTIAL"} <= set(levels)
    for record in records:  # nothing classified is marked PUBLIC
        validate_marking(record.classification, record.releasable_to)


def test_threat_tracks_are_nato_only_and_humanitarian_ones_public(picture: DemoPicture) -> None:
    for unit in picture.units:
        rel = Releasability.parse(unit.releasable_to)
        if unit.affiliation in ("hostile", "unknown"):
            assert rel.codes == frozenset({"NATO"}), unit.name
            assert Classification.parse(unit.classification).level >= Level.RESTRICTED
        if unit.nation in NGOS:
            assert rel.is_public and unit.classification == "UNCLASSIFIED", unit.name
    confidential = [u for u in picture.units if u.classification == "NATO CONFIDENTIAL"]
    assert confidential
    assert all(Releasability.parse(u.releasable_to).codes == {"NATO"} for u in confidential)


# --------------------------------------------------------------------------- validity


def test_every_sidc_is_valid(picture: DemoPicture) -> None:
    for unit in picture.units:
        sidc = parse_sidc(unit.sidc)
        assert len(unit.sidc) == 20
        assert sidc.affiliation_group == unit.affiliation
        assert sidc.echelon == unit.echelon
        assert sidc.entity in ENTITY_NAMES[sidc.symbol_set], unit.sidc
        if unit.nation in NGOS or unit.nation in UN_AGENCIES:
            assert sidc.symbol_set == "11" and unit.affiliation == "neutral"


def test_every_record_passes_validation(picture: DemoPicture) -> None:
    fresh = build_demo(now=NOW)
    for unit in fresh.units:
        before = (unit.sidc, unit.affiliation, unit.echelon, unit.classification)
        unit.validate()
        assert (unit.sidc, unit.affiliation, unit.echelon, unit.classification) == before
    for zone in fresh.zones:
        zone.validate()


def test_every_polygon_is_valid_and_on_the_region(picture: DemoPicture) -> None:
    for zone in picture.zones:
        assert zone.geometry["type"] == "Polygon"
        for ring in zone.geometry["coordinates"]:
            assert ring[0] == ring[-1] and len(ring) >= 4
            for lon, lat in ring:  # [lon, lat] order: Cabo Delgado is 38-41 E, 10-14 S
                assert 38.0 < lon < 41.0 and -14.0 < lat < -10.0, zone.name
        geom = shape(zone.geometry)
        assert geom.is_valid and geom.area > 0, zone.name
        assert geom.exterior.is_ccw, zone.name  # RFC 7946 winding
    corridor = next(z for z in picture.zones if z.kind == "corridor")
    minx, miny, maxx, maxy = shape(corridor.geometry).bounds
    assert maxy - miny > 0.5  # long ...
    assert shape(corridor.geometry).area < 0.1  # ... and thin


def test_unit_positions_are_in_cabo_delgado(picture: DemoPicture) -> None:
    for unit in picture.units:
        assert -14.0 < unit.lat < -10.4 and 38.8 < unit.lon < 40.7, unit.name


def test_ids_are_uuids(picture: DemoPicture) -> None:
    ids = [u.id for u in picture.units] + [z.id for z in picture.zones]
    assert all(isinstance(i, str) and str(uuid.UUID(i)) == i for i in ids)
    assert len(set(ids)) == len(ids)


# --------------------------------------------------------------------------- time and determinism


def test_times_are_relative_to_now(picture: DemoPicture) -> None:
    for unit in picture.units:
        assert unit.last_report is not None and unit.stale_after is not None
        assert NOW - timedelta(days=2) < unit.last_report < NOW, unit.name
        assert unit.last_report < unit.stale_after
    stale = [u for u in picture.units if u.stale_after < NOW]  # type: ignore[operator]
    assert 3 <= len(stale) <= 10
    recent = [u for u in picture.units if NOW - u.last_report < timedelta(hours=1)]  # type: ignore[operator]
    assert recent
    for zone in picture.zones:
        if zone.valid_from:
            assert zone.valid_from < NOW
        if zone.valid_to:
            assert zone.valid_to > NOW
    later = build_demo(now=NOW + timedelta(days=3))
    assert later.units[0].last_report - picture.units[0].last_report == timedelta(days=3)  # type: ignore[operator]


def test_default_now_is_the_current_time() -> None:
    before = datetime.now(UTC)
    demo = build_demo(units=61)
    assert all(u.last_report < datetime.now(UTC) for u in demo.units)  # type: ignore[operator]
    assert max(u.last_report or before for u in demo.units) > before - timedelta(hours=1)


def test_naive_now_is_taken_as_utc() -> None:
    naive = build_demo(now=NOW.replace(tzinfo=None))
    assert naive.units == build_demo(now=NOW).units


def test_same_seed_gives_the_same_picture(picture: DemoPicture) -> None:
    again = build_demo(seed=7, now=NOW)
    assert again.units == picture.units
    assert again.zones == picture.zones
    assert [u.id for u in again.units] == [u.id for u in picture.units]


def test_another_seed_gives_another_picture(picture: DemoPicture) -> None:
    other = build_demo(seed=8, now=NOW)
    assert other.units != picture.units
    assert not {u.id for u in other.units} & {u.id for u in picture.units}
    assert [u.name for u in other.units] == [u.name for u in picture.units]  # same scenario


def test_a_bigger_picture_starts_with_the_scenario(picture: DemoPicture) -> None:
    bigger = build_demo(units=500, zones=20, now=NOW)
    assert bigger.units[: len(picture.units)] == picture.units
    assert bigger.zones[: len(picture.zones)] == picture.zones
    smaller = build_demo(units=10, zones=3, now=NOW)
    assert smaller.units == picture.units[:10] and smaller.zones == picture.zones[:3]


# --------------------------------------------------------------------------- scale


def test_scaling_gives_exact_counts() -> None:
    demo = build_demo(units=5000, zones=50, now=NOW)
    assert len(demo.units) == 5000 and len(demo.zones) == 50
    assert len({u.id for u in demo.units}) == 5000
    assert sum(u.name.startswith("Synthetic ") for u in demo.units) == 5000 - 61
    assert {u.affiliation for u in demo.units[61:]} == {"friend", "neutral", "hostile", "unknown"}
    lats = [u.lat for u in demo.units]
    lons = [u.lon for u in demo.units]
    assert min(lats) >= -16 and max(lats) <= -10 and min(lons) >= 35 and max(lons) <= 41
    for unit in demo.units[::97]:
        unit.validate()
    for zone in demo.zones:
        zone.validate()
        assert shape(zone.geometry).is_valid
    assert build_demo(units=0, zones=0) == DemoPicture(units=[], zones=[])


@pytest.mark.parametrize("bad", [-1, 100_001, 2.5, True])
def test_bad_counts_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="units"):
        build_demo(units=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="zones"):
        build_demo(zones=bad)  # type: ignore[arg-type]


def test_a_hundred_thousand_units_are_unique_and_spread_out() -> None:
    # (how fast it builds is measured in bench/, not asserted here)
    demo = build_demo(units=100_000, now=NOW)
    assert len(demo.units) == 100_000
    assert len({u.id for u in demo.units}) == 100_000
    lats = [u.lat for u in demo.units]
    lons = [u.lon for u in demo.units]
    assert max(lats) - min(lats) > 20 and max(lons) - min(lons) > 15  # not all stacked


# --------------------------------------------------------------------------- loading


def test_load_demo_stores_the_picture(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite", operator="tester")
    try:
        counts = load_demo(store, now=NOW)
        expected = build_demo(now=NOW)
        assert counts == (len(expected.units), len(expected.zones))
        assert _count(store, Unit) == len(expected.units)
        assert _count(store, CrisisZone) == len(expected.zones)
        with store.session() as session:
            hq = session.get(Unit, expected.units[0].id)
            assert hq is not None and hq.name == expected.units[0].name
            assert hq.last_report == expected.units[0].last_report
            rels = {str(r) for r in session.scalars(select(CrisisZone.releasable_to))}
            assert {"PUBLIC", "REL TO NATO", "REL TO NATO, UN"} <= rels
        # the ids depend on the seed only: loading again updates, it does not duplicate
        assert load_demo(store, now=NOW + timedelta(minutes=5)) == counts
        assert _count(store, Unit) == len(expected.units)
        assert _count(store, CrisisZone) == len(expected.zones)
    finally:
        store.close()


def test_load_demo_scaled(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite", operator="tester")
    try:
        assert load_demo(store, seed=3, units=5000, zones=50) == (5000, 50)
        assert _count(store, Unit) == 5000
        assert _count(store, CrisisZone) == 50
    finally:
        store.close()
