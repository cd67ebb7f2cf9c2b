"""Saved views (slides), the picture as it was, and the slides built from them."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.briefing.history import tasks_as_at, units_as_at, zones_as_at
from app.core.briefing.slides import (
    SUMMARY_PROVIDERS,
    SummaryTable,
    build_deck,
    build_slide,
    register_summary,
)
from app.core.briefing.views import (
    ViewData,
    add_views,
    delete_views,
    find_view,
    list_views,
    reorder_views,
)
from app.core.picture.ops import add_units, move_units
from app.core.picture.records import UnitData, ValidationError, ZoneData
from app.core.store.models import SyncChange
from app.core.store.writing import writing

NORTH = ViewData(name="The north", south=-11.9, west=39.5, north=-10.5, east=40.6)
PEMBA = ViewData(
    name="Logistics at Pemba",
    south=-13.1,
    west=40.3,
    north=-12.8,
    east=40.7,
    layers={"affiliations": {"hostile": False}},
    note="Port open 24 h",
)


def _unit(name: str, lat: float, lon: float, **kw: object) -> UnitData:
    kw.setdefault("sidc", "10031000151211000000")
    return UnitData(name=name, callsign=name.upper(), nation="FRA", lat=lat, lon=lon, **kw)  # type: ignore[arg-type]


def test_views_are_shared_records_written_with_change_capture(store) -> None:
    seen = []
    store.events.subscribe(seen.extend)
    ids = add_views(store, [NORTH, PEMBA])
    views = list_views(store)
    assert [v.name for v in views] == ["The north", "Logistics at Pemba"]
    assert [v.position for v in views] == [1, 2]
    assert views[1].layers == {"affiliations": {"hostile": False}}
    assert views[1].note == "Port open 24 h"
    with store.session() as session:
        changes = session.execute(
            select(SyncChange.table_name, SyncChange.op, SyncChange.row_id, SyncChange.fields)
        ).all()
    assert {(t, op, rid) for t, op, rid, _f in changes} == {
        ("saved_view", "insert", i) for i in ids
    }
    assert json.loads(changes[0][3])["name"] == "The north"
    assert any(c.kind == "view" and c.added == frozenset(ids) for c in seen)


def test_views_reorder_edit_delete_and_find(store) -> None:
    north, pemba = add_views(store, [NORTH, PEMBA])
    assert reorder_views(store, [pemba, north]) == 2
    assert [v.name for v in list_views(store)] == ["Logistics at Pemba", "The north"]
    edited = find_view(store, "  the   NORTH ")
    add_views(store, [ViewData(**{**edited.__dict__, "note": "Hostile activity up"})])
    assert find_view(store, "The north").note == "Hostile activity up"
    assert delete_views(store, [pemba]) == 1
    assert [v.name for v in list_views(store)] == ["The north"]
    with pytest.raises(ValidationError, match="no saved view is called 'Logistics at Pemba'"):
        find_view(store, "Logistics at Pemba")


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (ViewData(name=" ", south=0, west=0, north=1, east=1), "needs a name"),
        (ViewData(name="x", south=1, west=0, north=0, east=1), "south edge"),
        (ViewData(name="x", south=0, west=0, north=95, east=1), "latitude 95"),
        (
            ViewData(name="x", south=0, west=0, north=1, east=1, summary=("weather",)),
            "unknown summary 'weather'",
        ),
    ],
)
def test_a_bad_view_is_refused_and_nothing_is_written(store, view: ViewData, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        add_views(store, [NORTH, view])
    assert list_views(store) == []


def test_two_views_cannot_share_a_name(store) -> None:
    add_views(store, [NORTH])
    with pytest.raises(ValidationError, match="exists already"):
        add_views(store, [ViewData(name="the north", south=0, west=0, north=1, east=1)])


def test_an_as_at_view_shows_a_unit_at_its_earlier_position(store) -> None:
    now = datetime.now(UTC)
    (uid,) = add_units(store, [_unit("Alpha", -12.0, 40.0, last_report=now - timedelta(hours=10))])
    move_units(store, [(uid, -11.5, 40.2)], at=now - timedelta(hours=4))
    move_units(store, [(uid, -11.0, 40.4)], at=now - timedelta(hours=1))
    assert [(u.lat, u.lon) for u in units_as_at(store, now - timedelta(hours=6))] == [(-12.0, 40.0)]
    assert [(u.lat, u.lon) for u in units_as_at(store, now - timedelta(hours=2))] == [(-11.5, 40.2)]
    assert [(u.lat, u.lon) for u in units_as_at(store, now)] == [(-11.0, 40.4)]
    # before its first report, and before it was recorded, it was not there
    assert units_as_at(store, now - timedelta(hours=11)) == []
    slide = build_slide(
        store,
        ViewData(
            name="then", south=-13, west=39, north=-10, east=41, as_at=now - timedelta(hours=6)
        ),
    )
    rows = slide.messages()[0]["rows"]
    assert [(r[1], r[2]) for r in rows] == [(-12.0, 40.0)]
    assert slide.when.startswith("As at ")


def _backdated(store, when: datetime):  # type: ignore[no-untyped-def]
    """A write recorded at ``when`` (the demo's history is written this way)."""
    cm = writing(store)
    batch = cm.__enter__()
    batch.now = when
    return cm, batch


def test_zones_and_tasks_as_at_follow_the_change_log(store) -> None:
    from app.core.picture.ops import save_zones
    from app.core.tasks.ops import save_tasks, set_status
    from app.core.tasks.records import TaskData

    now = datetime.now(UTC)
    square = {
        "type": "Polygon",
        "coordinates": [[[40, -12], [40.2, -12], [40.2, -11.8], [40, -11.8], [40, -12]]],
    }
    cm, batch = _backdated(store, now - timedelta(hours=20))
    (zid,) = save_zones(
        batch, [ZoneData(name="Clash", kind="conflict", severity=2, geometry=square)]
    )
    (tid,) = save_tasks(
        batch,
        [
            TaskData(
                title="Patrol Chai",
                status="draft",
                location={"type": "Point", "coordinates": [40.1, -11.9]},
            )
        ],
    )
    cm.__exit__(None, None, None)
    cm, batch = _backdated(store, now - timedelta(hours=5))
    save_zones(
        batch, [ZoneData(id=zid, name="Clash", kind="conflict", severity=5, geometry=square)]
    )
    cm.__exit__(None, None, None)
    set_status(store, tid, "cancelled")
    assert [z.severity for z in zones_as_at(store, now - timedelta(hours=10))] == [2]
    assert [z.severity for z in zones_as_at(store, now - timedelta(hours=1))] == [5]
    assert zones_as_at(store, now - timedelta(hours=21)) == []
    assert [t.status for t in tasks_as_at(store, now - timedelta(hours=1))] == ["draft"]
    assert [t.status for t in tasks_as_at(store, datetime.now(UTC) + timedelta(seconds=1))] == [
        "cancelled"
    ]


def test_a_slide_for_a_partner_holds_only_what_it_may_see_and_is_marked_so(store) -> None:
    add_units(
        store,
        [
            _unit(
                "Secret coy", -11.2, 40.0, classification="NATO CONFIDENTIAL", releasable_to="NATO"
            ),
            _unit("Aid convoy", -11.3, 40.1, releasable_to="PUBLIC"),
            _unit("Far away", 10.0, 10.0, releasable_to="PUBLIC"),
        ],
    )
    add_views(store, [NORTH])
    (full,) = build_deck(store)
    assert sorted(u.name for u in full.units) == ["Aid convoy", "Secret coy"]
    assert full.marking.banner == "NATO CONFIDENTIAL // REL TO NATO"
    (mine,) = build_deck(store, partner="WFP")
    assert [u.name for u in mine.units] == ["Aid convoy"]
    assert mine.marking.banner == "UNCLASSIFIED // PUBLIC RELEASE"
    assert [e.count for e in mine.legend if e.kind == "unit"] == [1]


def test_hidden_layers_are_left_out_and_tasks_are_summarised(store) -> None:
    from app.core.tasks.ops import add_tasks
    from app.core.tasks.records import TaskData

    add_units(store, [_unit("Hostile grp", -12.9, 40.5, sidc="10061000151211000000")])
    add_tasks(
        store,
        [
            TaskData(
                title="Unload ship",
                status="draft",
                location={"type": "Point", "coordinates": [40.5, -12.95]},
            )
        ],
    )
    add_views(store, [PEMBA])
    (slide,) = build_deck(store)
    assert slide.units == []  # hostile units are switched off on this view
    assert slide.summary[0].title == "Tasks by status"
    assert slide.summary[0].rows == (("draft", "1", ""),)


def test_the_supply_summary_is_an_optional_hook(store, monkeypatch) -> None:
    add_views(
        store,
        [ViewData(name="Stocks", south=-13, west=40, north=-12, east=41, summary=("supply",))],
    )
    (slide,) = build_deck(store)
    assert slide.summary == []  # nobody provides supply figures yet
    monkeypatch.setitem(SUMMARY_PROVIDERS, "placeholder", None)
    table = SummaryTable("Stocks", ("Item", "Days"), (("Water", "2"),), ("#c8102e",))
    register_summary("supply", lambda *_a: table)
    try:
        (slide,) = build_deck(store)
        assert slide.summary == [table]
    finally:
        SUMMARY_PROVIDERS.pop("supply")


def test_brief_writes_the_html_handout_from_the_command_line(tmp_path, capsys) -> None:
    from app.cli import main
    from app.core.store.engine import open_store

    db = tmp_path / "cop.sqlite"
    store = open_store(db, operator="tester")
    try:
        add_units(
            store,
            [
                _unit("Aid convoy", -11.3, 40.1, releasable_to="PUBLIC"),
                _unit(
                    "Secret coy",
                    -11.2,
                    40.0,
                    classification="NATO CONFIDENTIAL",
                    releasable_to="NATO",
                ),
            ],
        )
        add_views(store, [NORTH])
    finally:
        store.close()
    out = tmp_path / "deck.html"
    assert main(["--db", str(db), "brief", "--out", str(out), "--releasable-to", "wfp"]) == 0
    assert "1 slides, UNCLASSIFIED // PUBLIC RELEASE" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert "AID CONVOY" in text and "SECRET COY" not in text


def _qt_installed() -> bool:
    try:
        return importlib.util.find_spec("PySide6") is not None
    except ImportError:
        return False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brief", "--out", "deck.html"], "there are no saved views"),
        (
            ["brief", "--out", "deck.html", "--releasable-to", "NOPE1"],
            "unknown partner code 'NOPE1'",
        ),
        pytest.param(
            ["snapshot", "--view", "Nowhere", "--out", "x.png"],
            "no saved view is called 'Nowhere'",
            marks=pytest.mark.skipif(not _qt_installed(), reason="snapshot starts Qt: no PySide6"),
        ),
    ],
)
def test_brief_and_snapshot_errors_are_one_line_and_write_nothing(
    tmp_path, capsys, monkeypatch, args, message
) -> None:
    from app.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(tmp_path / "cop.sqlite"), *args]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("coalition-cop: error:") and message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "deck.html").exists() and not (tmp_path / "x.png").exists()


