"""Coordinates: validation, MGRS, DD/DMS formatting, free-text parsing and great-circle maths.

All positions are WGS84 ``(lat, lon)`` in decimal degrees, south and west negative.
Every error is a :class:`CoordinateError` whose message is meant for the user.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import mgrs

from app.i18n import _

EARTH_RADIUS_M = 6371008.8
"""WGS84 mean radius (IUGG R1), used for great-circle distances."""

MILS_PER_CIRCLE = 6400
"""NATO mils."""

METRES_PER_NM = 1852.0

MGRS_MAX_PRECISION = 5


class CoordinateError(ValueError):
    """A coordinate is out of range or cannot be understood; the message is for the user."""


def _show(value: object) -> str:
    """A number as the user would write it: ``95`` not ``95.0``."""
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


# --------------------------------------------------------------------------- validation


def _as_float(value: object, axis: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if axis == "lat":
            message = _("latitude '{value}' is not a number")
        else:
            message = _("longitude '{value}' is not a number")
        raise CoordinateError(message.format(value=value)) from None


def validate_latlon(lat: float, lon: float) -> None:
    """Raise :class:`CoordinateError` unless ``lat`` is in [-90, 90] and ``lon`` in [-180, 180]."""
    lat_f = _as_float(lat, "lat")
    lon_f = _as_float(lon, "lon")
    if not math.isfinite(lat_f):
        raise CoordinateError(
            _("latitude {value} is not a finite number").format(value=_show(lat_f))
        )
    if not math.isfinite(lon_f):
        raise CoordinateError(
            _("longitude {value} is not a finite number").format(value=_show(lon_f))
        )
    if not -90.0 <= lat_f <= 90.0:
        raise CoordinateError(
            _("latitude {value} is out of range (-90 to 90)").format(value=_show(lat_f))
        )
    if not -180.0 <= lon_f <= 180.0:
        raise CoordinateError(
            _("longitude {value} is out of range (-180 to 180)").format(value=_show(lon_f))
        )


# --------------------------------------------------------------------------- MGRS

_MGRS = mgrs.MGRS()

# Zone 1-60, latitude band C-X (no I/O), 100 km square column A-Z and row A-V (no I/O).
_UTM_MGRS = re.compile(r"^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z][A-HJ-NP-V])(\d*)$")
# Polar (UPS): A/B south, Y/Z north, then the 100 km square.
_UPS_MGRS = re.compile(r"^([ABYZ])([A-HJ-NP-Z][A-HJ-NP-Z])(\d*)$")
_BANDS = "CDEFGHJKLMNPQRSTUVWX"
# A coarse reference's corner may lie a little outside its band; a wrong band is degrees off.
_BAND_TOLERANCE_DEG = 0.5


@dataclass(frozen=True)
class _MgrsParts:
    zone: str  # "" for UPS
    band: str
    square: str
    easting: str
    northing: str


def _split_mgrs(compact: str) -> _MgrsParts | None:
    """Split an upper-case MGRS string without spaces; None if it is not MGRS-shaped."""
    match = _UTM_MGRS.match(compact)
    if match:
        zone, band, square, digits = match.groups()
    else:
        match = _UPS_MGRS.match(compact)
        if not match:
            return None
        band, square, digits = match.groups()
        zone = ""
    half = len(digits) // 2
    return _MgrsParts(zone, band, square, digits[:half], digits[half:])


def _band_limits(band: str) -> tuple[float, float]:
    index = _BANDS.index(band)
    south = -80.0 + 8.0 * index
    north = 84.0 if band == "X" else south + 8.0
    return south, north


def to_mgrs(lat: float, lon: float, precision: int = 5, spaced: bool = True) -> str:
    """MGRS grid reference, e.g. ``37L FF 64630 65337`` (or compact ``37LFF6463065337``).

    ``precision`` is the number of digits per axis: 5 = 1 m, 4 = 10 m ... 1 = 10 km,
    0 = the 100 km square only. Polar regions give UPS references (``Z AG 01927 89066``).
    The zone number is written without a leading zero (``4Q FJ ...``).
    """
    validate_latlon(lat, lon)
    if (
        isinstance(precision, bool)
        or not isinstance(precision, int)
        or not (0 <= precision <= MGRS_MAX_PRECISION)
    ):
        raise CoordinateError(
            _("MGRS precision {value} is out of range (0 to 5)").format(value=precision)
        )
    try:
        raw = _MGRS.toMGRS(float(lat), float(lon), MGRSPrecision=precision)
    except Exception as exc:  # mgrs raises its own MGRSError
        raise CoordinateError(
            _("cannot convert {lat}, {lon} to MGRS").format(lat=_show(lat), lon=_show(lon))
        ) from exc
    parts = _split_mgrs(raw.strip().upper())
    if parts is None:  # pragma: no cover - the library always returns a well-formed string
        raise CoordinateError(
            _("cannot convert {lat}, {lon} to MGRS").format(lat=_show(lat), lon=_show(lon))
        )
    zone = str(int(parts.zone)) if parts.zone else ""
    pieces = [zone + parts.band, parts.square, parts.easting, parts.northing]
    pieces = [p for p in pieces if p]
    return " ".join(pieces) if spaced else "".join(pieces)


def from_mgrs(text: str, *, centre: bool = False) -> tuple[float, float]:
    """``(lat, lon)`` of an MGRS/UPS grid reference such as ``37L FF 64630 65337``.

    Spaces and case do not matter; 1 to 5 digits per axis are accepted. The result
    is the south-west corner of the grid square the reference names (so
    ``37LFF6465`` is the corner of a 1 km square), or its centre with ``centre=True``.
    """
    compact = re.sub(r"\s+", "", str(text)).upper()
    parts = _split_mgrs(compact)
    if parts is None:
        raise CoordinateError(_("'{text}' is not an MGRS grid reference").format(text=text))
    if parts.zone and not 1 <= int(parts.zone) <= 60:
        raise CoordinateError(
            _("MGRS grid reference '{text}': zone {zone} is out of range (1 to 60)").format(
                text=text, zone=int(parts.zone)
            )
        )
    digits = len(parts.easting) + len(parts.northing)
    if digits % 2 or not 2 <= digits <= 2 * MGRS_MAX_PRECISION:
        raise CoordinateError(
            _(
                "MGRS grid reference '{text}' needs an even number of digits (2 to 10) "
                "after the 100 km square"
            ).format(text=text)
        )
    precision = digits // 2

    def pad(value: str) -> str:
        if precision == MGRS_MAX_PRECISION:
            return value
        filler = "5" + "0" * (MGRS_MAX_PRECISION - precision - 1) if centre else ""
        return (value + filler).ljust(MGRS_MAX_PRECISION, "0")

    full = f"{parts.zone}{parts.band}{parts.square}{pad(parts.easting)}{pad(parts.northing)}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the library warns for corners just outside a band
            lat, lon = _MGRS.toLatLon(full)
    except Exception as exc:  # mgrs raises its own MGRSError
        raise CoordinateError(
            _("MGRS grid reference '{text}' is not valid").format(text=text)
        ) from exc
    if parts.zone:
        south, north = _band_limits(parts.band)
        if not south - _BAND_TOLERANCE_DEG <= lat <= north + _BAND_TOLERANCE_DEG:
            raise CoordinateError(
                _("MGRS grid reference '{text}' does not lie in latitude band {band}").format(
                    text=text, band=parts.band
                )
            )
    return float(lat), float(lon)


# --------------------------------------------------------------------------- formatting


def format_dd(lat: float, lon: float, places: int = 5) -> str:
    """Decimal degrees, e.g. ``-12.97321, 40.51783``."""
    validate_latlon(lat, lon)
    if not 0 <= places <= 12:
        raise CoordinateError(
            _("{value} decimal places is out of range (0 to 12)").format(value=places)
        )

    def one(value: float) -> str:
        text = f"{float(value):.{places}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text

    return f"{one(lat)}, {one(lon)}"


def _dms(value: float, seconds_places: int, positive: str, negative: str) -> str:
    scale = 10**seconds_places
    total = math.floor(abs(float(value)) * 3600 * scale + 0.5)  # rounding carries into min/deg
    degrees, rest = divmod(total, 3600 * scale)
    minutes, seconds = divmod(rest, 60 * scale)
    if seconds_places:
        sec_text = f"{seconds // scale:02d}.{seconds % scale:0{seconds_places}d}"
    else:
        sec_text = f"{seconds:02d}"
    hemisphere = negative if value < 0 and total > 0 else positive
    return f"{degrees}°{minutes:02d}'{sec_text}\"{hemisphere}"


def format_dms(lat: float, lon: float, seconds_places: int = 1) -> str:
    """Degrees, minutes, seconds, e.g. ``12°58'23.6"S 40°31'04.2"E``."""
    validate_latlon(lat, lon)
    if not 0 <= seconds_places <= 6:
        raise CoordinateError(
            _("{value} decimal places is out of range (0 to 6)").format(value=seconds_places)
        )
    return f"{_dms(lat, seconds_places, 'N', 'S')} {_dms(lon, seconds_places, 'E', 'W')}"


