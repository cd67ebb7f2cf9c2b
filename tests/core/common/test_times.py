"""The one time codec: ISO 8601 with Z, the SQLite storage form, and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from app.core.common.times import (
    as_utc,
    change_time,
    from_sqlite,
    iso_z,
    parse_utc,
    sqlite_time,
    stored_time,
)

WHEN = datetime(2026, 11, 28, 15, 30, 5, 123456, tzinfo=UTC)


def test_iso_z_writes_utc_with_a_z_and_keeps_other_offsets() -> None:
    assert iso_z(WHEN) == "2026-11-28T15:30:05.123456Z"
    assert iso_z(WHEN.replace(microsecond=0)) == "2026-11-28T15:30:05Z"
    plus_two = WHEN.astimezone(timezone(timedelta(hours=2)))
    assert iso_z(plus_two) == "2026-11-28T17:30:05.123456+02:00"


def test_the_sqlite_form_is_naive_utc_to_the_microsecond_and_reads_back() -> None:
    assert sqlite_time(WHEN) == "2026-11-28 15:30:05.123456"
    assert sqlite_time(WHEN.replace(microsecond=0)) == "2026-11-28 15:30:05.000000"
    assert sqlite_time(WHEN.astimezone(timezone(timedelta(hours=-5)))) == sqlite_time(WHEN)
    assert sqlite_time(WHEN.replace(tzinfo=None)) == sqlite_time(WHEN)  # naive is UTC
    assert from_sqlite(sqlite_time(WHEN)) == WHEN
    assert change_time(WHEN) == sqlite_time(WHEN) and change_time("as is") == "as is"


def test_parsing_gives_aware_utc() -> None:
    assert parse_utc("2026-11-28T15:30:05.123456Z") == WHEN
    assert parse_utc("2026-11-28T17:30:05.123456+02:00").tzinfo is UTC
    assert parse_utc("2026-11-28 15:30:05.123456") == WHEN  # naive is UTC
    assert as_utc(WHEN.replace(tzinfo=None)) == WHEN
    assert stored_time(None) is None
    assert stored_time("2026-11-28 15:30:05.123456") == WHEN
    assert stored_time(WHEN.astimezone(timezone(timedelta(hours=3)))).tzinfo is UTC
