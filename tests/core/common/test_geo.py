"""Coordinates: validation, MGRS, formatting, parsing and great-circle maths."""

from __future__ import annotations

import math
import random

import pytest

from app.core.common.geo import (
    CoordinateError,
    degrees_to_mils,
    distance_bearing,
    format_dd,
    format_dms,
    from_mgrs,
    metres_to_nm,
    mils_to_degrees,
    nm_to_metres,
    parse_coordinate,
    to_mgrs,
    validate_latlon,
)

PEMBA = (-12.97321, 40.51783)  # Pemba, Mozambique


def close(a: tuple[float, float], b: tuple[float, float], tol: float = 1e-6) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("lat, lon", [(0, 0), (90, 180), (-90, -180), (45.5, -73.25)])
def test_validate_accepts_in_range(lat: float, lon: float) -> None:
    validate_latlon(lat, lon)


@pytest.mark.parametrize(
    "lat, lon, message",
    [
        (95, 0, "latitude 95 is out of range (-90 to 90)"),
        (-90.5, 0, "latitude -90.5 is out of range (-90 to 90)"),
        (0, 180.25, "longitude 180.25 is out of range (-180 to 180)"),
        (0, -200, "longitude -200 is out of range (-180 to 180)"),
        (math.nan, 0, "latitude nan is not a finite number"),
        (0, math.inf, "longitude inf is not a finite number"),
        ("abc", 0, "latitude 'abc' is not a number"),
        (0, None, "longitude 'None' is not a number"),
    ],
)
def test_validate_rejects(lat: object, lon: object, message: str) -> None:
    with pytest.raises(CoordinateError) as err:
        validate_latlon(lat, lon)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_coordinate_error_is_a_value_error() -> None:
    assert issubclass(CoordinateError, ValueError)


# --------------------------------------------------------------------------- MGRS


def test_mgrs_reference_point_origin() -> None:
    # The equator / prime meridian crossing is the textbook 31N AA 66021 00000.
    assert to_mgrs(0, 0) == "31N AA 66021 00000"
    assert to_mgrs(0, 0, spaced=False) == "31NAA6602100000"


def test_mgrs_washington_monument() -> None:
    # Published as 18S UJ 23487 06483; agree at 10 m.
    assert to_mgrs(38.88949, -77.03523, precision=4) == "18S UJ 2348 0648"


def test_mgrs_spaced_and_compact_and_precision() -> None:
    assert to_mgrs(*PEMBA) == "37L FF 64630 65337"
    assert to_mgrs(*PEMBA, spaced=False) == "37LFF6463065337"
    assert to_mgrs(*PEMBA, precision=2) == "37L FF 64 65"
    assert to_mgrs(*PEMBA, precision=0) == "37L FF"


def test_mgrs_single_digit_zone_has_no_leading_zero() -> None:
    assert to_mgrs(21.3, -157.9, precision=2, spaced=False) == "4QFJ1455"


def test_mgrs_polar_regions_use_ups() -> None:
    assert to_mgrs(89.9, 10) == "Z AG 01927 89066"
    assert to_mgrs(90, 0) == "Z AH 00000 00000"
    assert to_mgrs(-90, 0, precision=0) == "B AN"
    lat, lon = from_mgrs("Z AG 01927 89066")
    assert abs(lat - 89.9) < 1e-4 and abs(lon - 10) < 1e-2


@pytest.mark.parametrize("precision", [-1, 6, 2.5])
def test_mgrs_bad_precision(precision: int) -> None:
    with pytest.raises(CoordinateError, match=r"MGRS precision .* is out of range \(0 to 5\)"):
        to_mgrs(0, 0, precision=precision)


def test_to_mgrs_validates_range() -> None:
    with pytest.raises(CoordinateError, match=r"latitude 91 is out of range"):
        to_mgrs(91, 0)