# --------------------------------------------------------------------------- parsing

_TRANSLATE = str.maketrans(
    {
        "º": "°",
        "˚": "°",
        "′": "'",
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "″": '"',
        "“": '"',
        "”": '"',
    }
)
_TOKEN = re.compile(
    r"\s*(?:(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+))|(?P<unit>[°'\"])|(?P<hemi>[NSEW])|(?P<sep>[,;/]))"
)
_UNIT_PART = {"°": 0, "'": 1, '"': 2}


@dataclass(frozen=True)
class _Token:
    kind: str  # num | unit | hemi | sep
    text: str


@dataclass(frozen=True)
class _Angle:
    value: float
    axis: str | None  # "lat", "lon" or None when no hemisphere letter was given


def _not_understood(text: str) -> CoordinateError:
    return CoordinateError(
        _(
            "could not understand the coordinate '{text}' "
            "(try -12.97321, 40.51783 or 12°58'23.6\"S 40°31'04.2\"E or 37L FF 64630 65337)"
        ).format(text=text)
    )


def _tokenise(text: str, normalised: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    normalised = normalised.rstrip()
    while pos < len(normalised):
        match = _TOKEN.match(normalised, pos)
        if not match or match.end() == pos:
            raise _not_understood(text)
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


def _split_pair(text: str, tokens: list[_Token]) -> tuple[list[_Token], list[_Token]]:
    seps = [i for i, t in enumerate(tokens) if t.kind == "sep"]
    if seps:
        if len(seps) != 1:
            raise _not_understood(text)
        return tokens[: seps[0]], tokens[seps[0] + 1 :]
    hemis = [i for i, t in enumerate(tokens) if t.kind == "hemi"]
    if len(hemis) == 2:
        if hemis[0] == 0:  # prefix style: S12.97 E40.51
            return tokens[: hemis[1]], tokens[hemis[1] :]
        return tokens[: hemis[0] + 1], tokens[hemis[0] + 1 :]  # suffix style: 12.97S 40.51E
    if hemis:
        raise _not_understood(text)
    degree_marks = [i for i, t in enumerate(tokens) if t.text == "°"]
    if len(degree_marks) == 2:  # -12°58'23.6" 40°31'04.2"
        cut = degree_marks[1] - 1
        return tokens[:cut], tokens[cut:]
    numbers = [t for t in tokens if t.kind == "num"]
    if len(numbers) == 2 and len(tokens) == 2:  # -12.97 40.51
        return tokens[:1], tokens[1:]
    raise _not_understood(text)


def _compact_angle(number: str, hemi: str) -> float | None:
    """``125823`` (DDMMSS) / ``0403104`` (DDDMMSS) and the DDMM forms.

    None if ``number`` is plain degrees; NaN if it looks compact but is malformed.
    """
    whole, _dot, fraction = number.partition(".")
    if not whole.isdigit():
        return None
    deg_digits = 2 if hemi in "NS" else 3
    if len(whole) == deg_digits + 2:
        degrees, minutes, seconds = whole[:deg_digits], whole[deg_digits:] + "." + fraction, "0"
    elif len(whole) == deg_digits + 4:
        degrees = whole[:deg_digits]
        minutes = whole[deg_digits : deg_digits + 2]
        seconds = whole[deg_digits + 2 :] + "." + fraction
    elif len(whole) > deg_digits + 1:
        return math.nan  # too many digits for degrees, wrong count for a compact form
    else:
        return None
    minutes_f, seconds_f = float(minutes.rstrip(".")), float(seconds.rstrip("."))
    if minutes_f >= 60 or seconds_f >= 60:
        return math.nan
    return int(degrees) + minutes_f / 60 + seconds_f / 3600


def _parse_angle(text: str, tokens: list[_Token]) -> _Angle:
    if not tokens:
        raise _not_understood(text)
    hemi = ""
    if tokens[0].kind == "hemi":
        hemi, tokens = tokens[0].text, tokens[1:]
    if tokens and tokens[-1].kind == "hemi":
        if hemi:
            raise _not_understood(text)
        hemi, tokens = tokens[-1].text, tokens[:-1]
    if not tokens or any(t.kind in ("hemi", "sep") for t in tokens):
        raise _not_understood(text)

    # Pair each number with the unit mark that follows it, if any.
    items: list[tuple[str, str | None]] = []
    for token in tokens:
        if token.kind == "num":
            items.append((token.text, None))
        elif items and items[-1][1] is None:
            items[-1] = (items[-1][0], token.text)
        else:
            raise _not_understood(text)

    first = items[0][0]
    negative = first.startswith("-")
    if any(num[0] in "+-" for num, _unit in items[1:]):
        raise _not_understood(text)
    if negative and hemi:
        raise CoordinateError(
            _("'{text}' has both a minus sign and a hemisphere letter").format(text=text)
        )
    axis = None if not hemi else ("lat" if hemi in "NS" else "lon")
    if hemi in ("S", "W"):
        negative = True

    if len(items) == 1 and items[0][1] is None and hemi:
        compact = _compact_angle(first.lstrip("+"), hemi)
        if compact is not None:
            if math.isnan(compact):
                raise _not_understood(text)
            return _Angle(-compact if negative else compact, axis)

    parts: list[str | None] = [None, None, None]
    next_part = 0
    for number, unit in items:
        index = _UNIT_PART[unit] if unit else next_part
        if index < next_part or index > 2:
            raise _not_understood(text)
        parts[index] = number.lstrip("+-")
        next_part = index + 1
    degrees, minutes, seconds = parts
    if degrees is None or (seconds is not None and minutes is None):
        raise _not_understood(text)
    if ("." in degrees and minutes is not None) or (
        minutes is not None and "." in minutes and seconds is not None
    ):
        raise _not_understood(text)
    value = float(degrees)
    if minutes is not None:
        if float(minutes) >= 60:
            raise CoordinateError(
                _("minutes {value} must be less than 60 in '{text}'").format(
                    value=minutes, text=text
                )
            )
        value += float(minutes) / 60
    if seconds is not None:
        if float(seconds) >= 60:
            raise CoordinateError(
                _("seconds {value} must be less than 60 in '{text}'").format(
                    value=seconds, text=text
                )
            )
        value += float(seconds) / 3600
    return _Angle(-value if negative else value, axis)


def parse_coordinate(text: str) -> tuple[float, float]:
    """``(lat, lon)`` from what a user typed: MGRS, decimal degrees, DMS or degrees-decimal-minutes.

    Examples: ``37L FF 64630 65337``, ``-12.97, 40.51``, ``12.97S 40.51E``, ``S12.97 E40.51``,
    ``12°58'23.6"S 40°31'04.2"E``, ``12 58 23.6 S 40 31 4.2 E``, ``125823S 0403104E``,
    ``12°58.393'S 40°31.070'E``. Without hemisphere letters the order is latitude, longitude.
    """
    if not isinstance(text, str) or not text.strip():
        raise CoordinateError(_("no coordinate given"))
    compact = re.sub(r"\s+", "", text).upper()
    if _split_mgrs(compact) is not None:
        return from_mgrs(text.strip())
    normalised = text.strip().upper().translate(_TRANSLATE).replace("''", '"')
    tokens = _tokenise(text, normalised)
    first, second = _split_pair(text, tokens)
    a, b = _parse_angle(text, first), _parse_angle(text, second)
    if a.axis is not None and a.axis == b.axis:
        if a.axis == "lat":
            raise CoordinateError(_("'{text}' gives two latitudes").format(text=text))
        raise CoordinateError(_("'{text}' gives two longitudes").format(text=text))
    if a.axis == "lon" or b.axis == "lat":
        a, b = b, a
    validate_latlon(a.value, b.value)
    return a.value, b.value


# --------------------------------------------------------------------------- measurement


def distance_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """Great-circle distance in metres and initial true bearing in degrees [0, 360)."""
    validate_latlon(lat1, lon1)
    validate_latlon(lat2, lon2)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    distance = 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    y = math.sin(d_lambda) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lambda)
    bearing = math.degrees(math.atan2(y, x)) % 360.0
    if bearing >= 360.0:  # -tiny % 360 rounds to 360.0
        bearing = 0.0
    return distance, bearing


def degrees_to_mils(deg: float) -> float:
    """Degrees to NATO mils (6400 to a circle)."""
    return float(deg) * MILS_PER_CIRCLE / 360.0


def mils_to_degrees(mils: float) -> float:
    """NATO mils (6400 to a circle) to degrees."""
    return float(mils) * 360.0 / MILS_PER_CIRCLE


def metres_to_nm(m: float) -> float:
    """Metres to international nautical miles (1852 m)."""
    return float(m) / METRES_PER_NM


def nm_to_metres(nm: float) -> float:
    """International nautical miles (1852 m) to metres."""
    return float(nm) * METRES_PER_NM


def range_bearing_text(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    """``12.34 km · 6.66 NM · 045.2° T · 0804 mils``: what the range and bearing tool shows."""
    metres, bearing = distance_bearing(lat1, lon1, lat2, lon2)
    mils = degrees_to_mils(bearing) % 6400
    return _("{km:.2f} km · {nm:.2f} NM · {deg:05.1f}° T · {mils:04.0f} mils").format(
        km=metres / 1000, nm=metres_to_nm(metres), deg=bearing, mils=mils
    )
