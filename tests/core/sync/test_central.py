"""Sync through a real PostgreSQL server: convergence, conflicts, skew, a killed sync."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app.core.picture.ops import add_units, delete_records, move_units
from app.core.picture.queries import list_units
from app.core.store.engine import open_store
from app.core.store.hlc import HybridLogicalClock
from app.core.store.models import SyncConflict, Task, TaskHistory, Unit, UnitPosition
from app.core.sync.central import SyncError, pending_changes, sync_with_server
from app.core.sync.conflicts import list_conflicts, reverse_conflict
from app.core.tasks.ops import add_tasks, set_status
from app.core.tasks.records import TaskData
from tests.core.sync.helpers import count, make_stores, server_database, snapshot, unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> object:
    with server_database() as url:
        yield url


def _close(*stores: object) -> None:
    for s in stores:
        s.close()  # type: ignore[attr-defined]


def test_two_stores_converge_through_the_server_with_tasks_moves_and_deletes(
    tmp_path: Path, server: str
) -> None:
    a, b = make_stores(tmp_path, 2)
    try:
        u1, u2 = add_units(a, [unit("1st Coy"), unit("Recce Pl", rel="NATO")])
        add_tasks(a, [TaskData(title="Escort convoy", assigned_units=[u1, u2])])
        assert pending_changes(a) == 3
        report = sync_with_server(a, server)
        assert report.sent == 3 and report.received == 0
        assert pending_changes(a) == 0
        report = sync_with_server(b, server)
        assert report.received == 3
        assert snapshot(a) == snapshot(b)
        # a remote move appends to the receiver's position history (trails, "as at")
        move_units(b, [(u1, -12.5, 40.1)])
        sync_with_server(b, server)
        events: list[object] = []
        a.events.subscribe(events.extend)
        sync_with_server(a, server)
        assert [u.lat for u in list_units(a) if u.id == u1] == [-12.5]
        with a.session() as s:
            trail = s.scalars(
                select(UnitPosition.lat).where(UnitPosition.unit_id == u1).order_by(UnitPosition.id)
            ).all()
        assert trail == [-12.9, -12.5]
        assert any(e.kind == "unit" and u1 in e.moved for e in events)  # type: ignore[attr-defined]
        # a task changed elsewhere: the receiver's task history says so
        task_id = add_tasks(b, [TaskData(title="Patrol", assigned_units=[u2])])[0]
        sync_with_server(b, server)
        sync_with_server(a, server)
        set_status(b, task_id, "assigned")
        sync_with_server(b, server)
        sync_with_server(a, server)
        with a.session() as s:
            whats = s.scalars(select(TaskHistory.what).where(TaskHistory.task_id == task_id)).all()
        assert "created" in whats and "status" in whats
        delete_records(a, Unit, [u2])
        sync_with_server(a, server)
        sync_with_server(b, server)
        assert {u.name for u in list_units(b)} == {"1st Coy"}
        assert snapshot(a) == snapshot(b)
        # nothing new: nothing sent or received
        again = sync_with_server(a, server)
        assert (again.sent, again.received) == (0, 0)
    finally:
        _close(a, b)


def test_three_stores_resolve_concurrent_edits_the_same_way_and_log_the_loser(
    tmp_path: Path, server: str
) -> None:
    a, b, c = make_stores(tmp_path, 3)
    try:
        (uid,) = add_units(a, [unit("1st Coy")])
        for s in (a, b, c):
            sync_with_server(s, server)
        add_units(a, [unit("1st Coy (A)", uid=uid)])
        add_units(b, [unit("1st Coy (B)", uid=uid)])
        move_units(c, [(uid, -11.0, 39.0)])  # another field: no conflict, both kept
        for _ in range(2):
            for s in (a, b, c):
                sync_with_server(s, server)
        snaps = [snapshot(s) for s in (a, b, c)]
        assert snaps[0] == snaps[1] == snaps[2]
        (final,) = list_units(a)
        assert final.lat == -11.0
        assert final.name == "1st Coy (B)"  # B's edit came later: the higher clock wins
        for s in (a, b, c):
            logged = [(x.field, x.kept, x.lost) for x in list_conflicts(s)]
            assert ("name", "1st Coy (B)", "1st Coy (A)") in logged
        # reversing puts the losing value back everywhere
        conflict = next(x for x in list_conflicts(c) if x.field == "name")
        reverse_conflict(c, conflict.id)
        for s in (c, a, b):
            sync_with_server(s, server)
        assert {u.name for s in (a, b, c) for u in list_units(s)} == {"1st Coy (A)"}
        assert list_conflicts(c)[0].reversed_at is not None
    finally:
        _close(a, b, c)


def test_an_edit_racing_a_delete_keeps_the_record_and_logs_it(tmp_path: Path, server: str) -> None:
    a, b = make_stores(tmp_path, 2)
    try:
        (uid,) = add_units(a, [unit("Outpost")])
        sync_with_server(a, server)
        sync_with_server(b, server)
        move_units(a, [(uid, -12.0, 40.0)])
        delete_records(b, Unit, [uid])
        for s in (a, b, a):
            sync_with_server(s, server)
        assert [u.name for u in list_units(a)] == ["Outpost"] == [u.name for u in list_units(b)]
        assert snapshot(a) == snapshot(b)
        assert any(x.field == "deleted" and x.lost is True for x in list_conflicts(a))
        assert any(x.field == "deleted" and x.lost is True for x in list_conflicts(b))
    finally:
        _close(a, b)


def test_clocks_three_days_apart_still_converge(tmp_path: Path, server: str) -> None:
    a, b, c = make_stores(tmp_path, 3)
    day = 86_400_000
    try:
        for s, skew in ((a, 3 * day), (b, -3 * day), (c, 0)):
            s.clock = HybridLogicalClock(
                s.site.site_id, None, lambda skew=skew: time.time_ns() // 1_000_000 + skew
            )
        (uid,) = add_units(a, [unit("Skewed")])
        for s in (a, b, c):
            sync_with_server(s, server)
        # B's clock is 3 days behind, but it has seen A's change: its later edit wins
        add_units(b, [unit("Edited at B", uid=uid)])
        for s in (b, a, c):
            sync_with_server(s, server)
        assert {u.name for s in (a, b, c) for u in list_units(s)} == {"Edited at B"}
        assert snapshot(a) == snapshot(b) == snapshot(c)
        assert count(a, "sync_conflict") == 0
    finally:
        _close(a, b, c)


def test_the_server_password_is_never_shown(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    db = tmp_path / "x.sqlite"
    bad = server.replace("postgres@", "postgres:S3cretPw@").rsplit("/", 1)[0] + "/no_such_db_here"
    with pytest.raises(SyncError) as err:
        a = open_store(db)
        try:
            sync_with_server(a, bad)
        finally:
            a.close()
    assert "S3cretPw" not in str(err.value)
    assert main(["--db", str(db), "sync", "--server", bad]) == 1
    captured = capsys.readouterr()
    assert "S3cretPw" not in captured.out + captured.err
    assert captured.err.startswith("coalition-cop: error:")


def test_a_sync_killed_at_random_points_resumes_and_loses_nothing(
    tmp_path: Path, server: str
) -> None:
    a, b = make_stores(tmp_path, 2)
    try:
        add_units(a, [unit(f"Unit {i}", lat=-12 - i / 10000) for i in range(3000)])
        for i in range(4):
            move_units(a, [(u.id, u.lat + 0.001 * (i + 1), u.lon) for u in list_units(a)[:500]])
        paths = [a.path, b.path]
        _close(a, b)
        rng = random.Random(4)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        for _attempt in range(4):
            for path in paths:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "app", "--db", str(path), "sync", "--server", server],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(rng.uniform(0.3, 2.5))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                proc.wait()
        # the reruns converge, with every change stored once on the server
        a, b = (open_store(p) for p in paths)
        for s in (a, b, a, b):
            sync_with_server(s, server)
        assert snapshot(a) == snapshot(b)
        assert len(list_units(b)) == 3000
        engine = create_engine(server)
        try:
            with engine.connect() as conn:
                on_server = conn.execute(
                    text(
                        "SELECT COUNT(*), COUNT(DISTINCT (origin_site, origin_seq)) "
                        "FROM sync_change"
                    )
                ).one()
        finally:
            engine.dispose()
        assert on_server[0] == on_server[1] == count(a, "sync_change") == count(b, "sync_change")
        with a.session() as s:
            assert s.scalar(select(SyncConflict.id)) is None
    finally:
        _close(a, b)


def test_a_first_sync_of_thousands_of_records_gives_the_same_rows_everywhere(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path (new records straight from the change log) keeps every value exactly."""
    from datetime import UTC, datetime, timedelta

    from app.core.sync import merge as apply

    bulk = apply._insert_new_sql
    used: list[bool] = []
    monkeypatch.setattr(
        apply, "_insert_new_sql", lambda *a, **k: used.append(bulk(*a, **k)) or used[-1]
    )

    from app.core.picture.records import UnitData

    rng = random.Random(11)
    a, b = make_stores(tmp_path, 2)
    base = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    try:
        units = [
            UnitData(
                name=f"Unité {i} \"quoted\"\t'tab'",
                callsign=f"C{i}",
                nation=rng.choice(["FRA", "PRT", ""]),
                sidc="10031000151211000000",
                lat=rng.uniform(-89, 89),
                lon=rng.uniform(-179, 179),
                course=rng.choice([None, rng.uniform(0, 359)]),
                speed=rng.choice([None, 12.5]),
                strength=rng.randrange(0, 101),
                remarks=rng.choice(["", "line\nbreak \\ back", "€ ünïcode"]),
                last_report=rng.choice(
                    [None, base, base + timedelta(microseconds=rng.randrange(1, 10**6))]
                ),
                stale_after=rng.choice([None, base + timedelta(hours=2)]),
                classification=rng.choice(["UNCLASSIFIED", "NATO RESTRICTED"]),
                releasable_to=rng.choice([["PUBLIC"], ["NATO"], ["NATO", "UN", "FRA"], ["EU"]]),
            )
            for i in range(2500)
        ]
        add_units(a, units)
        sync_with_server(a, server)
        assert sync_with_server(b, server).received == 2500
        assert used == [True]
        assert snapshot(a) == snapshot(b)
        with a.session() as s, b.session() as t:
            q = select(UnitPosition.unit_id, UnitPosition.at, UnitPosition.lat).order_by(
                UnitPosition.unit_id
            )
            assert s.execute(q).all() == t.execute(q).all()
    finally:
        _close(a, b)


