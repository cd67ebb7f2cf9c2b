"""Geometry of the demo from control points: polygons, buffered lines, ellipses, points.

The data files give shapes as specs (see ``resources/demo/zones.toml``); ``shape()``
builds the GeoJSON.  Rings are rounded to 5 decimals and closed; polygons' exterior
rings are counter-clockwise (RFC 7946).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Points = Sequence[Sequence[float]]  # (lon, lat) pairs


def close(points: Points) -> list[list[float]]:
    """A closed ring of (lon, lat) rounded to 5 decimals."""
    ring = [[round(lon, 5), round(lat, 5)] for lon, lat in points]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def polygon(points: Points) -> dict[str, Any]:
    """A GeoJSON Polygon from (lon, lat) points, exterior counter-clockwise (RFC 7946)."""
    ring = close(points)
    area2 = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))
    if area2 < 0:
        ring.reverse()
    return {"type": "Polygon", "coordinates": [ring]}


def buffered_line(points: Points, half_width_deg: float) -> dict[str, Any]:
    """A thin polygon along a (lon, lat) line: a road corridor or a river's flood plain."""
    from shapely.geometry import LineString

    line = LineString([(lon, lat) for lon, lat in points]).buffer(half_width_deg, quad_segs=4)
    return polygon(list(line.exterior.coords))


def ellipse(lon: float, lat: float, rx_deg: float, ry_deg: float, n: int = 24) -> dict[str, Any]:
    return polygon(
        [
            (
                lon + rx_deg * math.cos(2 * math.pi * k / n),
                lat + ry_deg * math.sin(2 * math.pi * k / n),
            )
            for k in range(n)
        ]
    )


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def shape(spec: dict[str, Any], paths: dict[str, Points]) -> dict[str, Any]:
    """The GeoJSON of a data file's geometry spec; a path may be a name in ``paths``.

    ``{polygon = PATH}``, ``{line = PATH, half-width = DEG}``,
    ``{ellipse = [lon, lat], radii = [rx, ry], sides = 24}`` or ``{point = [lon, lat]}``.
    """
    if "point" in spec:
        lon, lat = spec["point"]
        return point(lon, lat)
    if "ellipse" in spec:
        (lon, lat), (rx, ry) = spec["ellipse"], spec["radii"]
        return ellipse(lon, lat, rx, ry, spec.get("sides", 24))
    if "polygon" in spec:
        return polygon(_points(spec["polygon"], paths))
    if "line" in spec:
        return buffered_line(_points(spec["line"], paths), spec["half-width"])
    raise ValueError(f"unknown geometry {spec!r}")


def _points(value: str | Points, paths: dict[str, Points]) -> Points:
    return paths[value] if isinstance(value, str) else value
