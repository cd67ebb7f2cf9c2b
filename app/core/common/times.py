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


def from_sqlite(text: str) -> datetime:
    """The stored SQLite text back as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def iso_z(value: datetime) -> str:
    """ISO 8601 with ``Z`` for UTC (``2026-01-02T03:04:05Z``); other offsets are kept."""
    return value.isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """ISO 8601 text (``Z`` or an offset) as a datetime; naive text stays naive."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
