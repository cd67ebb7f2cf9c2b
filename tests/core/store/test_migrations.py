"""Schema migrations: a new store, an old store, a store from the future, ``db upgrade``."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.cli import main
from app.core.picture.ops import move_units
from app.core.picture.queries import list_units
from app.core.store.engine import (
    StoreError,
    current_revision,
    head_revision,
    make_engine,
    open_store,
    sqlite_url,
    upgrade,
)

FIRST = "0001"
OLD_UNIT_ID = "01890a5d-ac96-774b-bcce-b302099a8057"


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def first_revision_store(tmp_path: Path) -> Path:
    """A store as the first release wrote it, holding one unit."""
    path = tmp_path / "old.sqlite"
    engine = make_engine(sqlite_url(path))
    try:
        before, after = upgrade(engine, FIRST)
        assert (before, after) == (None, FIRST)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO unit (id, name, callsign, nation, affiliation, sidc, lat, lon,"
                    " readiness, strength, remarks, created_at, updated_at, hlc, origin_site,"
                    " deleted, classification, releasable_to, last_report)"
                    " VALUES (:id, :name, 'VIPER', 'FRA', 'friend', '10031000151211000000',"
                    " 45.5, 6.25, 'amber', 80, 'from release 1',"
                    " '2026-01-01 10:00:00.000000', '2026-01-01 10:00:00.000000',"
                    " '000001767261600000.000000.old-site', 'old-site', 0,"
                    " 'NATO RESTRICTED', ',NATO,', '2026-01-01 09:30:00.000000')"
                ),
                {"id": OLD_UNIT_ID, "name": "2e Cie"},
            )
    finally:
        engine.dispose()
    return path


def test_head_is_not_the_first_revision() -> None:
    # otherwise the first-revision tests below would test nothing
    assert head_revision() != FIRST


def test_open_store_on_an_empty_path_creates_the_schema_at_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite"
    store = open_store(path, operator="tester")
    try:
        assert current_revision(store.engine) == head_revision()
        assert list_units(store) == []
    finally:
        store.close()
    assert _revision(path) == head_revision()
    assert {"unit", "crisis_zone", "sync_change", "site_profile", "unit_position"} <= _tables(path)


def test_open_store_on_an_empty_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    store = open_store(path, operator="tester")
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_open_store_upgrades_a_first_revision_store_and_keeps_its_data(
    first_revision_store: Path,
) -> None:
    assert _revision(first_revision_store) == FIRST
    assert "unit_position" not in _tables(first_revision_store)

    store = open_store(first_revision_store, operator="tester")
    try:
        assert current_revision(store.engine) == head_revision()
        assert "unit_position" in inspect(store.engine).get_table_names()
        [row] = list_units(store)
        assert row.id == OLD_UNIT_ID
        assert (row.name, row.callsign, row.nation, row.readiness, row.strength) == (
            "2e Cie",
            "VIPER",
            "FRA",
            "amber",
            80,
        )
        assert (row.lat, row.lon) == (45.5, 6.25)
        assert row.classification == "NATO RESTRICTED"
        assert row.releasable_to.codes == {"NATO"}
        assert row.remarks == "from release 1"
        # the site profile is created on first use of the upgraded store
        assert store.site.site_id
        # the new table works with the old unit
        assert move_units(store, [(OLD_UNIT_ID, 45.75, 6.5)]) == 1
        with store.engine.connect() as conn:
            n = conn.execute(
                text("SELECT count(*) FROM unit_position WHERE unit_id = :id"), {"id": OLD_UNIT_ID}
            ).scalar()
        assert n == 1
    finally:
        store.close()
    assert _revision(first_revision_store) == head_revision()


def _snapshot(path: Path) -> tuple[str, bool, bool]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    return digest, wal.exists(), shm.exists()


@pytest.fixture
def future_store(tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite"
    store = open_store(path, operator="tester")
    store.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    return path


def test_a_store_from_a_newer_version_is_refused_and_left_untouched(future_store: Path) -> None:
    before = _snapshot(future_store)
    with pytest.raises(StoreError) as info:
        open_store(future_store, operator="tester")
    message = str(info.value)
    assert "newer version" in message
    assert "9999_future" in message
    assert _snapshot(future_store) == before, "the refused store's files changed"


def test_db_upgrade_refuses_a_store_from_a_newer_version(
    future_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(future_store)
    assert main(["--db", str(future_store), "db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coalition-cop: error:")
    assert "newer version" in err
    assert len(err.strip().splitlines()) == 1
    assert _snapshot(future_store) == before
    assert _revision(future_store) == "9999_future"


def test_cli_db_upgrade_upgrades_then_says_up_to_date(
    first_revision_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = head_revision()
    assert main(["--db", str(first_revision_store), "db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "Upgraded" in out
    assert FIRST in out and head in out
    assert _revision(first_revision_store) == head

    assert main(["--db", str(first_revision_store), "db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "up to date" in out
    assert "Upgraded" not in out

    store = open_store(first_revision_store, operator="tester")
    try:
        assert [u.id for u in list_units(store)] == [OLD_UNIT_ID]
    finally:
        store.close()


def test_cli_db_upgrade_creates_a_new_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fresh.sqlite"
    assert main(["--db", str(path), "db", "upgrade"]) == 0
    assert "Upgraded" in capsys.readouterr().out
    assert _revision(path) == head_revision()


def test_the_migrations_build_exactly_the_schema_the_models_describe(tmp_path: Path) -> None:
    """A model change without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.core.store.base import Base

    store = open_store(tmp_path / "m.sqlite")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        store.close()
    assert diff == []