def test_mgrs_round_trip_within_one_metre() -> None:
    rng = random.Random(7)
    for _ in range(500):
        lat, lon = rng.uniform(-80, 84), rng.uniform(-180, 180)
        back = from_mgrs(to_mgrs(lat, lon))
        distance, _bearing = distance_bearing(lat, lon, *back)
        assert distance < 1.0, (lat, lon, back)


def test_mgrs_round_trip_all_precisions_parse() -> None:
    rng = random.Random(11)
    for _ in range(500):
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        precision = rng.randint(1, 5)
        for spaced in (True, False):
            reference = to_mgrs(lat, lon, precision, spaced)
            from_mgrs(reference)
            from_mgrs(reference, centre=True)


def test_from_mgrs_tolerates_spaces_and_case() -> None:
    expected = from_mgrs("37LFF6463065337")
    assert close(from_mgrs("37l ff 64630 65337"), expected)
    assert close(from_mgrs("  37L FF6463065337 "), expected)
    assert close(expected, PEMBA, tol=1e-4)
    assert close(from_mgrs("04QFJ1234"), from_mgrs("4qfj 12 34"))


def test_from_mgrs_returns_south_west_corner_or_centre() -> None:
    # A 1 km reference names the square whose SW corner is ...12000/...34000.
    corner = from_mgrs("4QFJ1234")
    assert close(corner, from_mgrs("4QFJ1200034000"))
    centre = from_mgrs("4QFJ1234", centre=True)
    assert close(centre, from_mgrs("4QFJ1250034500"))
    distance, bearing = distance_bearing(*corner, *centre)
    assert 700 < distance < 715  # half the diagonal of a 1 km square
    assert 40 < bearing < 50  # centre lies north-east of the corner
    # precision 5 is exact either way
    assert from_mgrs("37LFF6463065337", centre=True) == from_mgrs("37LFF6463065337")


@pytest.mark.parametrize(
    "text, message",
    [
        ("hello", "'hello' is not an MGRS grid reference"),
        ("37IFF11", "'37IFF11' is not an MGRS grid reference"),
        ("61LFF11", "MGRS grid reference '61LFF11': zone 61 is out of range (1 to 60)"),
        ("00LFF11", "MGRS grid reference '00LFF11': zone 0 is out of range (1 to 60)"),
        (
            "37LFF123",
            "MGRS grid reference '37LFF123' needs an even number of digits (2 to 10) "
            "after the 100 km square",
        ),
        (
            "37LFF",
            "MGRS grid reference '37LFF' needs an even number of digits (2 to 10) "
            "after the 100 km square",
        ),
        (
            "37LFF123456789012",
            "MGRS grid reference '37LFF123456789012' needs an even number of digits (2 to 10) "
            "after the 100 km square",
        ),
        ("37LSS1111", "MGRS grid reference '37LSS1111' is not valid"),
        ("37CFF1111", "MGRS grid reference '37CFF1111' does not lie in latitude band C"),
    ],
)
def test_from_mgrs_errors(text: str, message: str) -> None:
    with pytest.raises(CoordinateError) as err:
        from_mgrs(text)
    assert str(err.value) == message


# --------------------------------------------------------------------------- formatting


def test_format_dd() -> None:
    assert format_dd(*PEMBA) == "-12.97321, 40.51783"
    assert format_dd(-12.973214, 40.517826, places=3) == "-12.973, 40.518"
    assert format_dd(10, -20, places=0) == "10, -20"


def test_format_dd_no_negative_zero() -> None:
    assert format_dd(-0.000001, -0.0000004) == "0.00000, 0.00000"


def test_format_dd_validates() -> None:
    with pytest.raises(CoordinateError, match="longitude 181 is out of range"):
        format_dd(0, 181)


def test_format_dms() -> None:
    assert format_dms(*PEMBA) == "12°58'23.6\"S 40°31'04.2\"E"
    assert format_dms(51.5, -0.1275, seconds_places=0) == "51°30'00\"N 0°07'39\"W"
    assert format_dms(51.5, -0.1275, seconds_places=2) == "51°30'00.00\"N 0°07'39.00\"W"


