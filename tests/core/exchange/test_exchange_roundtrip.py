"""Export -> import gives the same records, for CoT, KML, KMZ and TAK data
packages; our exports are read by independent parsers (takproto, fastkml)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.core.demo.picture import load_demo
from app.core.exchange.files import export_file, import_file
from app.core.exchange.queries import cot_uids, list_messages, list_routes, unit_cot_types
from app.core.picture.queries import list_units, list_zones
from app.core.store.engine import Store, open_store
from tests.core.formats.test_cot import CHAT, atom

SHAPES = (
    atom(
        "ANDROID-77",
        "a-h-G-U-C-I",
        lat=-11.123456789012345,
        lon=40.987654321098765,
        callsign="HOSTILE 1",
    )
    + atom(
        "circle-9",
        "u-d-c-c",
        lat=-12.0,
        lon=40.0,
        detail='<shape><ellipse major="2500.5" minor="1200.25" angle="30"/></shape><__geofence/>',
    )
    + atom(
        "rect-9",
        "u-d-r",
        detail="".join(
            f'<link point="{a},{b}"/>'
            for a, b in [(-12, 40), (-12, 40.5), (-12.5, 40.5), (-12.5, 40)]
        ),
    )
    + atom(
        "route-9",
        "b-m-r",
        callsign="MSR TAMPA",
        detail=(
            '<link uid="wp-1" callsign="SP" type="b-m-p-w" point="-12.0,40.0" relation="c"/>'
            '<link uid="cp-1" callsign="CP 1" type="b-m-p-c" point="-12.05,40.1" relation="c"/>'
        ),
    )
    + CHAT.replace('<?xml version="1.0" encoding="UTF-8"?>', "")
)


@pytest.fixture
def picture(store: Store, tmp_path: Path) -> Store:
    load_demo(store)
    source = tmp_path / "shapes.cot"
    source.write_text(SHAPES, encoding="utf-8")
    import_file(store, source)
    return store


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "other.sqlite", operator="receiver", site_name="OTHER HQ")
    yield s
    s.close()


def _state(store: Store, messages: bool = True) -> dict[str, object]:
    units = list_units(store)
    zones = list_zones(store)
    return {
        "units": sorted(units, key=lambda u: u.id),
        "zones": sorted(zones, key=lambda z: z.id),
        "routes": sorted(list_routes(store), key=lambda r: r.id),
        "messages": list_messages(store) if messages else [],
        # the uid each record has on a TAK network, where it is not its id
        "uids": {
            k: v
            for k, v in cot_uids(store, [u.id for u in units] + [z.id for z in zones]).items()
            if k != v
        },
        "cot_types": unit_cot_types(store, [u.id for u in units]),
    }


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("cot", ".cot"), ("kml", ".kml"), ("kmz", ".kmz"), ("tak", ".zip")]
)
def test_export_then_import_gives_identical_records(
    picture: Store, other: Store, tmp_path: Path, fmt: str, suffix: str
) -> None:
    out = tmp_path / f"picture{suffix}"
    export_file(picture, out, fmt)
    import_file(other, out)
    carries_chat = fmt in ("cot", "tak")
    before, after = _state(picture, carries_chat), _state(other, carries_chat)
    assert len(before["units"]) > 60 and len(before["routes"]) == 1  # type: ignore[arg-type]
    for key in before:
        assert after[key] == before[key], key
    # and again: the same file changes nothing
    import_file(other, out)
    assert _state(other, carries_chat) == after


def test_cot_export_keeps_the_original_uids(picture: Store, tmp_path: Path) -> None:
    from app.core.formats.cot import parse_events

    out = tmp_path / "p.cot"
    export_file(picture, out, "cot")
    uids = {e.uid for e in parse_events(out.read_bytes(), out.name)}
    assert {"ANDROID-77", "circle-9", "rect-9", "route-9"} <= uids


def test_takproto_reads_every_event_we_write(picture: Store, tmp_path: Path) -> None:
    import takproto

    from app.core.exchange.cot_records import picture_events
    from app.core.formats.cot import event_bytes

    events = picture_events(picture)
    assert len(events) > 70
    for event in events:
        data = takproto.xml2proto(event_bytes(event).decode())
        decoded = takproto.parse_proto(data)
        cot = decoded.cotEvent
        assert cot.uid == event.uid and cot.type == event.type
        assert (cot.lat, cot.lon) == (event.lat, event.lon)  # full precision survives
        if event.callsign:
            assert cot.detail.contact.callsign == event.callsign


def test_fastkml_reads_our_kml(picture: Store, tmp_path: Path) -> None:
    from fastkml import KML

    out = tmp_path / "p.kml"
    export_file(picture, out, "kml")
    document = KML.from_string(out.read_bytes())
    [doc] = document.features
    folders = {f.name: f for f in doc.features}
    assert set(folders) == {"Units", "Zones", "Routes"}
    units = list(folders["Units"].features)
    assert len(units) == len(list_units(picture))
    hostile = next(p for p in units if p.name == "HOSTILE 1")
    assert (hostile.geometry.x, hostile.geometry.y) == (40.987654321098765, -11.123456789012345)
    data = {d.name: d.value for d in hostile.extended_data.elements}
    assert data["sidc"] == next(u.sidc for u in list_units(picture) if u.name == "HOSTILE 1")
    zones = list(folders["Zones"].features)
    assert len(zones) == len(list_zones(picture))
    assert all(z.geometry.geom_type in ("Polygon", "MultiPolygon") for z in zones)
    [route] = folders["Routes"].features
    assert route.geometry.geom_type == "LineString" and route.name == "MSR TAMPA"
    assert len(doc.styles) >= 4


def test_a_data_package_has_a_manifest_listing_every_entry(picture: Store, tmp_path: Path) -> None:
    from lxml import etree

    out = tmp_path / "package.zip"
    result = export_file(picture, out, "tak")
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("MANIFEST/manifest.xml"))
    entries = [c.get("zipEntry") for c in manifest.iter("Content")]
    assert len(entries) == result.features and set(entries) <= names
    assert manifest.get("version") == "2"


def test_export_to_a_partner_holds_only_what_it_may_see(picture: Store, tmp_path: Path) -> None:
    from app.core.formats.cot import parse_events

    out = tmp_path / "ukr.cot"
    export_file(picture, out, "cot", partner="UN")
    events = parse_events(out.read_bytes(), out.name)
    allowed = {u.name for u in list_units(picture, partner="UN")}
    assert (
        0
        < len([e for e in events if e.type.startswith("a-")])
        == len(allowed)
        < len(list_units(picture))
    )


def test_the_cli_imports_and_exports_every_format(picture: Store, tmp_path: Path, capsys) -> None:
    db = tmp_path / "cli.sqlite"
    for fmt, name in (("cot", "a.cot"), ("kml", "a.kml"), ("kmz", "a.kmz"), ("tak", "a.zip")):
        out = tmp_path / name
        export_file(picture, out, fmt)
        assert main(["--db", str(db), "import", str(out)]) == 0
    assert "Imported" in capsys.readouterr().out
    assert (
        main(["--db", str(db), "export", "--format", "cot", "--out", str(tmp_path / "b.cot")]) == 0
    )
    assert "Wrote" in capsys.readouterr().out
    assert (tmp_path / "b.cot").read_bytes().count(b"<event ") > 70


def test_geojson_carries_routes_too(picture: Store, other: Store, tmp_path: Path) -> None:
    import json

    out = tmp_path / "p.geojson"
    export_file(picture, out, "geojson")
    [feature] = [
        f for f in json.loads(out.read_text())["features"] if f["properties"]["kind"] == "route"
    ]
    assert feature["geometry"]["type"] == "LineString"
    assert [w["name"] for w in feature["properties"]["waypoints"]] == ["SP", "CP 1"]
    result = import_file(other, out)
    assert result.routes == 1 and "1 routes" in str(result)
    assert list_routes(other) == list_routes(picture)
    assert sorted(list_zones(other), key=lambda z: z.id) == sorted(
        list_zones(picture), key=lambda z: z.id
    )


def test_a_tracks_team_and_point_accuracy_come_back_out_of_our_cot(
    picture: Store, other: Store, tmp_path: Path
) -> None:
    """What a unit has no field for (``__group`` team and role, ``hae``/``ce``/``le``) is
    kept from the last event heard, written back on export and read by takproto too."""
    import takproto

    from app.core.exchange.cot_records import picture_events, record_id
    from app.core.exchange.queries import cot_details
    from app.core.formats.cot import UNKNOWN, event_bytes

    rid = record_id("ANDROID-77")
    assert cot_details(picture, [rid])[rid] == {
        "group_name": "Cyan",
        "group_role": "Team Lead",
        "hae": None,
        "ce": 35.0,
        "le": None,
    }
    out = tmp_path / "p.cot"
    export_file(picture, out, "cot")
    import_file(other, out)
    assert cot_details(other, [rid]) == cot_details(picture, [rid])
    event = next(e for e in picture_events(picture) if e.uid == "ANDROID-77")
    assert (event.group_name, event.group_role, event.hae, event.ce, event.le) == (
        "Cyan",
        "Team Lead",
        UNKNOWN,
        35.0,
        UNKNOWN,
    )
    cot = takproto.parse_proto(takproto.xml2proto(event_bytes(event).decode())).cotEvent
    assert (cot.detail.group.name, cot.detail.group.role, cot.ce) == ("Cyan", "Team Lead", 35.0)
