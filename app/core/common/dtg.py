"""Military date-time groups (``281530ZNOV26``) and ISO 8601, always as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from app.i18n import _

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Military time-zone letters: A-M (no J) east of Greenwich, N-Y west, Z is UTC.
ZONE_OFFSETS: dict[str, int] = {
    **{letter: hours for hours, letter in enumerate("ABCDEFGHIKLM", start=1)},
    **{letter: -hours for hours, letter in enumerate("NOPQRSTUVWXY", start=1)},
    "Z": 0,
}

_DTG = re.compile(
    r"^(?P<day>\d{2})\s*(?P<hour>\d{2})(?P<minute>\d{2})\s*(?P<zone>[A-IK-Z])\s*"
    r"(?P<month>[A-Z]{3})\s*(?P<year>\d{4}|\d{2})$"
)


class DTGError(ValueError):
    """A date-time group or ISO date cannot be read; the message is for the user."""


def _to_utc(dt: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def format_dtg(dt: datetime) -> str:
    """``DDHHMMZMONYY`` in UTC, e.g. ``281530ZNOV26`` (seconds are dropped, not rounded)."""
    utc = _to_utc(dt)
    return f"{utc:%d%H%M}Z{MONTHS[utc.month - 1]}{utc:%y}"


def format_iso(dt: datetime) -> str:
    """ISO 8601 in UTC to the second with a ``Z`` suffix, e.g. ``2026-11-28T15:30:00Z``."""
    return f"{_to_utc(dt):%Y-%m-%dT%H:%M:%S}Z"


def _parse_military(text: str, match: re.Match[str]) -> datetime:
    month_name = match["month"]
    if month_name not in MONTHS:
        raise DTGError(
            _("'{text}' has an unknown month '{month}'").format(text=text, month=month_name)
        )
    month = MONTHS.index(month_name) + 1
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 2000
    day, hour, minute = int(match["day"]), int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise DTGError(
            _("'{text}' has an impossible time {time}").format(
                text=text, time=f"{hour:02d}{minute:02d}"
            )
        )
    try:
        day_date = date(year, month, day)
    except ValueError:
        raise DTGError(
            _("'{text}' is not a real date: {month} {year} has no day {day}").format(
                text=text, month=month_name, year=year, day=day
            )
        ) from None
    offset = timezone(timedelta(hours=ZONE_OFFSETS[match["zone"]]))
    local = datetime(day_date.year, day_date.month, day_date.day, hour, minute, tzinfo=offset)
    return local.astimezone(UTC)


def parse_dtg(text: str) -> datetime:
    """An aware UTC datetime from a date-time group or an ISO 8601 string.

    Accepts ``281530ZNOV26``, ``281530Z NOV 26``, ``281530ZNOV2026`` (any case; two-digit
    years are 20YY; other military zone letters such as ``A`` = UTC+1 are converted),
    and ISO 8601 such as ``2026-11-28T15:30:00Z``, ``2026-11-28T16:30+01:00`` or
    ``2026-11-28`` (midnight UTC). ISO times without an offset are taken as UTC.
    """
    if not isinstance(text, str) or not text.strip():
        raise DTGError(_("no date-time given"))
    cleaned = " ".join(text.split()).upper()
    match = _DTG.match(cleaned)
    if match:
        return _parse_military(text, match)
    if re.match(r"^\d{4}-?\d{2}-?\d{2}", cleaned):
        iso = cleaned[:-1] + "+00:00" if cleaned.endswith("Z") else cleaned
        try:
            return _to_utc(datetime.fromisoformat(iso))
        except ValueError:
            raise DTGError(_("'{text}' is not a real date and time").format(text=text)) from None
    raise DTGError(
        _(
            "'{text}' is not a date-time group (expected DDHHMMZMONYY such as 281530ZNOV26, "
            "or ISO 8601 such as 2026-11-28T15:30:00Z)"
        ).format(text=text)
    )
