"""Safety of the store: integrity check, backups while in use, restore, a
backup before each migration, and a killed import that leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from app.core.picture.ops import add_units, move_units
from app.core.picture.queries import counts, list_units
from app.core.picture.records import UnitData
from app.core.store import safety
from app.core.store.engine import StoreError, open_store


def _export(db: Path, out: Path) -> dict:
    assert main(["--db", str(db), "export", "--format", "geojson", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def _fill(store, n: int = 50) -> list[str]:  # type: ignore[no-untyped-def]
    return add_units(
        store,
        [
            UnitData(
                name=f"Unit {i}",
                callsign=f"C{i}",
                sidc="10031000001211000000",
                lat=-12 - i / 100,
                lon=40 + i / 100,
            )
            for i in range(n)
        ],
    )


def test_a_backup_taken_while_the_store_is_in_use_restores_to_the_same_export(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cop.sqlite"
    store = open_store(db)
    ids = _fill(store)
    backup = safety.backup_store(store, tmp_path / "b" / "backup.sqlite")
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    move_units(store, [(ids[0], -13.5, 39.5)])  # a change after the backup
    store.close()
    expected = _export(tmp_path / "b" / "backup.sqlite", tmp_path / "expected.geojson")
    assert main(["--db", str(db), "db", "restore", str(backup)]) == 0
    restored = _export(db, tmp_path / "restored.geojson")
    assert restored == expected
    # the store as it was before the restore is kept, and can itself be restored
    kept = sorted(safety.backups_dir(db).glob("*before-restore*.sqlite"))
    assert len(kept) == 1
    store = open_store(kept[0])
    try:
        assert next(u for u in list_units(store) if u.id == ids[0]).lat == -13.5
    finally:
        store.close()


def test_restore_refuses_a_file_that_is_not_a_sound_store_and_changes_nothing(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "cop.sqlite"
    store = open_store(db)
    _fill(store, 5)
    store.close()
    before = db.read_bytes()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    for bad in (junk, other, tmp_path / "missing.sqlite"):
        assert main(["--db", str(db), "db", "restore", str(bad)]) == 1
        err = capsys.readouterr().err
        assert str(bad.name) in err
    assert db.read_bytes() == before


def test_a_damaged_store_is_refused_at_start_with_the_newest_backup_named(tmp_path: Path) -> None:
    db = tmp_path / "cop.sqlite"
    store = open_store(db)
    _fill(store, 200)
    safety.backup_store(store, safety.backups_dir(db) / "cop-20261128T0000Z.sqlite")
    store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    for i in range(3 * page, min(len(data), 6 * page)):  # scribble over a few pages
        data[i] = 0xA5
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught:
        open_store(db, check=True)
    assert "damaged" in str(caught.value) and "cop-20261128T0000Z.sqlite" in str(caught.value)
    assert main(["--db", str(db), "db", "check"]) == 1


def test_a_migration_first_backs_up_the_store(tmp_path: Path) -> None:
    from app.core.store.engine import make_engine, sqlite_url, upgrade

    db = tmp_path / "old.sqlite"
    engine = make_engine(sqlite_url(db))
    upgrade(engine, "0001")
    engine.dispose()
    store = open_store(db)  # upgrades to head
    store.close()
    backups = list(safety.backups_dir(db).glob("old-*-before-*.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"


def test_kill_9_during_an_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "cop.sqlite"
    store = open_store(db)
    _fill(store, 20)
    store.close()
    before = _export(db, tmp_path / "before.geojson")
    big = tmp_path / "big.geojson"
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [40 + (i % 500) / 1000, -12 - (i // 500) / 1000],
            },
            "properties": {
                "name": f"Import {i}",
                "sidc": "10031000001211000000",
                "callsign": f"I{i}",
            },
        }
        for i in range(60_000)
    ]
    big.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    wal = db.with_name(db.name + "-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(db), "import", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # kill it once it is writing: the write-ahead log grows inside the transaction
    deadline = time.monotonic() + 60
    start_size = wal.stat().st_size if wal.exists() else 0
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > start_size + 512 * 1024:
            break
        time.sleep(0.005)
    assert proc.poll() is None, (
        "the import finished before it could be killed; make the file bigger"
    )
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert safety.integrity_problems(db) == []
    assert _export(db, tmp_path / "after.geojson") == before
    store = open_store(db)
    try:
        assert counts(store)["units"] == 20
    finally:
        store.close()


def test_a_restore_is_refused_while_the_store_is_open_and_changes_nothing(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Replacing the file under a running app would lose everything it writes after."""
    db = tmp_path / "cop.sqlite"
    store = open_store(db)
    _fill(store, 3)
    backup = safety.backup_store(store, tmp_path / "b.sqlite")
    _fill(store, 2)
    try:
        assert main(["--db", str(db), "db", "restore", str(backup)]) == 1
        assert "is open" in capsys.readouterr().err
        assert counts(store)["units"] == 5
    finally:
        store.close()
    assert main(["--db", str(db), "db", "restore", str(backup)]) == 0  # closed: it goes ahead
    reopened = open_store(db)
    try:
        assert counts(reopened)["units"] == 3
    finally:
        reopened.close()
