"""Date-time groups and ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.common.dtg import DTGError, format_dtg, format_iso, parse_dtg, utcnow

NOV28 = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)


def test_format_dtg_aware_naive_and_converted() -> None:
    assert format_dtg(NOV28) == "281530ZNOV26"
    assert format_dtg(datetime(2026, 11, 28, 15, 30, 59)) == "281530ZNOV26"  # naive = UTC
    plus_one = timezone(timedelta(hours=1))
    assert format_dtg(datetime(2026, 11, 28, 16, 30, tzinfo=plus_one)) == "281530ZNOV26"
    # conversion crosses midnight and the year
    minus_five = timezone(timedelta(hours=-5))
    assert format_dtg(datetime(2026, 12, 31, 22, 0, tzinfo=minus_five)) == "010300ZJAN27"


def test_format_dtg_every_month() -> None:
    months = [format_dtg(datetime(2026, m, 1))[7:10] for m in range(1, 13)]
    assert "".join(months) == "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"


def test_format_iso() -> None:
    assert format_iso(NOV28) == "2026-11-28T15:30:00Z"
    assert format_iso(datetime(2026, 11, 28, 15, 30, 1, 999_999)) == "2026-11-28T15:30:01Z"
    plus_two = timezone(timedelta(hours=2))
    assert format_iso(datetime(2026, 11, 28, 17, 30, tzinfo=plus_two)) == "2026-11-28T15:30:00Z"


@pytest.mark.parametrize(
    "text",
    [
        "281530ZNOV26",
        "281530Z NOV 26",
        "281530znov26",
        "  281530ZNOV26  ",
        "28 1530Z NOV 26",
        "281530ZNOV2026",
        "281530Z nov 2026",
        "281630ANOV26",  # zone A = UTC+1
        "281030RNOV26",  # zone R = UTC-5
        "2026-11-28T15:30:00Z",
        "2026-11-28T15:30Z",
        "2026-11-28t15:30:00z",
        "2026-11-28T16:30:00+01:00",
        "2026-11-28T10:30:00-05:00",
        "2026-11-28T15:30:00",  # no offset = UTC
        "2026-11-28 15:30",
    ],
)
def test_parse_forms(text: str) -> None:
    result = parse_dtg(text)
    assert result == NOV28
    assert result.tzinfo is UTC


def test_parse_date_only_is_midnight_utc() -> None:
    assert parse_dtg("2026-11-28") == datetime(2026, 11, 28, tzinfo=UTC)


def test_round_trip() -> None:
    for dt in (
        NOV28,
        datetime(2028, 2, 29, 0, 0, tzinfo=UTC),
        datetime(2030, 1, 1, 23, 59, tzinfo=UTC),
    ):
        assert parse_dtg(format_dtg(dt)) == dt
        assert parse_dtg(format_iso(dt)) == dt


def test_leap_years() -> None:
    assert parse_dtg("290000ZFEB28") == datetime(2028, 2, 29, tzinfo=UTC)
    with pytest.raises(DTGError) as err:
        parse_dtg("290000ZFEB27")
    assert str(err.value) == "'290000ZFEB27' is not a real date: FEB 2027 has no day 29"


@pytest.mark.parametrize(
    "text, message",
    [
        ("311530ZFEB26", "'311530ZFEB26' is not a real date: FEB 2026 has no day 31"),
        ("001530ZFEB26", "'001530ZFEB26' is not a real date: FEB 2026 has no day 0"),
        ("311530ZAPR26", "'311530ZAPR26' is not a real date: APR 2026 has no day 31"),
        ("282430ZNOV26", "'282430ZNOV26' has an impossible time 2430"),
        ("281560ZNOV26", "'281560ZNOV26' has an impossible time 1560"),
        ("281530ZXYZ26", "'281530ZXYZ26' has an unknown month 'XYZ'"),
        ("2026-02-30", "'2026-02-30' is not a real date and time"),
        ("2026-11-28T25:00Z", "'2026-11-28T25:00Z' is not a real date and time"),
        ("", "no date-time given"),
        (
            "yesterday",
            "'yesterday' is not a date-time group (expected DDHHMMZMONYY such as 281530ZNOV26, "
            "or ISO 8601 such as 2026-11-28T15:30:00Z)",
        ),
        (
            "281530JNOV26",  # J is not a time-zone letter
            "'281530JNOV26' is not a date-time group (expected DDHHMMZMONYY such as 281530ZNOV26, "
            "or ISO 8601 such as 2026-11-28T15:30:00Z)",
        ),
        (
            "281530ZNOV026",
            "'281530ZNOV026' is not a date-time group (expected DDHHMMZMONYY such as 281530ZNOV26, "
            "or ISO 8601 such as 2026-11-28T15:30:00Z)",
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(DTGError) as err:
        parse_dtg(text)
    assert str(err.value) == message


def test_dtg_error_is_value_error() -> None:
    assert issubclass(DTGError, ValueError)


def test_utcnow_is_aware_and_current() -> None:
    now = utcnow()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
