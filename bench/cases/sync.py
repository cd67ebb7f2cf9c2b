"""Sync benchmarks (PostgreSQL at 127.0.0.1:5432, user postgres, as in CI).

- ``sync_100k``: push 100,000 changes to the server then pull them into a second
  store, ms; baseline: a raw COPY of the same rows into PostgreSQL in the same run;
  ratio = COPY / sync, target >= 0.2.
- ``sync_incremental_1m``: a sync of 100 changes (push from one store, pull into
  another) on stores and a server holding 1,000,000 changes, ms; target < 1,000.
- ``bundle_100k``: export then import of a bundle of 100,000 records, ms; target < 10,000.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cases import Result, bench, median

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def _database() -> Iterator[str]:
    import psycopg

    name = "cop_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _store_with_units(path: Path, n: int, name: str = "Alpha"):  # type: ignore[no-untyped-def]
    from app.core.picture.ops import add_units
    from app.core.picture.records import UnitData
    from app.core.store.engine import open_store

    store = open_store(path, site_name=name, operator="bench")
    units = [
        UnitData(
            name=f"Unit {i}",
            callsign=f"C{i}",
            nation="FRA",
            sidc="10031000151211000000",
            lat=-12 - (i % 1000) / 1000,
            lon=40 + (i // 1000) / 1000,
            remarks="x" * 120,
            classification="NATO RESTRICTED",
            releasable_to=["NATO", "UN"],
        )
        for i in range(n)
    ]
    for start in range(0, n, 50_000):
        add_units(store, units[start : start + 50_000])
    return store


def _copy_baseline(url: str, store) -> float:  # type: ignore[no-untyped-def]
    """A raw COPY of the same change rows into a plain PostgreSQL table, ms (read + COPY)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from app.core.sync.central import local_copy_text
    from app.core.sync.merge import CHANGE_COLUMNS

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    cols = ", ".join(CHANGE_COLUMNS)
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE copy_baseline (origin_site varchar(36), origin_seq int, table_name varchar(64), "
            "row_id varchar(36), op varchar(8), hlc varchar(64), base_hlc varchar(64), who varchar(200), "
            "at timestamptz, fields text, classification varchar(64), releasable_to varchar(512))"
        )
        conn.commit()
        t = time.perf_counter()
        with store.engine.connect() as local:
            _last, _n, text = local_copy_text(local, 0, 10_000_000)
        with conn.cursor() as cur, cur.copy(f"COPY copy_baseline ({cols}) FROM STDIN") as copy:
            copy.write(text)
        conn.commit()
        return (time.perf_counter() - t) * 1000


@bench("sync_100k")
def sync_100k(repeat: int | None) -> Result:
    from app.core.store.engine import open_store
    from app.core.sync.central import sync_with_server

    times, baselines = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(repeat or 3):
            a = _store_with_units(Path(tmp) / f"a{n}.sqlite", 100_000)
            b = open_store(Path(tmp) / f"b{n}.sqlite", site_name="Bravo")
            with _database() as url:
                baselines.append(_copy_baseline(url, a))
                t = time.perf_counter()
                sent = sync_with_server(a, url).sent
                received = sync_with_server(b, url).received
                times.append((time.perf_counter() - t) * 1000)
                assert sent == received == 100_000, (sent, received)
            a.close()
            b.close()
    return Result(
        "sync_100k",
        "ms",
        median(times),
        baseline=median(baselines),
        note="ratio = COPY / (push + pull); target >= 0.2",
    )


