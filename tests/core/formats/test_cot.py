"""Cursor on Target: samples written from the CoT 2.0 schema for every case the
issue names, the type <-> SIDC mapping, and what lands in the store."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.common.sidc import parse_sidc
from app.core.exchange.cot_records import to_exchange
from app.core.exchange.files import import_file
from app.core.exchange.ingest import apply
from app.core.exchange.queries import list_messages, list_routes
from app.core.exchange.records import record_id
from app.core.formats.cot import parse_event, parse_events
from app.core.formats.cot_types import PAIRS, cot_type_for_sidc, sidc_for_cot_type
from app.core.formats.errors import InteropError
from app.core.picture.queries import list_units, list_zones
from app.core.store.models import SyncChange, UnitPosition

NOW = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)


def _t(minutes: float = 0) -> str:
    return (NOW + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def atom(
    uid: str = "ANDROID-a1b2",
    type_: str = "a-f-G-U-C",
    lat: float = -12.3456789012,
    lon: float = 40.1234567891,
    minutes: float = 0,
    stale: float = 10,
    callsign: str = "VIPER 6",
    start: float | None = None,
    detail: str = "",
) -> str:
    start_text = _t(minutes if start is None else start)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<event version="2.0" uid="{uid}" type="{type_}" how="m-g" time="{_t(minutes)}" '
        f'start="{start_text}" stale="{_t(minutes + stale)}">'
        f'<point lat="{lat!r}" lon="{lon!r}" hae="9999999.0" ce="35.0" le="9999999.0"/>'
        f'<detail><contact callsign="{callsign}" endpoint="*:-1:stcp"/>'
        f'<__group name="Cyan" role="Team Lead"/><track course="87.5" speed="4.25"/>'
        f'<status battery="88"/><remarks>moving to checkpoint &lt;B&gt;</remarks>{detail}</detail></event>\n'
    )


def write(tmp_path: Path, text: str, name: str = "sample.cot") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- type <-> SIDC
def test_a_friendly_combat_unit_and_an_unknown_ground_track_map_to_their_sidcs() -> None:
    combat = parse_sidc(sidc_for_cot_type("a-f-G-U-C"))
    assert (combat.affiliation, combat.symbol_set, combat.entity) == ("friend", "10", "120000")
    track = parse_sidc(sidc_for_cot_type("a-u-G"))
    assert (track.affiliation, track.symbol_set, track.entity) == ("unknown", "10", "000000")
    infantry = parse_sidc(sidc_for_cot_type("a-h-G-U-C-I"))
    assert (infantry.affiliation, infantry.entity) == ("hostile", "121100")
    air = parse_sidc(sidc_for_cot_type("a-n-A-M-F"))
    assert (air.affiliation, air.symbol_set, air.entity) == ("neutral", "01", "110100")
    exercise = parse_sidc(sidc_for_cot_type("a-j-G-U-C"))
    assert exercise.is_exercise and exercise.affiliation == "hostile"


def test_an_unknown_function_maps_through_its_longest_known_prefix() -> None:
    assert parse_sidc(sidc_for_cot_type("a-f-G-U-C-I-Q-Z")).entity == "121100"


@pytest.mark.parametrize("letter", ["p", "u", "a", "f", "n", "s", "h"])
def test_every_tabled_type_maps_to_a_sidc_and_back(letter: str) -> None:
    seen = set()
    for cot, symbol_set, entity in PAIRS:
        if (symbol_set, entity) in seen:
            continue
        seen.add((symbol_set, entity))
        cot_type = f"a-{letter}-{cot}"
        sidc = sidc_for_cot_type(cot_type)
        assert sidc[4:6] == symbol_set and sidc[10:16] == entity
        assert sidc_for_cot_type(cot_type_for_sidc(sidc)) == sidc, cot_type


def test_a_sidc_with_an_entity_not_tabled_maps_to_its_family() -> None:
    assert (
        cot_type_for_sidc("10031000141211020000") == "a-f-G-U-C-I-M"
    )  # mechanized infantry platoon
    assert (
        cot_type_for_sidc("10061000001103000000") == "a-h-G-U-H"
    )  # CIMIC -> command and control family
    assert cot_type_for_sidc("10041500000000000000") == "a-n-G-E"


# ----------------------------------------------------------------------------- parsing
def test_an_atom_is_read_with_every_field() -> None:
    event = parse_event(atom().encode())
    assert (event.uid, event.type, event.how, event.callsign) == (
        "ANDROID-a1b2",
        "a-f-G-U-C",
        "m-g",
        "VIPER 6",
    )
    assert (event.lat, event.lon) == (-12.3456789012, 40.1234567891)  # full precision
    assert (event.hae, event.ce) == (9999999.0, 35.0)
    assert (event.course, event.speed) == (87.5, 4.25)
    assert (event.group_name, event.group_role) == ("Cyan", "Team Lead")
    assert event.remarks == "moving to checkpoint <B>"
    assert event.time == NOW and event.stale == NOW + timedelta(minutes=10)


def test_a_file_of_concatenated_events_each_with_its_declaration_is_read_whole() -> None:
    text = atom("A-1") + atom("A-2", minutes=1) + "\n\n" + atom("A-3", minutes=2)
    assert [e.uid for e in parse_events(text.encode(), "f.cot")] == ["A-1", "A-2", "A-3"]


def test_atoms_become_units_with_their_symbol_and_cot_type(store, tmp_path: Path) -> None:
    result = import_file(store, write(tmp_path, atom(type_="a-h-G-U-C-A", callsign="RED ARMOUR")))
    assert result.units == 1
    [unit] = list_units(store)
    assert unit.id == record_id("ANDROID-a1b2")
    assert (unit.name, unit.callsign, unit.affiliation) == ("RED ARMOUR", "RED ARMOUR", "hostile")
    assert parse_sidc(unit.sidc).entity == "120500"
    assert (unit.lat, unit.lon) == (-12.3456789012, 40.1234567891)
    assert (unit.course, unit.speed, unit.last_report) == (87.5, 4.25, NOW)
    assert unit.remarks == "moving to checkpoint <B>"


def test_repeated_events_with_one_uid_update_one_unit_and_keep_its_track(
    store, tmp_path: Path
) -> None:
    text = atom(lat=-12.0, minutes=0) + atom(lat=-12.1, minutes=1) + atom(lat=-12.2, minutes=2)
    import_file(store, write(tmp_path, text))
    import_file(store, write(tmp_path, atom(lat=-12.3, minutes=3), "later.cot"))
    [unit] = list_units(store)
    assert unit.lat == -12.3 and unit.last_report == NOW + timedelta(minutes=3)
    with store.session() as session:
        track = (
            session.execute(
                select(UnitPosition.lat)
                .where(UnitPosition.unit_id == unit.id)
                .order_by(UnitPosition.at)
            )
            .scalars()
            .all()
        )
    assert track == [-12.0, -12.1, -12.2, -12.3]


def _track(store) -> list[float]:
    with store.session() as session:
        return list(session.execute(select(UnitPosition.lat).order_by(UnitPosition.at)).scalars())


def test_an_older_report_does_not_move_a_unit_back_but_joins_its_history(
    store, tmp_path: Path
) -> None:
    import_file(store, write(tmp_path, atom(lat=-12.5, minutes=5)))
    import_file(
        store, write(tmp_path, atom(lat=-12.0, minutes=0) + atom(lat=-12.2, minutes=2), "old.cot")
    )
    assert list_units(store)[0].lat == -12.5
    assert _track(store) == [-12.0, -12.2, -12.5]


def test_importing_the_same_track_twice_adds_no_history(store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        atom(lat=-12.0, minutes=0) + atom(lat=-12.1, minutes=1) + atom(lat=-12.2, minutes=2),
    )
    import_file(store, path)
    import_file(store, path)
    assert _track(store) == [-12.0, -12.1, -12.2]


def test_an_event_from_another_system_keeps_what_we_know_of_the_unit(store, tmp_path: Path) -> None:
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData

    add_units(
        store,
        [
            UnitData(
                id=record_id("ANDROID-a1b2"),
                name="2e Cie",
                sidc="10031000151211000000",
                lat=-12.0,
                lon=40.0,
                nation="FRA",
                readiness="amber",
                classification="NATO RESTRICTED",
                releasable_to="NATO",
            )
        ],
    )
    import_file(store, write(tmp_path, atom(lat=-12.25, minutes=1)))
    [unit] = list_units(store)
    assert (unit.name, unit.nation, unit.readiness, unit.classification) == (
        "2e Cie",
        "FRA",
        "amber",
        "NATO RESTRICTED",
    )
    assert unit.lat == -12.25 and unit.callsign == "VIPER 6"


def test_stale_events_in_a_file_are_still_stored(store, tmp_path: Path) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    text = atom(minutes=(old - NOW).total_seconds() / 60, stale=5)
    import_file(store, write(tmp_path, text))
    [unit] = list_units(store)
    assert unit.is_stale(datetime.now(UTC))


def test_a_free_form_shape_becomes_a_polygon_zone(store, tmp_path: Path) -> None:
    links = "".join(
        f'<link point="{lat!r},{lon!r}"/>'
        for lat, lon in [(-12.1, 40.1), (-12.1, 40.3), (-12.3, 40.3123456789), (-12.3, 40.1)]
    )
    text = atom(
        "u-d-f.1", "u-d-f", callsign="AO FALCON", detail=links + "<strokeColor value='-65536'/>"
    )
    result = import_file(store, write(tmp_path, text))
    assert result.zones == 1
    [zone] = list_zones(store)
    assert zone.name == "AO FALCON" and zone.kind == "restricted operating zone"
    ring = zone.geometry["coordinates"][0]
    assert (
        ring[0] == ring[-1] == [40.1, -12.1] and [40.3123456789, -12.3] in ring and len(ring) == 5
    )


def test_a_rectangle_becomes_a_zone_that_remembers_it_is_one(store, tmp_path: Path) -> None:
    links = "".join(
        f'<link point="{lat},{lon}"/>'
        for lat, lon in [(-12, 40), (-12, 40.5), (-12.5, 40.5), (-12.5, 40)]
    )
    import_file(store, write(tmp_path, atom("rect-1", "u-d-r", detail=links)))
    [zone] = list_zones(store)
    assert (
        zone.geometry["shape"] == {"kind": "rectangle"}
        and len(zone.geometry["coordinates"][0]) == 5
    )


@pytest.mark.parametrize(
    ("major", "minor", "angle"), [(1500.0, 1500.0, 0.0), (3000.0, 1000.0, 45.0)]
)
def test_circles_and_ellipses_become_polygons_that_follow_them(
    store, tmp_path: Path, major, minor, angle
) -> None:
    from shapely.geometry import shape

    detail = f'<shape><ellipse major="{major}" minor="{minor}" angle="{angle}"/></shape><__geofence trigger="Entry"/>'
    import_file(
        store, write(tmp_path, atom("circle-1", "u-d-c-c", lat=-12.0, lon=40.0, detail=detail))
    )
    [zone] = list_zones(store)
    assert zone.kind == "no-go"  # a geofence
    assert zone.geometry["shape"] == {
        "kind": "ellipse",
        "centre": [40.0, -12.0],
        "major": major,
        "minor": minor,
        "angle": angle,
        "geofence": True,
    }
    # the polygon's area is the ellipse's (pi a b), in degrees squared near the centre
    metres_per_deg_lat = 111_195.0
    metres_per_deg_lon = metres_per_deg_lat * math.cos(math.radians(12.0))
    area_m2 = shape(zone.geometry).area * metres_per_deg_lat * metres_per_deg_lon
    assert area_m2 == pytest.approx(math.pi * major * minor, rel=0.01)


def test_a_stale_shape_still_becomes_a_zone(store, tmp_path: Path) -> None:
    detail = '<shape><ellipse major="500" minor="500" angle="0"/></shape>'
    import_file(
        store,
        write(
            tmp_path, atom("old-circle", "u-d-c-c", minutes=-60 * 24 * 400, stale=1, detail=detail)
        ),
    )
    assert len(list_zones(store)) == 1


def test_a_route_with_waypoints_and_checkpoints_becomes_a_route(store, tmp_path: Path) -> None:
    detail = (
        '<link uid="wp-1" callsign="SP" type="b-m-p-w" point="-12.0,40.0" relation="c"/>'
        '<link uid="cp-1" callsign="CP 1" type="b-m-p-c" point="-12.05,40.1" relation="c"/>'
        '<link uid="wp-2" callsign="RP" type="b-m-p-w" point="-12.1,40.2000000001" relation="c"/>'
        '<link_attr method="Driving" direction="Infil"/>'
    )
    result = import_file(
        store, write(tmp_path, atom("route-1", "b-m-r", callsign="MSR TAMPA", detail=detail))
    )
    assert result.routes == 1
    [route] = list_routes(store)
    assert route.name == "MSR TAMPA" and route.cot_uid == "route-1"
    assert route.geometry["coordinates"] == [[40.0, -12.0], [40.1, -12.05], [40.2000000001, -12.1]]
    assert [(w["name"], w["kind"]) for w in route.waypoints] == [
        ("SP", "waypoint"),
        ("CP 1", "checkpoint"),
        ("RP", "waypoint"),
    ]


CHAT = """<?xml version="1.0" encoding="UTF-8"?>
<event version="2.0" uid="GeoChat.ANDROID-a1b2.All Chat Rooms.3f2a" type="b-t-f" how="h-g-i-g-o"
 time="2026-11-28T15:30:00.000Z" start="2026-11-28T15:30:00.000Z" stale="2026-11-29T15:30:00.000Z">
 <point lat="0.0" lon="0.0" hae="9999999.0" ce="9999999.0" le="9999999.0"/>
 <detail>
  <__chat parent="RootContactGroup" groupOwner="false" chatroom="All Chat Rooms" id="All Chat Rooms"
   senderCallsign="VIPER 6"><chatgrp uid0="ANDROID-a1b2" uid1="All Chat Rooms" id="All Chat Rooms"/></__chat>
  <link uid="ANDROID-a1b2" type="a-f-G-U-C" relation="p-p"/>
  <remarks source="BAO.F.ATAK.ANDROID-a1b2" to="All Chat Rooms" time="2026-11-28T15:30:00.000Z">Bridge at &lt;b&gt;Macomia&lt;/b&gt; is out</remarks>
 </detail>
