"""The store: site profile, file safety, change log, one-transaction writes,
change events, moves and tombstones, releasability queries and the HLC."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.common.markings import Releasability
from app.core.events import Changed
from app.core.picture.ops import (
    add_units,
    add_zones,
    delete_records,
    move_units,
    save_units,
    save_zones,
)
from app.core.picture.queries import counts, list_units, list_zones
from app.core.picture.records import UnitData, ValidationError, ZoneData
from app.core.store.engine import Store, open_store
from app.core.store.hlc import HybridLogicalClock, Timestamp
from app.core.store.models import SiteProfile, SyncChange, Unit, UnitPosition
from app.core.store.writing import writing

FRIEND_INF_COY = "10031000151211000000"
HOSTILE_INF_COY = "10061000151211000000"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[20.0, 40.0], [20.5, 40.0], [20.5, 40.5], [20.0, 40.5], [20.0, 40.0]]],
}


def unit(name: str = "1st Coy", **kw: object) -> UnitData:
    values: dict[str, object] = {"sidc": FRIEND_INF_COY, "lat": 40.1, "lon": 20.2, "nation": "FRA"}
    values.update(kw)
    return UnitData(name=name, **values)  # type: ignore[arg-type]


def zone(name: str = "Flood plain", **kw: object) -> ZoneData:
    values: dict[str, object] = {"kind": "flood", "geometry": SQUARE, "severity": 4}
    values.update(kw)
    return ZoneData(name=name, **values)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "cop.sqlite", operator="tester")
    yield s
    s.close()


def changes(store: Store) -> list[SyncChange]:
    with store.session() as session:
        return list(session.scalars(select(SyncChange).order_by(SyncChange.seq)))


def unit_record(store: Store, uid: str) -> Unit:
    with store.session() as session:
        record = session.get(Unit, uid)
        assert record is not None
        session.expunge(record)
        return record


# --------------------------------------------------------------------------- site profile


def test_new_store_gets_a_site_profile(tmp_path: Path) -> None:
    s = open_store(tmp_path / "a.sqlite", operator="tester", site_name="JOC Alpha", partner="fra")
    try:
        assert str(uuid.UUID(s.site.site_id)) == s.site.site_id
        assert s.site.site_name == "JOC Alpha"
        assert s.site.partner == "FRA"
        with s.session() as session:
            profiles = session.scalars(select(SiteProfile)).all()
        assert [p.site_id for p in profiles] == [s.site.site_id]
    finally:
        s.close()


def test_default_site_profile_has_a_name_and_partner(db: Store) -> None:
    assert db.site.site_name
    assert db.site.partner


def test_two_store_files_are_two_sites(tmp_path: Path) -> None:
    a = open_store(tmp_path / "a.sqlite", operator="tester")
    b = open_store(tmp_path / "b.sqlite", operator="tester")
    try:
        assert a.site.site_id != b.site.site_id
    finally:
        a.close()
        b.close()


def test_reopening_keeps_the_site_id(tmp_path: Path) -> None:
    path = tmp_path / "cop.sqlite"
    first = open_store(path, operator="tester", site_name="JOC Alpha", partner="FRA")
    site = first.site
    first.close()
    again = open_store(path, operator="someone else", site_name="Other", partner="DEU")
    try:
        assert again.site == site
    finally:
        again.close()


def test_operator_is_recorded_as_who_on_every_change(tmp_path: Path) -> None:
    s = open_store(tmp_path / "cop.sqlite", operator="Sgt Dupont")
    try:
        [uid] = add_units(s, [unit()])
        add_zones(s, [zone()])
        move_units(s, [(uid, 41.0, 21.0)])
        add_units(s, [unit(id=uid, name="renamed", lat=41.0, lon=21.0)])
        delete_records(s, Unit, [uid])
        rows = changes(s)
        assert len(rows) == 5
        assert {r.who for r in rows} == {"Sgt Dupont"}
    finally:
        s.close()


def test_store_file_is_private_to_its_owner(db: Store) -> None:
    assert db.path is not None
    assert stat.S_IMODE(os.stat(db.path).st_mode) == 0o600


def test_store_uses_wal(db: Store) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert db.path is not None
    raw = sqlite3.connect(db.path)
    try:
        # WAL is persistent: any other reader of the file sees it too
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_record_ids_are_uuid7(db: Store) -> None:
    ids = add_units(db, [unit("a"), unit("b")])
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert len(set(ids)) == 2


# --------------------------------------------------------------------------- change log


def test_insert_writes_one_change_row_per_record(db: Store) -> None:
    ids = add_units(
        db,
        [
            unit("a", classification="NATO RESTRICTED", releasable_to=["NATO"]),
            unit("b", releasable_to="PUBLIC"),
        ],
    )
    rows = changes(db)
    assert [(r.table_name, r.row_id, r.op) for r in rows] == [
        ("unit", ids[0], "insert"),
        ("unit", ids[1], "insert"),
    ]
    for row, uid in zip(rows, ids, strict=True):
        record = unit_record(db, uid)
        assert row.hlc == record.hlc
        assert row.base_hlc is None
        assert row.origin_site == db.site.site_id == record.origin_site
        assert row.classification == record.classification
        assert Releasability.from_storage(row.releasable_to) == record.releasable_to
        assert json.loads(row.fields)["name"] == record.name
    assert rows[0].classification == "NATO RESTRICTED"
    assert Releasability.from_storage(rows[0].releasable_to).codes == {"NATO"}


def test_update_change_has_base_hlc_of_the_previous_version(db: Store) -> None:
    [uid] = add_units(db, [unit("a")])
    before = unit_record(db, uid)
    add_units(
        db,
        [
            unit(
                "a",
                id=uid,
                remarks="bridge down",
                classification="SECRET",
                releasable_to=["NATO", "UN"],
            )
        ],
    )
    after = unit_record(db, uid)
    last = changes(db)[-1]
    assert (last.op, last.row_id) == ("update", uid)
    assert last.base_hlc == before.hlc
    assert last.hlc == after.hlc
    assert after.hlc > before.hlc
    fields = json.loads(last.fields)
    assert fields["remarks"] == "bridge down"
    assert "name" not in fields  # only what changed
    assert last.classification == after.classification == "SECRET"
    assert Releasability.from_storage(last.releasable_to) == after.releasable_to
    assert after.releasable_to.codes == {"NATO", "UN"}


def test_unchanged_save_writes_no_change(db: Store) -> None:
    [uid] = add_units(db, [unit("a")])
    n = len(changes(db))
    add_units(db, [unit("a", id=uid)])
    assert len(changes(db)) == n


def test_delete_and_move_changes_carry_base_hlc_and_markings(db: Store) -> None:
    [uid] = add_units(db, [unit("a", classification="NATO CONFIDENTIAL", releasable_to="NATO")])
    v1 = unit_record(db, uid)
    move_units(db, [(uid, 42.0, 22.0)])
    v2 = unit_record(db, uid)
    delete_records(db, Unit, [uid])
    v3 = unit_record(db, uid)
    move, delete = changes(db)[-2:]
    assert (move.op, move.base_hlc, move.hlc) == ("update", v1.hlc, v2.hlc)
    assert (delete.op, delete.base_hlc, delete.hlc) == ("delete", v2.hlc, v3.hlc)
    for row in (move, delete):
        assert row.classification == "NATO CONFIDENTIAL"
        assert Releasability.from_storage(row.releasable_to).codes == {"NATO"}


def test_hlc_strictly_increases_across_operations(db: Store) -> None:
    [uid] = add_units(db, [unit("a")])
    [zid] = add_zones(db, [zone()])
    for i in range(5):
        move_units(db, [(uid, 40.0 + i / 10, 20.0)])
    add_zones(db, [zone(id=zid, severity=2)])
    delete_records(db, Unit, [uid])
    hlcs = [r.hlc for r in changes(db)]
    assert len(hlcs) == 9
    assert all(a < b for a, b in zip(hlcs, hlcs[1:], strict=False))
    with db.session() as session:
        last = session.scalar(select(SiteProfile.last_hlc))
    assert last == hlcs[-1]


def test_change_seq_is_gapless_and_origin_seq_matches(db: Store) -> None:
    add_units(db, [unit("a"), unit("b")])
    add_zones(db, [zone()])
    rows = changes(db)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert all(r.origin_seq == r.seq for r in rows)


# --------------------------------------------------------------------------- one transaction


def test_batch_with_an_invalid_unit_stores_nothing(db: Store) -> None:
    batch = [unit("a"), unit("b"), unit("c", sidc="1003100015")]
    with pytest.raises(ValidationError, match="SIDC"):
        add_units(db, batch)
    assert counts(db) == {"units": 0, "zones": 0, "changes": 0}
    assert list_units(db) == []


def test_failure_late_in_a_write_rolls_back_earlier_work(db: Store) -> None:
    add_units(db, [unit("existing")])
    before = counts(db)
    with db.session() as session:
        last_before = session.scalar(select(SiteProfile.last_hlc))
    bad_zone = zone(kind="volcano")
    with pytest.raises(ValidationError, match="volcano"), writing(db) as batch:
        save_units(batch, [unit("x"), unit("y")])
        save_zones(batch, [zone("ok"), bad_zone])
    assert counts(db) == before
    assert [u.name for u in list_units(db)] == ["existing"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UnitPosition)) == 1
        assert session.scalar(select(SiteProfile.last_hlc)) == last_before


# --------------------------------------------------------------------------- events


def test_subscriber_gets_added_updated_removed_after_commit(db: Store) -> None:
    seen: list[list[Changed]] = []
    committed_at_call: list[int] = []

    def on_change(batch: list[Changed]) -> None:
        seen.append(batch)
        committed_at_call.append(counts(db)["changes"])  # readable: already committed

    unsubscribe = db.events.subscribe(on_change)
    ids = add_units(db, [unit("a"), unit("b")], initiator="test")
    assert len(seen) == 1
    [ev] = seen[-1]
    assert ev.kind == "unit"
    assert ev.added == set(ids)
    assert not (ev.updated or ev.removed or ev.moved)
    assert ev.initiator == "test"
    assert committed_at_call[-1] == 2

    add_units(db, [unit("a2", id=ids[0])])
    [ev] = seen[-1]
    assert (ev.added, ev.updated, ev.removed, ev.moved) == (set(), {ids[0]}, set(), set())

    delete_records(db, Unit, [ids[1]])
    [ev] = seen[-1]
    assert (ev.added, ev.updated, ev.removed) == (set(), set(), {ids[1]})

    [zid] = add_zones(db, [zone()])
    [ev] = seen[-1]
    assert (ev.kind, ev.added) == ("zone", {zid})

    unsubscribe()
    add_units(db, [unit("c")])
    assert len(seen) == 4


def test_one_write_of_units_and_zones_gives_one_event_per_kind(db: Store) -> None:
    seen: list[list[Changed]] = []
    db.events.subscribe(seen.append)
    with writing(db) as batch:
        uids = save_units(batch, [unit("a")])
        zids = save_zones(batch, [zone()])
    assert len(seen) == 1
    by_kind = {c.kind: c for c in seen[0]}
    assert by_kind["unit"].added == set(uids)
    assert by_kind["zone"].added == set(zids)


def test_no_event_when_the_transaction_fails(db: Store) -> None:
    seen: list[list[Changed]] = []
    db.events.subscribe(seen.append)
    with pytest.raises(ValidationError):
        add_units(db, [unit("a"), unit("b"), unit("c", sidc="nonsense")])
    with pytest.raises(ValidationError), writing(db) as batch:
        save_units(batch, [unit("x")])
        save_zones(batch, [zone(severity=9)])
    assert seen == []


def test_deleting_or_moving_nothing_publishes_nothing(db: Store) -> None:
    [uid] = add_units(db, [unit("a", lat=40.0, lon=20.0)])
    seen: list[list[Changed]] = []
    db.events.subscribe(seen.append)
    assert delete_records(db, Unit, ["no-such-id"]) == 0
    assert move_units(db, [(uid, 40.0, 20.0)]) == 0  # same place
    assert seen == []


# --------------------------------------------------------------------------- moves and deletes


def test_move_units_updates_positions_and_history(db: Store) -> None:
    a, b = add_units(db, [unit("a", lat=40.0, lon=20.0), unit("b", lat=41.0, lon=21.0)])
    seen: list[list[Changed]] = []
    db.events.subscribe(seen.append)
    when = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)
    assert move_units(db, [(a, 40.25, 20.75), (b, 41.5, 21.5)], at=when) == 2
    rows = {u.id: u for u in list_units(db)}
    assert (rows[a].lat, rows[a].lon) == (40.25, 20.75)
    assert (rows[b].lat, rows[b].lon) == (41.5, 21.5)
    assert rows[a].last_report == when
    [ev] = seen[-1]
    assert ev.moved == {a, b}
    assert ev.updated == {a, b}
    assert not ev.added and not ev.removed

    move_units(db, [(a, 40.5, 21.0)], at=when + timedelta(minutes=5))
    with db.session() as session:
        history = session.execute(
            select(UnitPosition.lat, UnitPosition.lon, UnitPosition.at)
            .where(UnitPosition.unit_id == a)
            .order_by(UnitPosition.id)
        ).all()
    assert [(h.lat, h.lon) for h in history] == [(40.0, 20.0), (40.25, 20.75), (40.5, 21.0)]
    assert history[-1].at == when + timedelta(minutes=5)


def test_move_units_rejects_a_bad_position_and_changes_nothing(db: Store) -> None:
    [a] = add_units(db, [unit("a", lat=40.0, lon=20.0)])
    before = counts(db)
    with pytest.raises(ValueError, match="latitude"):
        move_units(db, [(a, 41.0, 20.0), (a, 95.0, 20.0)])
    assert counts(db) == before
    assert (list_units(db)[0].lat, list_units(db)[0].lon) == (40.0, 20.0)


def test_delete_records_tombstones(db: Store) -> None:
    a, b = add_units(db, [unit("a"), unit("b")])
    [zid] = add_zones(db, [zone()])
    seen: list[list[Changed]] = []
    db.events.subscribe(seen.append)
    assert delete_records(db, Unit, [a]) == 1
    assert [u.id for u in list_units(db)] == [b]
    record = unit_record(db, a)
    assert record.deleted is True
    assert record.name == "a"  # the row stays, for sync
    [ev] = seen[-1]
    assert ev.removed == {a}
    assert changes(db)[-1].op == "delete"
    # deleting again is a no-op; a tombstoned unit cannot be moved
    assert delete_records(db, Unit, [a]) == 0
    assert move_units(db, [(a, 10.0, 10.0)]) == 0
    from app.core.store.models import CrisisZone

    assert delete_records(db, CrisisZone, [zid]) == 1
    assert list_zones(db) == []
    assert counts(db)["units"] == 1 and counts(db)["zones"] == 0


def test_saving_a_tombstoned_id_revives_it(db: Store) -> None:
    [a] = add_units(db, [unit("a")])
    delete_records(db, Unit, [a])
    add_units(db, [unit("a", id=a)])
    assert [u.id for u in list_units(db)] == [a]
    assert unit_record(db, a).deleted is False


# --------------------------------------------------------------------------- releasability


@pytest.fixture
def marked(db: Store) -> dict[str, str]:
    nato, nato_un, public, nato_ukr = add_units(
        db,
        [
            unit("nato only", classification="NATO RESTRICTED", releasable_to=["NATO"]),
            unit("nato and un", releasable_to=["NATO", "UN"]),
            unit("public", releasable_to="PUBLIC"),
            unit("nato and ukraine", releasable_to="REL TO NATO, UKR"),
        ],
    )
    return {"nato": nato, "nato_un": nato_un, "public": public, "nato_ukr": nato_ukr}


def _visible(store: Store, partner: str) -> set[str]:
    return {u.id for u in list_units(store, partner=partner)}


def test_nato_only_goes_to_a_nato_member(db: Store, marked: dict[str, str]) -> None:
    assert _visible(db, "FRA") == set(marked.values())
    assert _visible(db, "NATO") == set(marked.values())


def test_nato_only_does_not_go_to_a_non_member(db: Store, marked: dict[str, str]) -> None:
    assert _visible(db, "UKR") == {marked["public"], marked["nato_ukr"]}


def test_un_agency_sees_nato_un_and_public(db: Store, marked: dict[str, str]) -> None:
    assert _visible(db, "WFP") == {marked["nato_un"], marked["public"]}
    assert _visible(db, "UN") == {marked["nato_un"], marked["public"]}


def test_public_goes_to_anyone(db: Store, marked: dict[str, str]) -> None:
    for partner in ("ICRC", "BRA", "AU", "MSF"):
        assert marked["public"] in _visible(db, partner), partner
    assert _visible(db, "ICRC") == {marked["public"]}


def test_without_a_partner_everything_is_listed(db: Store, marked: dict[str, str]) -> None:
    assert {u.id for u in list_units(db)} == set(marked.values())


def test_zones_are_filtered_by_releasability_too(db: Store) -> None:
    nato, public = add_zones(
        db, [zone("a", releasable_to="NATO"), zone("b", releasable_to="PUBLIC")]
    )
    assert {z.id for z in list_zones(db, partner="DEU")} == {nato, public}
    assert {z.id for z in list_zones(db, partner="WFP")} == {public}


# --------------------------------------------------------------------------- HLC


def _clock(times: list[int], site: str = "site-a", last: str | None = None) -> HybridLogicalClock:
    it = iter(times)
    return HybridLogicalClock(site, last, now_ms=lambda: next(it))


def test_hlc_is_monotonic_when_the_wall_clock_goes_backwards() -> None:
    clock = _clock([1_000, 1_000, 500, 400, 999, 2_000, 1_500])
    stamps = [clock.tick() for _ in range(7)]
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))
    decoded = [Timestamp.decode(s) for s in stamps]
    assert all(a < b for a, b in zip(decoded, decoded[1:], strict=False))
    # it never runs ahead of the largest wall time seen
    assert max(d.wall_ms for d in decoded) == 2_000


def test_hlc_observe_remote_ahead() -> None:
    clock = _clock([1_000, 1_000, 1_000, 1_000])
    clock.tick()
    remote = Timestamp(50_000, 7, "site-b").encode()
    clock.observe(remote)
    nxt = clock.tick()
    assert nxt > remote
    assert Timestamp.decode(nxt) > Timestamp.decode(remote)
    assert Timestamp.decode(nxt).site == "site-a"


def test_hlc_observe_remote_at_same_wall_time_with_higher_counter() -> None:
    clock = _clock([5_000] * 10)
    for _ in range(3):
        clock.tick()
    remote = Timestamp(5_000, 40, "site-b").encode()
    clock.observe(remote)
    nxt = Timestamp.decode(clock.tick())
    assert (nxt.wall_ms, nxt.counter) > (5_000, 40)


def test_hlc_observe_remote_behind_does_not_go_back() -> None:
    clock = _clock([9_000, 9_000, 9_000])
    first = clock.tick()
    clock.observe(Timestamp(10, 0, "site-b").encode())
    assert clock.tick() > first


def test_hlc_encoding_sorts_as_text_in_time_order() -> None:
    stamps = [
        Timestamp(wall, counter, site)
        for wall in (0, 9, 10, 99, 100, 1_700_000_000_000, 1_800_000_000_000, 10**14)
        for counter in (0, 9, 10, 15, 16, 255, 256, 0xFFFFFF)
        for site in ("a", "b")
    ]
    encoded = [s.encode() for s in stamps]
    by_text = sorted(encoded)
    by_time = [s.encode() for s in sorted(stamps, key=lambda s: (s.wall_ms, s.counter, s.site))]
    assert by_text == by_time
    assert all(Timestamp.decode(e) == s for e, s in zip(encoded, stamps, strict=True))


def test_hlc_seeded_from_last_stays_monotonic_across_restarts() -> None:
    before = _clock([5_000, 5_000, 5_000])
    for _ in range(3):
        last = before.tick()
    restarted = _clock([1_000], last=last)  # the wall clock is now behind
    assert restarted.tick() > last


def test_store_clock_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cop.sqlite"
    s = open_store(path, operator="tester")
    # this site's clock ran ahead (e.g. it once had the wrong time, or observed a peer)
    future_ms = int((datetime.now(UTC) + timedelta(days=365)).timestamp() * 1000)
    s.clock = HybridLogicalClock(s.site.site_id, now_ms=lambda: future_ms)
    add_units(s, [unit("a")])
    add_units(s, [unit("b")])
    last = max(r.hlc for r in changes(s))
    assert Timestamp.decode(last).wall_ms == future_ms
    s.close()

    again = open_store(path, operator="tester")
    try:
        assert again.clock.tick() > last
        [uid] = add_units(again, [unit("c")])
        assert unit_record(again, uid).hlc > last
    finally:
        again.close()


@pytest.mark.parametrize("folder", ["ops #1", "why?", "50%41", "Sécurité"])
def test_store_is_written_exactly_where_asked(tmp_path: Path, folder: str) -> None:
    place = tmp_path / "stores"
    (place / folder).mkdir(parents=True)
    path = place / folder / "cop.sqlite"
    s = open_store(path, operator="tester")
    try:
        add_units(s, [unit("here")])
    finally:
        s.close()
    assert path.is_file()
    assert sorted(p.name for p in place.iterdir()) == [folder], "a store file appeared elsewhere"
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT name FROM unit").fetchall() == [("here",)]
    finally:
        raw.close()
    again = open_store(path, operator="tester")
    try:
        assert [u.name for u in list_units(again)] == ["here"]
    finally:
        again.close()
