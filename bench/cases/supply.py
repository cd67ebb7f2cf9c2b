"""Supply: logsitrep_1m (LOGSITREP over 1,000,000 ledger rows, ms) and
hxl_import (rows per second from a 100,000-row HXL stock table).

Baselines, measured in the same run: for ``logsitrep_1m`` the plain way
(fetch every ledger row and sum in Python); for ``hxl_import`` reading the same
file with libhxl's ``row.get('#tag')`` per field and storing nothing.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cases import Result, bench, median

SITES, ITEMS = 200, 100


def _reference(store: Any) -> tuple[list[str], list[str]]:
    from app.core.supply.ops import add_items, add_sites
    from app.core.supply.records import ItemData, SiteData

    rng = random.Random(11)
    sites = add_sites(
        store,
        [
            SiteData(
                name=f"Site {n:03d}",
                kind="distribution_point",
                lat=-13 + rng.random(),
                lon=39 + rng.random(),
                people_targeted=rng.randrange(1000, 50000),
            )
            for n in range(SITES)
        ],
    )
    items = add_items(
        store,
        [
            ItemData(
                code=f"IT{n:03d}",
                name=f"Item {n:03d}",
                category="water" if n == 0 else "other",
                unit="L" if n == 0 else "each",
                standard="water" if n == 0 else None,
            )
            for n in range(ITEMS)
        ],
    )
    return sites, items


def _fill_ledger(store: Any, sites: list[str], items: list[str], rows: int) -> None:
    """1,000,000 movements written straight into the table (the set-up, not what is measured)."""
    from app.core.common.times import sqlite_time

    rng = random.Random(3)
    now = datetime.now(UTC)
    conn = store.engine.raw_connection()
    try:
        cur = conn.cursor()
        batch = []
        site_id = store.site.site_id
        per_pair = rows // (len(sites) * len(items))
        n = 0
        for s in sites:
            for i in items:
                at0 = now - timedelta(days=40)
                batch.append((f"m{n:07d}", s, i, sqlite_time(at0), "receipt", 100_000))
                n += 1
                for k in range(per_pair - 1):
                    at = sqlite_time(
                        now - timedelta(days=39 * (1 - k / per_pair), minutes=rng.randrange(600))
                    )
                    batch.append((f"m{n:07d}", s, i, at, "issue", -rng.randrange(1, 40)))
                    n += 1
                if len(batch) >= 50_000:
                    _flush(cur, batch, site_id)
                    batch = []
        _flush(cur, batch, site_id)
        conn.commit()
    finally:
        conn.close()


def _flush(cur: Any, batch: list[tuple[Any, ...]], site_id: str) -> None:
    cur.executemany(
        "INSERT INTO stock_movement (id, site_id, item_id, at, kind, quantity, reason, lot, note, created_at,"
        " updated_at, hlc, origin_site, deleted, classification, releasable_to)"
        " VALUES (?, ?, ?, ?, ?, ?, '', '', '', ?, ?, 'h', ?, 0, 'UNCLASSIFIED', ',PUBLIC,')",
        [(*row, row[3], row[3], site_id) for row in batch],
    )


@bench("logsitrep_1m")
def logsitrep_1m(repeat: int | None) -> Result:
    from sqlalchemy import select

    from app.core.store.engine import open_store
    from app.core.store.models import StockMovement
    from app.core.supply.indicators import logsitrep

    folder = Path(tempfile.mkdtemp(prefix="cop-bench-supply-"))
    store = open_store(folder / "bench.sqlite", operator="bench", site_name="BENCH")
    try:
        sites, items = _reference(store)
        _fill_ledger(store, sites, items, 1_000_000)
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        times, lines = [], 0
        for _ in range(repeat or 3):
            t = time.perf_counter()
            lines = len(logsitrep(store))
            times.append((time.perf_counter() - t) * 1000)
        # baseline: every ledger row to Python, summed there
        t = time.perf_counter()
        sums: dict[tuple[str, str], int] = {}
        with store.session() as session:
            for s, i, q in session.execute(
                select(StockMovement.site_id, StockMovement.item_id, StockMovement.quantity)
            ):
                sums[(s, i)] = sums.get((s, i), 0) + q
        baseline = (time.perf_counter() - t) * 1000
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    return Result(
        "logsitrep_1m",
        "ms",
        median(times),
        baseline=baseline,
        note=f"target < 2,000 ms; {lines} rows; baseline = sum in Python (on hand only)",
    )


def _hxl_file(path: Path, rows: int) -> None:
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as out:
        out.write("LOGISTICS CLUSTER STOCK REPORT,,,,,\n,,,,,\n")
        out.write("Warehouse,Item code,Unit,Quantity,Date,Remarks\n")
        out.write("#loc+name,#item+code,#item+unit,#quantity,#date,\n")
        n = 0
        day = datetime(2026, 11, 1)
        while n < rows:
            for s in range(SITES):
                for i in range(ITEMS):
                    if n >= rows:
                        break
                    unit = "L" if i == 0 else "each"
                    out.write(
                        f"Site {s:03d},IT{i:03d},{unit},{rng.randrange(0, 9000)},{day:%Y-%m-%d},ok\n"
                    )
                    n += 1
            day += timedelta(days=1)


@bench("hxl_import")
def hxl_import(repeat: int | None) -> Result:
    import hxl

    from app.core.store.engine import open_store
    from app.core.supply.hxl import import_hxl

    folder = Path(tempfile.mkdtemp(prefix="cop-bench-hxl-"))
    rows = 100_000
    try:
        path = folder / "stock.csv"
        _hxl_file(path, rows)
        rates = []
        for run in range(repeat or 3):
            store = open_store(folder / f"bench{run}.sqlite", operator="bench", site_name="BENCH")
            try:
                _reference(store)
                t = time.perf_counter()
                result = import_hxl(store, path)
                rates.append(result.rows / (time.perf_counter() - t))
            finally:
                store.close()
        t = time.perf_counter()
        count = 0
        for row in hxl.data(str(path), hxl.InputOptions(allow_local=True)):
            (
                row.get("#loc"),
                row.get("#item"),
                row.get("#quantity"),
                row.get("#date"),
                row.get("#item+unit"),
            )
            count += 1
        baseline = count / (time.perf_counter() - t)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Result(
        "hxl_import",
        "rows/s",
        median(rates),
        baseline=baseline,
        higher_is_better=True,
        note="target >= 50,000 rows/s; baseline = libhxl row.get() per field, nothing stored",
    )