def _fill_million(store, n: int) -> None:  # type: ignore[no-untyped-def]
    """n unit rows and their n insert changes, written directly (setup, not timed)."""
    from app.core.common.times import sqlite_time
    from app.core.store.base import utcnow

    site = store.site.site_id
    now = sqlite_time(utcnow())
    hlc = store.clock.tick()
    with store.engine.begin() as conn:
        first = conn.exec_driver_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_change").scalar() + 1
        for start in range(0, n, 100_000):
            units, changes = [], []
            for i in range(start, min(n, start + 100_000)):
                uid = f"00000000-0000-7000-8000-{i:012d}"
                fields = json.dumps(
                    {
                        "name": f"U{i}",
                        "sidc": "10031000151211000000",
                        "lat": -12.5,
                        "lon": 40.5,
                        "classification": "UNCLASSIFIED",
                        "releasable_to": ["PUBLIC"],
                    }
                )
                units.append(
                    (
                        uid,
                        f"U{i}",
                        "",
                        "",
                        "friend",
                        "10031000151211000000",
                        -12.5,
                        40.5,
                        "green",
                        100,
                        "",
                        now,
                        now,
                        hlc,
                        site,
                        0,
                        "UNCLASSIFIED",
                        ",PUBLIC,",
                    )
                )
                seq = first + i
                changes.append(
                    (
                        seq,
                        site,
                        seq,
                        "unit",
                        uid,
                        "insert",
                        hlc,
                        None,
                        "bench",
                        now,
                        fields,
                        "UNCLASSIFIED",
                        ",PUBLIC,",
                    )
                )
            conn.exec_driver_sql(
                "INSERT INTO unit (id, name, callsign, nation, affiliation, sidc, lat, lon, readiness, strength,"
                " remarks, created_at, updated_at, hlc, origin_site, deleted, classification, releasable_to)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                units,
            )
            conn.exec_driver_sql(
                "INSERT INTO sync_change (seq, origin_site, origin_seq, table_name, row_id, op, hlc, base_hlc,"
                " who, at, fields, classification, releasable_to) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                changes,
            )


@bench("sync_incremental_1m")
def sync_incremental_1m(repeat: int | None) -> Result:
    from app.core.store.engine import open_store
    from app.core.store.models import SyncCursor, Unit
    from app.core.sync.central import sync_with_server

    times = []
    with tempfile.TemporaryDirectory() as tmp, _database() as url:
        a = open_store(Path(tmp) / "a.sqlite", site_name="Alpha")
        _fill_million(a, 1_000_000)
        sync_with_server(a, url)  # the server holds the million too
        a.close()
        shutil.copy(Path(tmp) / "a.sqlite", Path(tmp) / "b.sqlite")  # a copy: a new site
        a = open_store(Path(tmp) / "a.sqlite")
        b = open_store(Path(tmp) / "b.sqlite")
        # B is a copy made after the sync: it holds what the server holds
        from sqlalchemy import create_engine, func, select

        from app.core.store.models import SyncChange
        from app.core.sync.central import cursor_name

        server = create_engine(url)
        with server.connect() as conn:
            on_server = conn.execute(select(func.max(SyncChange.seq))).scalar() or 0
        server.dispose()
        with b.transaction() as s:
            held = s.scalar(select(func.max(SyncChange.seq))) or 0
            s.add(SyncCursor(peer=cursor_name(url), sent=held, received=on_server, last_result=""))
        sync_with_server(b, url)
        with a.session() as s:
            moved = list(s.scalars(select(Unit.id).limit(100)))
        from app.core.picture.ops import move_units

        for n in range(repeat or 5):
            move_units(a, [(uid, -12.0 - n / 100, 40.0 + i / 1000) for i, uid in enumerate(moved)])
            t = time.perf_counter()
            sent = sync_with_server(a, url).sent
            received = sync_with_server(b, url).received
            times.append((time.perf_counter() - t) * 1000)
            assert sent == received == 100, (sent, received)
        a.close()
        b.close()
    return Result(
        "sync_incremental_1m",
        "ms",
        median(times),
        note="push 100 + pull 100 on 1,000,000; target < 1000",
    )


@bench("bundle_100k")
def bundle_100k(repeat: int | None) -> Result:
    from app.core.store.engine import open_store
    from app.core.sync.bundle import export_bundle, import_bundle
    from app.core.sync.keys import trust_sender, write_site_key

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        a = _store_with_units(Path(tmp) / "a.sqlite", 100_000)
        write_site_key(a, Path(tmp) / "a.key")
        for n in range(repeat or 3):
            b = open_store(Path(tmp) / f"b{n}.sqlite", site_name="Bravo", partner="UN")
            trust_sender(b, Path(tmp) / "a.key", "alpha")
            t = time.perf_counter()
            exported = export_bundle(a, "UN", Path(tmp) / f"{n}.zip").changes
            imported = import_bundle(b, Path(tmp) / f"{n}.zip").new
            times.append((time.perf_counter() - t) * 1000)
            assert exported == imported == 100_000, (exported, imported)
            b.close()
        a.close()
    return Result("bundle_100k", "ms", median(times), note="export + import; target < 10000")
