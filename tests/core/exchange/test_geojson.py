"""GeoJSON export and import: exact round trip, update by id, bad input refused whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.common.markings import Releasability
from app.core.exchange.files import export_file, import_file
from app.core.formats.errors import InteropError
from app.core.picture.ops import add_units, add_zones
from app.core.picture.queries import UnitRow, ZoneRow, counts, list_units, list_zones
from app.core.picture.records import UnitData, ZoneData
from app.core.store.engine import Store, open_store

FRIEND_INF_COY = "10031000151211000000"
NEUTRAL_MED_PLT = "10041000141613000000"
HOSTILE_ARMOUR_BN = "10061000181205000000"

T0 = datetime(2026, 11, 28, 15, 30, 12, 345678, tzinfo=UTC)

PRECISE_POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [
            [20.123456789012, 40.123456789012],
            [20.987654321098, 40.111111111111],
            [20.555555555555, 40.999999999999],
            [20.123456789012, 40.123456789012],
        ]
    ],
}
MULTI_POLYGON = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[10.0, 10.0], [11.0, 10.0], [11.0, 11.0], [10.0, 11.0], [10.0, 10.0]]],
        [
            [[12.0, 12.0], [14.0, 12.0], [14.0, 14.0], [12.0, 14.0], [12.0, 12.0]],
            [[12.5, 12.5], [12.5, 13.5], [13.5, 13.5], [13.5, 12.5], [12.5, 12.5]],
        ],
    ],
}


def _open(path: Path) -> Store:
    return open_store(path, operator="tester")


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path / "source.sqlite")
    yield s
    s.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path / "target.sqlite")
    yield s
    s.close()


def _fill(store: Store) -> None:
    [parent] = add_units(
        store,
        [
            UnitData(
                name="1 (FR) Bde HQ",
                sidc=FRIEND_INF_COY,
                lat=45.123456789012,
                lon=5.987654321098,
                callsign="ALPHA 0",
                nation="FRA",
                classification="UNCLASSIFIED",
                releasable_to="PUBLIC",
            )
        ],
    )
    add_units(
        store,
        [
            UnitData(
                name="Équipe médicale « Nord »",
                sidc=NEUTRAL_MED_PLT,
                lat=-33.000000000001,
                lon=-70.444444444444,
                callsign="MED 7",
                nation="ITA",
                readiness="amber",
                strength=63,
                course=271.5,
                speed=12.25,
                last_report=T0,
                stale_after=T0 + timedelta(hours=2, microseconds=1),
                remarks='line 1\nline 2 "quoted" <b>&</b>',
                classification="NATO RESTRICTED",
                releasable_to=["NATO", "UN"],
                parent_id=parent,
            ),
            UnitData(
                name="Hostile armour",
                sidc=HOSTILE_ARMOUR_BN,
                lat=0.0,
                lon=179.999999999999,
                readiness="red",
                strength=0,
                course=0.0,
                speed=0.0,
                classification="NATO SECRET",
                releasable_to="NATO",
            ),
        ],
    )
    add_zones(
        store,
        [
            ZoneData(
                name="Flood plain",
                kind="flood",
                geometry=PRECISE_POLYGON,
                severity=5,
                valid_from=T0,
                valid_to=T0 + timedelta(days=3),
                description="Rising water; bridges at risk",
                classification="UNCLASSIFIED",
                releasable_to=["UN", "ICRC"],
            ),
            ZoneData(
                name="No-go islands",
                kind="no-go",
                geometry=MULTI_POLYGON,
                severity=1,
                description="",
                classification="NATO CONFIDENTIAL",
                releasable_to=["NATO", "UKR"],
            ),
        ],
    )


UNIT_FIELDS = (
    "id",
    "name",
    "sidc",
    "callsign",
    "nation",
    "affiliation",
    "echelon",
    "readiness",
    "strength",
    "lat",
    "lon",
    "course",
    "speed",
    "last_report",
    "stale_after",
    "remarks",
    "classification",
    "releasable_to",
    "parent_id",
)
ZONE_FIELDS = (
    "id",
    "name",
    "kind",
    "severity",
    "geometry",
    "valid_from",
    "valid_to",
    "description",
    "classification",
    "releasable_to",
)


def _units(store: Store) -> dict[str, dict[str, Any]]:
    return {u.id: {f: getattr(u, f) for f in UNIT_FIELDS} for u in list_units(store)}


def _zones(store: Store) -> dict[str, dict[str, Any]]:
    return {z.id: {f: getattr(z, f) for f in ZONE_FIELDS} for z in list_zones(store)}


def _export(store: Store, path: Path, partner: str | None = None) -> dict[str, Any]:
    export_file(store, path, "geojson", partner=partner)
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- round trip


def test_export_import_round_trips_every_field(
    source: Store, target: Store, tmp_path: Path
) -> None:
    _fill(source)
    out = tmp_path / "picture.geojson"
    result = export_file(source, out, "geojson")
    assert result.features == 5
    imported = import_file(target, out)
    assert (imported.units, imported.zones) == (3, 2)

    src_units, dst_units = _units(source), _units(target)
    assert len(src_units) == 3
    assert dst_units == src_units
    src_zones, dst_zones = _zones(source), _zones(target)
    assert len(src_zones) == 2
    assert dst_zones == src_zones

    # spot checks against what was put in, not only store-to-store equality
    medic = next(u for u in dst_units.values() if u["sidc"] == NEUTRAL_MED_PLT)
    assert medic["name"] == "Équipe médicale « Nord »"
    assert (medic["lat"], medic["lon"]) == (-33.000000000001, -70.444444444444)
    assert (medic["course"], medic["speed"], medic["strength"]) == (271.5, 12.25, 63)
    assert medic["last_report"] == T0
    assert medic["stale_after"] == T0 + timedelta(hours=2, microseconds=1)
    assert medic["remarks"] == 'line 1\nline 2 "quoted" <b>&</b>'
    assert medic["classification"] == "NATO RESTRICTED"
    assert medic["releasable_to"] == Releasability.parse(["NATO", "UN"])
    assert dst_units[medic["parent_id"]]["name"] == "1 (FR) Bde HQ"
    flood = next(z for z in dst_zones.values() if z["kind"] == "flood")
    assert flood["geometry"] == PRECISE_POLYGON
    assert flood["geometry"]["coordinates"][0][0] == [20.123456789012, 40.123456789012]
    assert (flood["valid_from"], flood["valid_to"]) == (T0, T0 + timedelta(days=3))
    assert flood["severity"] == 5
    islands = next(z for z in dst_zones.values() if z["kind"] == "no-go")
    assert islands["geometry"] == MULTI_POLYGON


def test_exported_file_is_a_feature_collection_with_the_documented_properties(
    source: Store, tmp_path: Path
) -> None:
    _fill(source)
    data = _export(source, tmp_path / "out.geojson")
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) == 5
    ids = {u.id for u in list_units(source)} | {z.id for z in list_zones(source)}
    assert {f["id"] for f in features} == ids
    for feature in features:
        assert feature["type"] == "Feature"
        props = feature["properties"]
        for key in ("name", "kind", "callsign", "nation", "classification", "releasable_to"):
            assert key in props, (key, props)
        assert isinstance(props["releasable_to"], list)
        assert all(
            isinstance(code, str) and code == code.upper() for code in props["releasable_to"]
        )
        assert props["releasable_to"], "every record is releasable to someone here"
        if props["kind"] == "unit":
            assert feature["geometry"]["type"] == "Point"
            assert len(props["sidc"]) == 20
        else:
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    units = [f for f in features if f["properties"]["kind"] == "unit"]
    assert len(units) == 3
    medic = next(f for f in units if f["properties"]["sidc"] == NEUTRAL_MED_PLT)
    assert medic["geometry"]["coordinates"] == [-70.444444444444, -33.000000000001]  # lon, lat
    assert medic["properties"]["callsign"] == "MED 7"
    assert medic["properties"]["nation"] == "ITA"
    assert sorted(medic["properties"]["releasable_to"]) == ["NATO", "UN"]
    assert medic["properties"]["classification"] == "NATO RESTRICTED"
    kinds = sorted(f["properties"]["kind"] for f in features if f not in units)
    assert kinds == ["flood", "no-go"]


def test_export_of_an_empty_store_is_an_empty_collection(source: Store, tmp_path: Path) -> None:
    data = _export(source, tmp_path / "empty.geojson")
    assert data == {"type": "FeatureCollection", "features": []}


def test_reimporting_the_same_file_updates_by_id(
    source: Store, target: Store, tmp_path: Path
) -> None:
    _fill(source)
    out = tmp_path / "picture.geojson"
    data = _export(source, out)
    import_file(target, out)
    first = counts(target)
    assert (first["units"], first["zones"]) == (3, 2)

    import_file(target, out)  # identical: nothing new, nothing changed
    assert counts(target) == first

    for feature in data["features"]:
        if feature["properties"]["kind"] == "unit":
            feature["properties"]["name"] += " (moved)"
            feature["geometry"]["coordinates"] = [1.5, 2.5]
    out.write_text(json.dumps(data), encoding="utf-8")
    import_file(target, out)
    after = counts(target)
    assert (after["units"], after["zones"]) == (3, 2)
    assert after["changes"] == first["changes"] + 3
    rows = list_units(target)
    assert all(r.name.endswith(" (moved)") for r in rows)
    assert {(r.lat, r.lon) for r in rows} == {(2.5, 1.5)}
    assert {r.id for r in rows} == {r.id for r in list_units(source)}


def test_export_for_a_partner_holds_only_what_it_may_see(source: Store, tmp_path: Path) -> None:
    _fill(source)
    data = _export(source, tmp_path / "ukr.geojson", partner="UKR")
    names = {f["properties"]["name"] for f in data["features"]}
    # PUBLIC unit and the NATO+UKR zone only
    assert names == {"1 (FR) Bde HQ", "No-go islands"}
    for feature in data["features"]:
        assert Releasability.parse(feature["properties"]["releasable_to"]).allows("UKR")

    wfp = _export(source, tmp_path / "wfp.geojson", partner="WFP")
    assert {f["properties"]["name"] for f in wfp["features"]} == {
        "1 (FR) Bde HQ",
        "Équipe médicale « Nord »",
        "Flood plain",
    }


def test_import_of_a_minimal_feature_collection(target: Store, tmp_path: Path) -> None:
    path = tmp_path / "minimal.json"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [5.5, 45.25]},
                        "properties": {"name": "Recce", "sidc": FRIEND_INF_COY},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    import_file(target, path)
    [row] = list_units(target)
    assert (row.name, row.lat, row.lon) == ("Recce", 45.25, 5.5)
    assert row.releasable_to.is_public
    assert row.classification == "UNCLASSIFIED"
    assert row.affiliation == "friend"


# --------------------------------------------------------------------------- bad input


def _point(name: str, lon: float, lat: float, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"name": name, "sidc": FRIEND_INF_COY, **props},
    }


def _polygon(name: str, ring: list[list[float]], kind: str = "flood") -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": name, "kind": kind, "severity": 3},
    }


GOOD_RING = [[20.0, 40.0], [21.0, 40.0], [21.0, 41.0], [20.0, 40.0]]


def _collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _good_then(bad: dict[str, Any]) -> bytes:
    return _collection(_point("Good one", 20.5, 40.5), bad, _polygon("Good zone", GOOD_RING))


BAD_FILES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "longitude 200": (_good_then(_point("Far east", 200, 40.0)), ("feature 2", "longitude 200")),
    "latitude 95": (_good_then(_point("Far north", 20.0, 95)), ("feature 2", "latitude 95")),
    "zone vertex out of range": (
        _good_then(
            _polygon("Off the map", [[20.0, 40.0], [200.0, 40.0], [21.0, 41.0], [20.0, 40.0]])
        ),
        ("feature 2", "longitude 200"),
    ),
    "bow-tie polygon": (
        _good_then(
            _polygon("Bow tie", [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        ),
        ("feature 2", "Bow tie", "self-intersection"),
    ),
    "unknown zone kind": (
        _good_then(_polygon("Lava", GOOD_RING, kind="volcano")),
        ("feature 2", "volcano"),
    ),
    "point without sidc": (
        _good_then(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [20.0, 40.0]},
                "properties": {"name": "No symbol"},
            }
        ),
        ("feature 2", "sidc"),
    ),
    "bad sidc": (_good_then(_point("Odd", 20.0, 40.0, sidc="1234")), ("feature 2", "1234")),
    "unsupported geometry": (
        _good_then(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[20.0, 40.0], [21.0, 41.0]]},
                "properties": {"name": "Route"},
            }
        ),
        ("feature 2", "LineString"),
    ),
    "feature without geometry": (
        _good_then({"type": "Feature", "geometry": None, "properties": {"name": "Ghost"}}),
        ("feature 2", "geometry"),
    ),
    "bad time": (
        _good_then(_point("Late", 20.0, 40.0, last_report="yesterday-ish")),
        ("feature 2", "last_report"),
    ),
    "invalid utf-8": (
        b'{"type": "FeatureCollection", "features": [], "name": "caf\xe9 \xff"}',
        ("UTF-8",),
    ),
    "json array": (json.dumps([_point("In a list", 20.0, 40.0)]).encode(), ("FeatureCollection",)),
    "not json": (b"this is not json at all", ("not valid JSON",)),
}


@pytest.fixture
def populated(target: Store) -> Store:
    add_units(target, [UnitData(name="Already here", sidc=FRIEND_INF_COY, lat=1.0, lon=1.0)])
    add_zones(
        target,
        [
            ZoneData(
                name="Existing",
                kind="conflict",
                geometry={"type": "Polygon", "coordinates": [GOOD_RING]},
            )
        ],
    )
    return target


def _state(store: Store) -> tuple[dict[str, int], list[UnitRow], list[ZoneRow]]:
    return counts(store), list_units(store), list_zones(store)


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_whole_with_a_clear_message(
    case: str, populated: Store, tmp_path: Path
) -> None:
    content, expected = BAD_FILES[case]
    path = tmp_path / "bad.geojson"
    path.write_bytes(content)
    before = _state(populated)
    with pytest.raises(InteropError) as info:
        import_file(populated, path)
    message = str(info.value)
    for fragment in expected:
        assert fragment.lower() in message.lower(), (case, message)
    assert "\n" not in message
    assert _state(populated) == before


def test_truncated_export_is_refused(source: Store, target: Store, tmp_path: Path) -> None:
    _fill(source)
    out = tmp_path / "picture.geojson"
    export_file(source, out, "geojson")
    raw = out.read_bytes()
    cut = tmp_path / "cut.geojson"
    cut.write_bytes(raw[: len(raw) // 2])
    add_units(target, [UnitData(name="Already here", sidc=FRIEND_INF_COY, lat=1.0, lon=1.0)])
    before = _state(target)
    with pytest.raises(InteropError) as info:
        import_file(target, cut)
    assert "cut.geojson" in str(info.value)
    assert "JSON" in str(info.value)
    assert _state(target) == before


def test_missing_file_is_an_interop_error(target: Store, tmp_path: Path) -> None:
    with pytest.raises(InteropError, match="nothing-here.geojson"):
        import_file(target, tmp_path / "nothing-here.geojson")
    assert counts(target)["changes"] == 0


def test_unknown_extension_asks_for_a_format(target: Store, tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(_collection(_point("x", 1.0, 1.0)))
    with pytest.raises(InteropError, match="format"):
        import_file(target, path)
    assert counts(target)["units"] == 0
    import_file(target, path, "geojson")
    assert counts(target)["units"] == 1
