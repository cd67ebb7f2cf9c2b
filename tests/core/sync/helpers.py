"""Helpers for the sync tests: throw-away PostgreSQL databases, store snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.core.picture.records import UnitData
from app.core.store.engine import Store, open_store
from app.core.store.models import TaskUnit
from app.core.sync.tables import synced_tables

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def server_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database; dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = "cop_sync_" + uuid.uuid4().hex[:12]
    try:
        conn = psycopg.connect(ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - CI has the server
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432: {exc}")
    with conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_stores(tmp_path: Path, n: int, partner: str = "NATO") -> list[Store]:
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
    return [
        open_store(
            tmp_path / f"site{i}.sqlite", site_name=names[i], partner=partner, operator=f"op{i}"
        )
        for i in range(n)
    ]


def unit(
    name: str, lat: float = -12.9, lon: float = 40.4, rel: Any = "PUBLIC", uid: str | None = None
) -> UnitData:
    return UnitData(
        id=uid,
        name=name,
        callsign=name[:6].upper(),
        sidc="10031000151211000000",
        lat=lat,
        lon=lon,
        releasable_to=rel,
    )


def snapshot(store: Store) -> dict[str, Any]:
    """Every synchronised record (all columns but updated_at) and the task units."""
    out: dict[str, Any] = {}
    with store.session() as session:
        for name, st in sorted(synced_tables().items()):
            cols = [c for c in st.table.columns if c.name != "updated_at"]
            rows = session.execute(select(*cols).order_by(st.table.c.id)).all()
            out[name] = [tuple(str(v) for v in r) for r in rows]
        out["task_unit"] = session.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.position).order_by(
                TaskUnit.task_id, TaskUnit.position
            )
        ).all()
    return out


def count(store: Store, table: str) -> int:
    with store.session() as session:
        return int(session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() or 0)
