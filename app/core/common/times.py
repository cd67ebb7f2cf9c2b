"""One time codec: instants as ISO 8601 text (UTC, ``Z``) and as SQLite stores them.

Every instant in the store is timezone-aware UTC.  Files and messages write it
as ISO 8601; SQLite holds it as naive UTC text, which raw statements (the fast
paths) must match byte for byte.  Military date-time groups are ``common.dtg``.
"""

from __future__ import annotations

from datetime import UTC, datetime


def sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (naive UTC), for raw statements;
    a naive datetime is taken as UTC, as the ``UTCDateTime`` column type does."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC (as the store keeps it)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_utc(text: str) -> datetime:
    """ISO 8601 text (naive taken as UTC, ``Z`` or any offset) as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(text))


def stored_time(value: str | datetime | None) -> datetime | None:
    """A time read from the store (text on SQLite, a datetime on PostgreSQL) as aware UTC."""
    if value is None:
        return None
    return parse_utc(value) if isinstance(value, str) else as_utc(value)


def from_sqlite(text: str) -> datetime:
    """The stored SQLite text back as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def change_time(value: datetime | str) -> str:
    """A change-log time as naive UTC text (the SQLite form); text is taken as it is."""
    return value if isinstance(value, str) else sqlite_time(value)


def iso_z(value: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC (``2026-01-02T03:04:05Z``); other offsets are kept."""
    return value.isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """ISO 8601 text (``Z`` or an offset) as a datetime; naive text stays naive."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