def test_brief_refuses_an_unknown_handout_format(tmp_path, capsys) -> None:
    from app.cli import main

    assert (
        main(["--db", str(tmp_path / "cop.sqlite"), "brief", "--out", str(tmp_path / "deck.docx")])
        == 2
    )
    assert "--out must end in .pdf or .html" in capsys.readouterr().err


def test_the_demo_tells_the_story_in_slides_with_history(tmp_path) -> None:
    from app.core.demo.picture import load_demo
    from app.core.picture.queries import list_zones
    from app.core.store.engine import open_store

    store = open_store(tmp_path / "demo.sqlite", operator="tester")
    try:
        now = datetime.now(UTC)
        load_demo(store, now=now)
        views = list_views(store)
        assert len(views) >= 5
        assert views[0].name.startswith("Situation overview")
        then = next(v for v in views if v.as_at is not None)
        live = next(v for v in views if v.name == "The north: hostile activity")
        (old,) = build_deck(store, views=[then], now=now)
        (new,) = build_deck(store, views=[live], now=now)
        before = {u.callsign: (u.lat, u.lon) for u in old.units}
        after = {u.callsign: (u.lat, u.lon) for u in new.units}
        assert before["TRACK H101"] != after["TRACK H101"]  # the as-at slide shows where it was
        macomia = next(z for z in list_zones(store) if z.name == "Conflict area Macomia")
        past = {z.id: z.severity for z in zones_as_at(store, now - timedelta(hours=12))}
        assert past[macomia.id] < macomia.severity
        # the picture as at now is the live picture
        from app.core.picture.queries import list_units

        live_now = {u.id: (u.lat, u.lon, u.readiness) for u in list_units(store)}
        rebuilt = {u.id: (u.lat, u.lon, u.readiness) for u in units_as_at(store, datetime.now(UTC))}
        assert rebuilt == live_now
        # loading again changes nothing in the slides
        load_demo(store, now=now)
        assert [v.name for v in list_views(store)] == [v.name for v in views]
    finally:
        store.close()