</event>"""


def test_chat_goes_to_the_message_log_once(store, tmp_path: Path) -> None:
    path = write(tmp_path, CHAT)
    assert import_file(store, path).messages == 1
    import_file(store, path)
    [message] = list_messages(store)
    assert (message.sender_callsign, message.sender_uid, message.chatroom) == (
        "VIPER 6",
        "ANDROID-a1b2",
        "All Chat Rooms",
    )
    assert message.text == "Bridge at <b>Macomia</b> is out" and message.sent_at == NOW


def test_a_delete_event_removes_the_track(store, tmp_path: Path) -> None:
    import_file(store, write(tmp_path, atom()))
    delete = atom(
        "del-1", "t-x-d-d", detail='<link uid="ANDROID-a1b2" relation="none" type="none"/>'
    )
    assert import_file(store, write(tmp_path, delete, "del.cot")).removed == 1
    assert list_units(store) == []


def test_on_a_live_feed_stale_before_start_removes_the_track(store) -> None:
    apply(store, to_exchange([parse_event(atom().encode())], live=True))
    assert len(list_units(store)) == 1
    gone = parse_event(atom(minutes=1, start=1, stale=-2).encode())
    # in a file the same event is data
    assert len(to_exchange([gone]).units) == 1
    applied = apply(store, to_exchange([gone], live=True))
    assert applied.removed == 1 and list_units(store) == []


def test_other_event_types_are_counted_not_refused(store, tmp_path: Path) -> None:
    text = atom() + atom("ping-1", "t-x-c-t") + atom("spot-1", "b-m-p-s-p-i")
    result = import_file(store, write(tmp_path, text))
    assert (result.units, result.ignored) == (1, 2)
    assert "2 events of other types skipped" in str(result)


def test_every_import_writes_the_change_log(store, tmp_path: Path) -> None:
    import_file(
        store, write(tmp_path, atom() + CHAT.replace('<?xml version="1.0" encoding="UTF-8"?>', ""))
    )
    with store.session() as session:
        tables = set(session.scalars(select(SyncChange.table_name)))
    assert {"unit", "chat_message"} <= tables


def test_bad_events_are_refused_by_uid_and_line_and_nothing_is_stored(
    store, tmp_path: Path
) -> None:
    text = atom("GOOD-1") + atom("BAD-7", lat=91.0)
    with pytest.raises(
        InteropError, match=r"event 'BAD-7' \(line \d+\): latitude 91 is out of range"
    ):
        import_file(store, write(tmp_path, text))
    assert list_units(store) == []
    no_time = atom().replace(f'time="{_t(0)}" ', "")
    with pytest.raises(InteropError, match="'time' time is missing"):
        import_file(store, write(tmp_path, no_time, "t.cot"))
    with pytest.raises(InteropError, match="is not a CoT event"):
        import_file(store, write(tmp_path, "<kml/>", "k.xml"))


def test_a_shape_with_fewer_than_three_points_is_refused(store, tmp_path: Path) -> None:
    links = '<link point="-12,40"/><link point="-12.1,40.1"/><link point="-12,40"/>'
    with pytest.raises(InteropError, match="at least 3 distinct points, it has 2"):
        import_file(store, write(tmp_path, atom("u-1", "u-d-f", detail=links)))
    assert list_zones(store) == []


def test_the_shape_of_a_circle_is_in_the_geojson_export(store, tmp_path: Path) -> None:
    from app.core.exchange.files import export_file

    detail = '<shape><ellipse major="800" minor="800" angle="0"/></shape>'
    import_file(store, write(tmp_path, atom("c-1", "u-d-c-c", lat=-12.0, lon=40.0, detail=detail)))
    out = tmp_path / "out.geojson"
    export_file(store, out, "geojson")
    [feature] = [
        f for f in json.loads(out.read_text())["features"] if f["properties"]["kind"] != "unit"
    ]
    assert "shape" not in feature["geometry"]  # plain GeoJSON for other tools
    assert feature["properties"]["shape"]["major"] == 800.0
    assert feature["properties"]["shape"]["centre"] == [40.0, -12.0]
    other = type(store).__name__  # the shape comes back on import
    from app.core.store.engine import open_store

    again = open_store(tmp_path / "again.sqlite")
    try:
        import_file(again, out)
        assert list_zones(again)[0].geometry == list_zones(store)[0].geometry, other
    finally:
        again.close()