def test_concurrent_assignments_of_a_task_resolve_as_one_field_and_can_be_reversed(
    tmp_path: Path, server: str
) -> None:
    from app.core.tasks.ops import _load, assign_units

    a, b = make_stores(tmp_path, 2)
    try:
        u1, u2, u3 = add_units(a, [unit("1st Coy"), unit("2nd Coy"), unit("3rd Coy")])
        (task,) = add_tasks(a, [TaskData(title="Escort convoy", assigned_units=[u1])])
        sync_with_server(a, server)
        sync_with_server(b, server)
        assign_units(a, task, [u2])
        assign_units(b, task, [u3])
        for s in (a, b, a):
            sync_with_server(s, server)
        with a.session() as s1, b.session() as s2:
            assert _load(s1, task).assigned_units == _load(s2, task).assigned_units == [u1, u3]
        (conflict,) = [c for c in list_conflicts(a) if c.field == "assigned_units"]
        assert conflict.lost == [u1, u2]
        reverse_conflict(a, conflict.id)
        sync_with_server(a, server)
        sync_with_server(b, server)
        with b.session() as s2:
            assert _load(s2, task).assigned_units == [u1, u2]
    finally:
        _close(a, b)


def test_a_cancelled_sync_sends_nothing_and_the_next_one_does(tmp_path: Path, server: str) -> None:
    (a,) = make_stores(tmp_path, 1)
    try:
        add_units(a, [unit("1st Coy")])
        report = sync_with_server(a, server, cancelled=lambda: True)
        assert (report.sent, report.received) == (0, 0)
        assert pending_changes(a) == 1
        assert sync_with_server(a, server).sent == 1
    finally:
        _close(a)


