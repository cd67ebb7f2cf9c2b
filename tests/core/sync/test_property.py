"""Convergence property: four SQLite sites and a PostgreSQL server, random edits,
deletes and insert-only rows, bundles duplicated, reordered and dropped; after a
full sync every site holds the same records, and every overwritten value is in
every site's conflict log."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.picture.ops import add_units, delete_records, move_units
from app.core.picture.queries import list_units
from app.core.store.engine import Store, open_store
from app.core.store.models import SyncChange, SyncConflict, Unit
from app.core.sync.bundle import export_bundle, import_bundle
from app.core.sync.central import sync_with_server
from app.core.sync.keys import trust_sender, write_site_key
from app.core.sync.merge import _Logged, _saw
from app.core.tasks.ops import add_tasks
from app.core.tasks.records import TaskData
from tests.core.sync.helpers import server_database, snapshot, unit

SITES = 4
NAMES = ["Alpha", "Bravo", "Charlie", "Delta"]

step = st.one_of(
    st.tuples(st.just("add"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("rename"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("move"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("delete"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("task"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("ledger"), st.integers(0, SITES - 1), st.integers(0, 5)),
    st.tuples(st.just("export"), st.integers(0, SITES - 1), st.integers(0, SITES - 1)),
    st.tuples(st.just("deliver"), st.integers(0, 50), st.integers(0, SITES - 1)),
)


def _ids(store: Store) -> list[str]:
    with store.session() as s:
        # insert-only rows (the "movements") are never picked for an edit
        return list(
            s.scalars(select(Unit.id).where(Unit.name.not_like("movement%")).order_by(Unit.id))
        )


def _run(tmp: Path, url: str, steps: list[tuple[str, int, int]]) -> None:
    stores = [
        open_store(tmp / f"s{i}.sqlite", site_name=NAMES[i], operator=f"op{i}")
        for i in range(SITES)
    ]
    try:
        for s in stores:
            write_site_key(s, tmp / f"{s.site.site_id}.key")
        for s in stores:
            for o in stores:
                if o is not s:
                    trust_sender(s, tmp / f"{o.site.site_id}.key", o.site.site_name)
        queue: list[tuple[Path, int, int]] = []
        ledger_rows = 0
        for n, (kind, i, k) in enumerate(steps):
            if kind == "deliver":  # any queued bundle, again or out of order
                if queue:
                    path, source, to = queue[i % len(queue)]
                    if to != source:
                        import_bundle(stores[to], path)
                continue
            s = stores[i]
            ids = _ids(s)
            pick = ids[k % len(ids)] if ids else None
            if kind == "add" or (pick is None and kind in ("rename", "move", "delete", "task")):
                add_units(s, [unit(f"{NAMES[i]} unit {n}", lat=-12 - k / 10)])
            elif kind == "rename":
                add_units(s, [unit(f"renamed {n} at {NAMES[i]}", uid=pick)])
            elif kind == "move":
                move_units(s, [(pick, -13 + n / 100, 40 + k / 100)])
            elif kind == "delete":
                delete_records(s, Unit, [pick])
            elif kind == "task":
                live = [u.id for u in list_units(s) if not u.name.startswith("movement")][: k + 1]
                add_tasks(s, [TaskData(title=f"task {n}", assigned_units=live)])
            elif kind == "ledger":  # insert-only rows, never edited: they never conflict
                add_units(s, [unit(f"movement {n}", lat=-14, lon=39)])
                ledger_rows += 1
            elif kind == "export":
                path = tmp / f"b{n}.zip"
                export_bundle(s, "NATO", path)
                queue.append((path, i, k))
        for _round in range(2):
            for s in stores:
                sync_with_server(s, url)
        snaps = [snapshot(s) for s in stores]
        for other in snaps[1:]:
            assert other == snaps[0]
        names = [r for r in snaps[0]["unit"]]
        assert sum(1 for r in names if "movement" in str(r)) == ledger_rows
        # every overwritten value is in every site's conflict log
        with stores[0].session() as session:
            log = session.execute(
                select(
                    SyncChange.table_name,
                    SyncChange.row_id,
                    SyncChange.hlc,
                    SyncChange.base_hlc,
                    SyncChange.op,
                    SyncChange.who,
                    SyncChange.fields,
                )
            ).all()
        by_row: dict[tuple[str, str], list[_Logged]] = defaultdict(list)
        for table, rid, hlc, base, op, who, fields in log:
            by_row[(table, rid)].append(_Logged(hlc, base, op, who, "", "", json.loads(fields)))
        expected: set[tuple[str, str, str]] = set()
        for (_table, rid), changes in by_row.items():
            fields = {f for c in changes for f in c.values}
            for f in fields - {"deleted"}:
                touching = sorted((c for c in changes if f in c.values), key=lambda c: c.hlc)
                winner = touching[-1]
                for c in touching[:-1]:
                    if not _saw(winner, c) and c.values[f] != winner.values[f]:
                        expected.add((rid, f, c.hlc))
        for s in stores:
            with s.session() as session:
                logged = set(
                    session.execute(
                        select(SyncConflict.row_id, SyncConflict.field, SyncConflict.lost_hlc)
                    ).all()
                )
            assert expected <= logged
    finally:
        for s in stores:
            s.close()


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=30))
def test_random_edits_and_bundles_then_a_full_sync_converge(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    with server_database() as url:
        _run(tmp_path_factory.mktemp("conv"), url, steps)


def test_a_fixed_scenario_of_concurrent_edits_converges(tmp_path: Path) -> None:
    steps = [
        ("add", 0, 0),
        ("export", 0, 1),
        ("export", 0, 2),
        ("deliver", 0, 1),
        ("deliver", 1, 2),
        ("rename", 1, 0),
        ("rename", 2, 0),
        ("delete", 0, 0),
        ("move", 1, 0),
        ("task", 2, 1),
        ("ledger", 3, 0),
        ("export", 2, 3),
        ("deliver", 2, 3),
        ("deliver", 2, 3),
    ]
    with server_database() as url:
        _run(tmp_path, url, steps)  # type: ignore[arg-type]