def test_format_dms_rounding_carries_into_minutes_and_degrees() -> None:
    # 59.96" rounds to 60.0" and must carry, never print 60.0"
    assert format_dms(10 + 59 / 60 + 59.96 / 3600, 0) == "11°00'00.0\"N 0°00'00.0\"E"
    assert format_dms(0, 20 + 30 / 60 + 59.97 / 3600) == "0°00'00.0\"N 20°31'00.0\"E"
    assert format_dms(-12.999999, -179.9999999) == "13°00'00.0\"S 180°00'00.0\"W"
    assert format_dms(59.99999, 0.5, seconds_places=0) == "60°00'00\"N 0°30'00\"E"


def test_format_dms_tiny_negative_is_not_south() -> None:
    assert format_dms(-0.000001, -0.000001) == "0°00'00.0\"N 0°00'00.0\"E"


def test_format_dms_round_trips_through_parse() -> None:
    text = format_dms(*PEMBA, seconds_places=3)
    assert close(parse_coordinate(text), PEMBA, tol=1e-6)


# --------------------------------------------------------------------------- parsing

DMS_VALUE = (-(12 + 58 / 60 + 23.6 / 3600), 40 + 31 / 60 + 4.2 / 3600)
DDM_VALUE = (-(12 + 58.393 / 60), 40 + 31.070 / 60)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-12.97, 40.51", (-12.97, 40.51)),
        ("-12.97 40.51", (-12.97, 40.51)),
        ("-12.97,40.51", (-12.97, 40.51)),
        ("-12.97; 40.51", (-12.97, 40.51)),
        ("12.97S 40.51E", (-12.97, 40.51)),
        ("12.97s 40.51w", (-12.97, -40.51)),
        ("12.97°S, 40.51°E", (-12.97, 40.51)),
        ("S12.97 E40.51", (-12.97, 40.51)),
        ("N 12.97 W 40.51", (12.97, -40.51)),
        ("40.51E 12.97S", (-12.97, 40.51)),  # hemisphere letters decide the axis
        ("+12.97 -40.51", (12.97, -40.51)),
        ("12°58'23.6\"S 40°31'04.2\"E", DMS_VALUE),
        ("12° 58' 23.6\" S, 40° 31' 04.2\" E", DMS_VALUE),
        ("12°58′23.6″S 40°31′04.2″E", DMS_VALUE),  # typographic primes
        ("12º58'23.6''S 40º31'04.2''E", DMS_VALUE),  # ordinal sign and doubled quotes
        ("-12°58'23.6\" 40°31'04.2\"", DMS_VALUE),
        ("12 58 23.6 S 40 31 4.2 E", DMS_VALUE),
        ("S 12 58 23.6 E 40 31 4.2", DMS_VALUE),
        ("125823.6S 0403104.2E", DMS_VALUE),
        ("125823.6S0403104.2E", DMS_VALUE),
        ("12°58.393'S 40°31.070'E", DDM_VALUE),
        ("12 58.393 S 40 31.070 E", DDM_VALUE),
        ("1258.393S 04031.070E", DDM_VALUE),
    ],
)
def test_parse_coordinate_forms(text: str, expected: tuple[float, float]) -> None:
    assert close(parse_coordinate(text), expected, tol=1e-9)


def test_parse_compact_dms_whole_seconds() -> None:
    assert close(
        parse_coordinate("125823S 0403104E"), (-(12 + 58 / 60 + 23 / 3600), 40 + 31 / 60 + 4 / 3600)
    )