def test_the_whole_picture_reaches_another_site_supply_slides_routes_and_messages_included(
    tmp_path: Path, server: str
) -> None:
    """Every kind of record the parts of the app write travels through the server,
    and the receiving site computes the same LOGSITREP from it."""
    from app.core.demo.picture import load_demo
    from app.core.supply.queries import logsitrep_report

    a, b = make_stores(tmp_path, 2)
    try:
        load_demo(a)
        sync_with_server(a, server)
        events: list[object] = []
        b.events.subscribe(events.extend)
        sync_with_server(b, server)
        for table in (
            "supply_item",
            "supply_site",
            "stock_movement",
            "shipment",
            "shipment_line",
            "supply_request",
            "presence",
            "saved_view",
            "task",
            "unit",
            "crisis_zone",
        ):
            assert count(b, table) == count(a, table) > 0, table
        assert snapshot(a) == snapshot(b)
        kinds = {e.kind for e in events}  # type: ignore[attr-defined]
        assert {"unit", "zone", "task", "stock", "shipment", "view"} <= kinds
        assert logsitrep_report(b) == logsitrep_report(a)
    finally:
        _close(a, b)


def test_two_sites_numbering_tasks_alike_both_keep_their_tasks(tmp_path: Path, server: str) -> None:
    """A store copied to a second laptop goes on numbering tasks as the first does:
    the same reference twice must not stop the sync."""
    from app.core.store.engine import open_store

    a = open_store(tmp_path / "a.sqlite", site_name="JOC Alpha", operator="a")
    b = open_store(tmp_path / "b.sqlite", site_name="JOC Alpine", operator="b")
    try:
        [ta] = add_tasks(a, [TaskData(title="Escort the convoy")])
        [tb] = add_tasks(b, [TaskData(title="Clear the route")])
        for store in (a, b, a):
            sync_with_server(store, server)
        for store in (a, b):
            with store.session() as s:
                refs = dict(s.execute(select(Task.id, Task.reference)).all())
            assert refs[ta] == refs[tb] == "JOCALP-0001"
        assert snapshot(a) == snapshot(b)
    finally:
        _close(a, b)


