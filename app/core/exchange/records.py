"""Plain typed records the exchange formats bring besides units and zones: routes
and chat messages, and the shapes (circle, ellipse, rectangle) zones follow."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from app.core.common.geo import CoordinateError, validate_latlon
from app.core.common.markings import Releasability
from app.core.picture.records import ValidationError, checked_markings
from app.i18n import _

EARTH_RADIUS_M = 6371008.8
ELLIPSE_VERTICES = 72
# record ids of things heard on a TAK network: uuid5 of their uid in this namespace,
# so every site hearing the same event makes the same record
COT_NAMESPACE = uuid.UUID("6f1d3c2e-5a4b-4e8f-9c7d-2b1a0e9f8d7c")


@lru_cache(maxsize=4096)
def releasability(text: str) -> Releasability | str:
    """A releasability list parsed once per distinct text (files repeat a few of them);
    the text itself when it is not valid, for validation to name it."""
    from app.core.common.markings import MarkingError

    try:
        return Releasability.parse(text)
    except MarkingError:
        return text


@lru_cache(maxsize=65536)
def record_id(uid: str) -> str:
    """The record id for a CoT uid: the uid itself when it is a UUID, else uuid5(uid)."""
    try:
        parsed = uuid.UUID(uid)
    except ValueError:
        return str(uuid.uuid5(COT_NAMESPACE, uid))
    return str(parsed)


def destination(lat: float, lon: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """The point ``metres`` away on ``bearing_deg`` (great circle on the mean sphere)."""
    d = metres / EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lon2 = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    return math.degrees(p2), lon2


def ellipse_polygon(
    lat: float, lon: float, major: float, minor: float, angle: float = 0.0, geofence: bool = False
) -> dict[str, Any]:
    """A GeoJSON Polygon following an ellipse (a circle when ``major == minor``).

    ``major`` and ``minor`` are radii in metres; ``angle`` is the bearing of the major
    axis in degrees true.  The centre and radii are kept in the geometry's ``shape``
    member, so every export carries both the area and what it was drawn as.
    """
    ring: list[list[float]] = []
    a = math.radians(angle)
    for i in range(ELLIPSE_VERTICES):
        t = 2.0 * math.pi * i / ELLIPSE_VERTICES
        x, y = major * math.cos(t), minor * math.sin(t)
        north = x * math.cos(a) - y * math.sin(a)
        east = x * math.sin(a) + y * math.cos(a)
        plat, plon = destination(
            lat, lon, math.degrees(math.atan2(east, north)), math.hypot(north, east)
        )
        ring.append([plon, plat])
    ring.append(list(ring[0]))
    shape: dict[str, Any] = {
        "kind": "ellipse",
        "centre": [lon, lat],
        "major": major,
        "minor": minor,
        "angle": angle,
    }
    if geofence:
        shape["geofence"] = True
    return {"type": "Polygon", "coordinates": [ring], "shape": shape}


def polygon_from_points(
    points: list[tuple[float, float]], name: str, kind: str | None = None
) -> dict[str, Any]:
    """A Polygon from (lat, lon) vertices; refused with fewer than 3 distinct points."""
    ring = [[lon, lat] for lat, lon in points]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len({(x, y) for x, y in ring}) < 3:
        raise ValidationError(
            _("zone '{name}': a polygon needs at least 3 distinct points, it has {n}").format(
                name=name, n=len({(x, y) for x, y in ring})
            )
        )
    ring.append(list(ring[0]))
    geometry: dict[str, Any] = {"type": "Polygon", "coordinates": [ring]}
    if kind:
        geometry["shape"] = {"kind": kind}
    return geometry


@dataclass
class RouteData:
    """A route: (lat, lon) vertices in order, each with a name and kind."""

    name: str
    points: list[tuple[float, float]]
    waypoints: list[dict[str, str]] = field(default_factory=list)
    description: str = ""
    cot_uid: str | None = None
    last_report: datetime | None = None
    stale_after: datetime | None = None
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"
    id: str | None = None

    def validate(self) -> RouteData:
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError(_("a route needs a name"))
        if len(self.points) < 2:
            raise ValidationError(
                _("route '{name}': a route needs at least 2 points").format(name=self.name)
            )
        for lat, lon in self.points:
            try:
                validate_latlon(lat, lon)
            except CoordinateError as exc:
                raise ValidationError(
                    _("route '{name}': {error}").format(name=self.name, error=exc)
                ) from exc
        if not self.waypoints:
            self.waypoints = [{"name": "", "kind": "waypoint", "uid": ""} for _p in self.points]
        if len(self.waypoints) != len(self.points):
            raise ValidationError(
                _("route '{name}': {n} named points for {m} vertices").format(
                    name=self.name, n=len(self.waypoints), m=len(self.points)
                )
            )
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )
        return self

    def geometry(self) -> dict[str, Any]:
        return {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in self.points]}

    def columns(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "geometry": json.dumps(self.geometry(), separators=(",", ":")),
            "waypoints": json.dumps(self.waypoints, separators=(",", ":"), ensure_ascii=False),
            "description": self.description,
            "cot_uid": self.cot_uid,
            "last_report": self.last_report,
            "stale_after": self.stale_after,
            "classification": self.classification,
            "releasable_to": self.releasable_to,
        }


@dataclass
class MessageData:
    """One chat message (CoT ``b-t-f``)."""

    cot_uid: str
    text: str
    sent_at: datetime
    chatroom: str = ""
    sender_uid: str = ""
    sender_callsign: str = ""
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability | str | list[str] = "PUBLIC"
    id: str | None = None

    def validate(self) -> MessageData:
        if not self.cot_uid:
            raise ValidationError(_("a message needs a uid"))
        self.classification, self.releasable_to = checked_markings(
            self.classification, self.releasable_to
        )
        return self

    def columns(self) -> dict[str, Any]:
        return {
            "cot_uid": self.cot_uid,
            "chatroom": self.chatroom[:200],
            "sender_uid": self.sender_uid[:255],
            "sender_callsign": self.sender_callsign[:200],
            "text": self.text,
            "sent_at": self.sent_at,
            "classification": self.classification,
            "releasable_to": self.releasable_to,
        }