def test_as_at_undoes_a_later_edit_but_keeps_the_track(store) -> None:
    now = datetime.now(UTC)
    cm, batch = _backdated(store, now - timedelta(hours=8))
    from app.core.picture.ops import save_units

    (uid,) = save_units(
        batch,
        [_unit("Bravo", -12.0, 40.0, readiness="green", last_report=now - timedelta(hours=8))],
    )
    cm.__exit__(None, None, None)
    move_units(store, [(uid, -12.2, 40.1)], at=now - timedelta(hours=5))
    add_units(
        store,
        [
            _unit(
                "Bravo", -12.2, 40.1, readiness="red", id=uid, last_report=now - timedelta(hours=5)
            )
        ],
    )
    move_units(store, [(uid, -12.4, 40.2)], at=now - timedelta(hours=1))
    (then,) = units_as_at(store, now - timedelta(hours=3))
    assert (then.readiness, then.lat, then.lon) == ("green", -12.2, 40.1)
    (latest,) = units_as_at(store, datetime.now(UTC))
    assert (latest.readiness, latest.lat) == ("red", -12.4)


def test_a_slide_sets_every_layer_so_the_previous_slide_hides_nothing(store) -> None:
    add_views(store, [PEMBA, NORTH])
    hidden, shown = build_deck(store)
    layers = next(m for m in hidden.messages() if m["op"] == "layers")
    assert layers["affiliations"] == {
        "friend": True,
        "hostile": False,
        "neutral": True,
        "unknown": True,
    }
    layers = next(m for m in shown.messages() if m["op"] == "layers")
    assert set(layers["affiliations"].values()) == {True} and all(layers["zones"].values())
    assert layers["labels"] and layers["tasks"]