@pytest.mark.parametrize("text", ["37L FF 64630 65337", "37LFF6463065337", "37lff 6463 6533"])
def test_parse_coordinate_mgrs(text: str) -> None:
    assert close(parse_coordinate(text), PEMBA, tol=1e-3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no coordinate given"),
        ("   ", "no coordinate given"),
        ("95, 10", "latitude 95 is out of range (-90 to 90)"),
        ("10, 190", "longitude 190 is out of range (-180 to 180)"),
        ("95N 10E", "latitude 95 is out of range (-90 to 90)"),
        ("12 61 S 40 E", "minutes 61 must be less than 60 in '12 61 S 40 E'"),
        ("12 30 60 S 40 E", "seconds 60 must be less than 60 in '12 30 60 S 40 E'"),
        ("-12.97S 40E", "'-12.97S 40E' has both a minus sign and a hemisphere letter"),
        ("12.97S 40.51N", "'12.97S 40.51N' gives two latitudes"),
        ("12.97E, 40.51W", "'12.97E, 40.51W' gives two longitudes"),
        (
            "37LFF123",
            "MGRS grid reference '37LFF123' needs an even number of digits (2 to 10) after the 100 km square",
        ),
    ],
)
def test_parse_coordinate_errors(text: str, message: str) -> None:
    with pytest.raises(CoordinateError) as err:
        parse_coordinate(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "12.97",
        "12.97 40.51 5",
        "12.5 30 S 40 E",  # decimal degrees followed by minutes
        "12 30.5 15 S 40 E",  # decimal minutes followed by seconds
        "12.97S",
        "12 40.51E",  # one hemisphere letter for two numbers
        "12, 40, 50",
        "12°30'S 40°E 5",
        "1258233S 0403104E",  # 7-digit compact latitude
    ],
)
def test_parse_coordinate_not_understood_names_the_text(text: str) -> None:
    with pytest.raises(CoordinateError) as err:
        parse_coordinate(text)
    assert f"could not understand the coordinate '{text}'" in str(err.value)


def test_parse_coordinate_rejects_non_string() -> None:
    with pytest.raises(CoordinateError, match="no coordinate given"):
        parse_coordinate(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- measurement


def test_distance_one_degree_on_equator() -> None:
    distance, bearing = distance_bearing(0, 0, 0, 1)
    assert distance == pytest.approx(2 * math.pi * 6371008.8 / 360, rel=1e-12)
    assert bearing == pytest.approx(90)


@pytest.mark.parametrize(
    "end, bearing",
    [((1, 0), 0.0), ((0, 1), 90.0), ((-1, 0), 180.0), ((0, -1), 270.0)],
)
def test_cardinal_bearings(end: tuple[float, float], bearing: float) -> None:
    _distance, result = distance_bearing(0, 0, *end)
    assert result == pytest.approx(bearing, abs=1e-9)
    assert 0 <= result < 360


def test_distance_known_city_pair() -> None:
    # London Heathrow to New York JFK: about 5,540 km great-circle, initial bearing ~288°.
    distance, bearing = distance_bearing(51.4700, -0.4543, 40.6413, -73.7781)
    assert distance == pytest.approx(5_540_000, rel=0.005)
    assert bearing == pytest.approx(288.1, abs=0.5)


def test_distance_same_point_and_antipode() -> None:
    assert distance_bearing(10, 10, 10, 10) == (0.0, 0.0)
    distance, _bearing = distance_bearing(0, 0, 0, 180)
    assert distance == pytest.approx(math.pi * 6371008.8)


def test_distance_validates() -> None:
    with pytest.raises(CoordinateError, match="latitude 100 is out of range"):
        distance_bearing(0, 0, 100, 0)


def test_units() -> None:
    assert degrees_to_mils(360) == 6400
    assert degrees_to_mils(90) == 1600
    assert degrees_to_mils(1) == pytest.approx(17.7778, abs=1e-4)
    assert mils_to_degrees(3200) == 180
    assert metres_to_nm(1852) == 1
    assert metres_to_nm(18520) == pytest.approx(10)
    assert nm_to_metres(2) == 3704