def test_a_shipment_received_at_two_sites_is_counted_once(tmp_path: Path, server: str) -> None:
    """Two HQs both mark the convoy arrived before they sync: the camp's stock goes
    up by the load once, not twice."""
    from app.core.store.models import StockMovement
    from app.core.supply.ops import (
        add_items,
        add_movements,
        add_shipments,
        add_sites,
        on_hand,
        set_shipment_status,
    )
    from app.core.supply.records import ItemData, LineData, MovementData, ShipmentData, SiteData

    a, b = make_stores(tmp_path, 2)
    try:
        [water] = add_items(a, [ItemData(code="WAT", name="Water", category="water", unit="L")])
        hub, camp = add_sites(
            a,
            [
                SiteData(name="Hub", kind="warehouse", lat=-12.9, lon=40.5),
                SiteData(name="Camp", kind="distribution point", lat=-12.8, lon=40.3),
            ],
        )
        add_movements(a, [MovementData(site_id=hub, item_id=water, kind="receipt", quantity=1_000)])
        [ship] = add_shipments(
            a,
            [
                ShipmentData(
                    waybill="WB-1",
                    origin_site_id=hub,
                    destination_site_id=camp,
                    lines=[LineData(item_id=water, quantity=400)],
                )
            ],
        )
        set_shipment_status(a, ship, "in_transit")
        sync_with_server(a, server)
        sync_with_server(b, server)
        set_shipment_status(a, ship, "arrived")
        set_shipment_status(b, ship, "arrived")
        for store in (a, b, a):
            sync_with_server(store, server)
        for store in (a, b):
            with store.session() as s:
                stock = on_hand(s, {hub, camp})
            assert stock[(camp, water)] == 400 and stock[(hub, water)] == 600
        sa, sb = snapshot(a), snapshot(b)
        # the one receipt row each site wrote under the same id: its content is the same
        # everywhere; only where and when each site first wrote it (created_at, origin_site) differ
        content = [
            i
            for i, c in enumerate(
                c.name for c in StockMovement.__table__.c if c.name != "updated_at"
            )
            if c not in ("created_at", "origin_site")
        ]
        assert [[r[i] for i in content] for r in sa.pop("stock_movement")] == [
            [r[i] for i in content] for r in sb.pop("stock_movement")
        ]
        assert sa == sb
    finally:
        _close(a, b)