def test_text_in_the_html_handout_is_data_never_markup(store, tmp_path) -> None:
    from app.core.briefing.handout import write_html

    add_units(store, [_unit("</script><script>alert(1)</script>", -11.3, 40.1)])
    add_views(
        store,
        [
            ViewData(
                name="<img src=x onerror=alert(2)>",
                south=-11.9,
                west=39.5,
                north=-10.5,
                east=40.6,
                note="</script>",
            )
        ],
    )
    write_html(store, tmp_path / "deck.html")
    text = (tmp_path / "deck.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in text


def test_a_slide_shows_supply_traffic_lights_as_they_were_at_its_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A big delivery of water to Metuge turns its light green now; the slide as at
    an hour ago still shows it red, from the ledger rows up to that time."""
    from datetime import UTC, datetime, timedelta

    from app.core.briefing.slides import supply_summary
    from app.core.demo.picture import load_demo
    from app.core.store.engine import open_store
    from app.core.supply.ops import add_movements
    from app.core.supply.queries import list_items, list_sites
    from app.core.supply.records import MovementData

    store = open_store(tmp_path / "s.sqlite")
    try:
        load_demo(store)
        metuge = next(s for s in list_sites(store) if s.name.startswith("Metuge"))
        bounds = [[metuge.lat - 0.1, metuge.lon - 0.1], [metuge.lat + 0.1, metuge.lon + 0.1]]
        now = datetime.now(UTC)
        before = supply_summary(store, now, None, bounds)
        assert (
            before is not None
            and before.rows[0][0] == metuge.name
            and before.colours[0] == "#ef9a9a"
        )
        for item in list_items(store):
            add_movements(
                store,
                [
                    MovementData(
                        site_id=metuge.id,
                        item_id=item.id,
                        kind="receipt",
                        quantity=50_000_000,
                        at=now,
                    )
                ],
            )
        after = supply_summary(store, now + timedelta(seconds=1), None, bounds)
        assert after is not None and after.colours[0] == "#a5d6a7"
        earlier = supply_summary(store, now - timedelta(hours=1), None, bounds)
        assert earlier is not None and earlier.colours[0] == "#ef9a9a"
        assert supply_summary(store, now, "UN", [[0, 0], [1, 1]]) is None  # nothing in that extent
    finally:
        store.close()
