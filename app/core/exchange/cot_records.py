"""CoT events <-> the picture's records.

In: atoms (``a-...``) become units (SIDC from the type), drawn shapes become
crisis zones (``u-d-f`` free-form polygons from their ``link point=``
vertices, ``u-d-r`` rectangles, ``u-d-c-c`` circles and ellipses as polygons
following them), ``b-m-r`` routes become routes (``b-m-p-w`` waypoints,
``b-m-p-c`` checkpoints), ``b-t-f`` chat goes to the message log, and
``t-x-d-d`` deletes.  Stale events are still data.  On a live feed an event
whose stale time is before its start removes the track (MITRE convention).

Out: units, zones, routes and messages as events, with a ``__cop`` detail
carrying the fields CoT has none for, so our export reads back identically.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.common.markings import Releasability
from app.core.exchange.ingest import Exchange, UnitReport
from app.core.exchange.queries import (
    MessageRow,
    RouteRow,
    cot_details,
    cot_uids,
    list_messages,
    list_routes,
    unit_cot_types,
)
from app.core.exchange.records import (
    MessageData,
    RouteData,
    ellipse_polygon,
    polygon_from_points,
    record_id,
    releasability,
)
from app.core.formats.cot import UNKNOWN, CotChat, CotEvent, CotLink
from app.core.formats.cot_types import (
    cot_type_for_sidc,
    is_atom,
    sidc_for_cot_type,
    with_affiliation,
)
from app.core.formats.errors import InteropError
from app.core.picture.queries import UnitRow, ZoneRow, list_units, list_zones
from app.core.picture.records import UnitData, ValidationError, ZoneData
from app.core.store.engine import Store
from app.i18n import _

DEFAULT_ZONE_KIND = "restricted operating zone"
GEOFENCE_ZONE_KIND = "no-go"
SHAPE_STALE = timedelta(days=365)


def _opt_time(cop: dict[str, str], key: str, default: datetime | None) -> datetime | None:
    if key not in cop:
        return default
    text = cop[key]
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return default
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _markings(cop: dict[str, str]) -> dict[str, Any]:
    return {
        "classification": cop.get("classification") or "UNCLASSIFIED",
        "releasable_to": releasability(cop.get("releasable_to") or "PUBLIC"),
    }


def _int(text: str | None, default: int, where: str, name: str) -> int:
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError:
        raise InteropError(
            _("{where}: {name} '{value}' is not a whole number").format(
                where=where, name=name, value=text
            )
        ) from None


def _unit(event: CotEvent) -> UnitReport:
    cop = event.cop
    sidc = cop.get("sidc") or sidc_for_cot_type(event.type)
    data = UnitData(
        id=record_id(event.uid),
        name=(cop.get("name") or event.callsign or event.uid)[:200],
        sidc=sidc,
        lat=event.lat,
        lon=event.lon,
        callsign=cop.get("callsign", event.callsign)[:64],
        nation=cop.get("nation", "")[:16],
        cot_type=(cop["cot_type"] or None) if "cot_type" in cop else event.type[:64],
        echelon=cop.get("echelon") or None,
        readiness=cop.get("readiness") or "green",
        strength=_int(cop.get("strength"), 100, event.where, "strength"),
        parent_id=cop.get("parent_id") or None,
        course=event.course,
        speed=event.speed,
        last_report=_opt_time(cop, "last_report", event.time),
        stale_after=_opt_time(cop, "stale_after", event.stale),
        remarks=event.remarks,
        **_markings(cop),
    )
    return UnitReport(data, event.where, partial=not cop)


def _zone(event: CotEvent) -> ZoneData:
    cop = event.cop
    name = (cop.get("name") or event.callsign or event.uid)[:200]
    try:
        if event.cop_geometry:
            try:
                geometry = json.loads(event.cop_geometry)
            except ValueError:
                raise ValidationError(
                    _("zone '{name}': the geometry is not JSON").format(name=name)
                ) from None
        elif event.type.startswith("u-d-c"):
            if event.ellipse is None:
                raise ValidationError(
                    _("zone '{name}': a circle needs shape/ellipse radii").format(name=name)
                )
            major, minor, angle = event.ellipse
            geometry = ellipse_polygon(event.lat, event.lon, major, minor, angle, event.geofence)
        else:
            points = [
                (link.lat, link.lon)
                for link in event.links
                if link.lat is not None and link.lon is not None
            ]
            kind = "rectangle" if event.type.startswith("u-d-r") else None
            geometry = polygon_from_points(points, name, kind)
    except ValidationError as exc:
        raise InteropError(f"{event.where}: {exc}") from None
    valid_from = _opt_time(cop, "valid_from", event.start)
    valid_to = _opt_time(cop, "valid_to", event.stale)
    if valid_from and valid_to and valid_to < valid_from:  # stale before start: still the zone
        valid_from, valid_to = valid_to, valid_from
    return ZoneData(
        id=record_id(event.uid),
        name=name,
        kind=cop.get("kind") or (GEOFENCE_ZONE_KIND if event.geofence else DEFAULT_ZONE_KIND),
        geometry=geometry,
        severity=_int(cop.get("severity"), 3, event.where, "severity"),
        valid_from=valid_from,
        valid_to=valid_to,
        description=cop.get("description", event.remarks),
        **_markings(cop),
    )


def _route(event: CotEvent) -> RouteData:
    cop = event.cop
    points, waypoints = [], []
    for link in event.links:
        if link.lat is None or link.lon is None:
            continue
        points.append((link.lat, link.lon))
        waypoints.append(
            {
                "name": link.callsign,
                "kind": "checkpoint" if link.type == "b-m-p-c" else "waypoint",
                "uid": link.uid,
            }
        )
    return RouteData(
        id=record_id(event.uid),
        name=(cop.get("name") or event.callsign or event.uid)[:200],
        points=points,
        waypoints=waypoints,
        description=cop.get("description", event.remarks),
        cot_uid=(cop["cot_uid"] or None) if "cot_uid" in cop else event.uid,
        last_report=_opt_time(cop, "last_report", event.time),
        stale_after=_opt_time(cop, "stale_after", event.stale),
        **_markings(cop),
    )


def _message(event: CotEvent) -> MessageData:
    chat = event.chat or CotChat(text=event.remarks)
    return MessageData(
        id=record_id(event.uid),
        cot_uid=event.uid,
        text=chat.text,
        sent_at=event.time,
        chatroom=chat.chatroom,
        sender_uid=chat.sender_uid,
        sender_callsign=chat.sender_callsign,
        **_markings(event.cop),
    )


def _known(value: float) -> float | None:
    return None if value >= UNKNOWN else value


def to_exchange(events: list[CotEvent], live: bool = False) -> Exchange:
    """What the events say, ready for ``exchange.apply``; bad ones raise ``InteropError``."""
    out = Exchange()
    for event in events:
        rid = record_id(event.uid)
        if live and event.stale < event.start:
            out.removed.append(rid)
            continue
        kind = event.type
        if is_atom(kind):
            out.units.append(_unit(event))
            out.uids[rid] = ("unit", event.uid)
            out.details[rid] = {
                "group_name": event.group_name[:64],
                "group_role": event.group_role[:64],
                "hae": _known(event.hae),
                "ce": _known(event.ce),
                "le": _known(event.le),
            }
        elif kind.startswith(("u-d-f", "u-d-r", "u-d-c")):
            out.zones.append((_zone(event), event.where))
            out.uids[rid] = ("zone", event.uid)
        elif kind.startswith("b-m-r"):
            out.routes.append((_route(event), event.where))
        elif kind.startswith("b-t-f"):
            out.messages.append(_message(event))
        elif kind.startswith("t-x-d-d"):
            out.removed += [record_id(link.uid) for link in event.links if link.uid]
        else:
            out.ignored[kind] += 1
    return out


# ----------------------------------------------------------------------------- writing
def _cop_time(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _rel(value: Releasability) -> str:
    return ",".join(value.codes_list())


def unit_event(
    row: UnitRow,
    uid: str,
    cot_type: str | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> CotEvent:
    kind = with_affiliation(cot_type, row.sidc) if cot_type else cot_type_for_sidc(row.sidc)
    time = row.last_report or now
    cop = {
        "name": row.name,
        "callsign": row.callsign,
        "sidc": row.sidc,
        "nation": row.nation,
        "echelon": row.echelon or "",
        "readiness": row.readiness,
        "strength": str(row.strength),
        "parent_id": row.parent_id or "",
        "cot_type": cot_type or "",
        "last_report": _cop_time(row.last_report),
        "stale_after": _cop_time(row.stale_after),
        "classification": row.classification,
        "releasable_to": _rel(row.releasable_to),
    }
    return CotEvent(
        uid=uid,
        type=kind,
        how="h-e",
        time=time,
        start=time,
        stale=row.stale_after or (time + timedelta(minutes=5)),
        lat=row.lat,
        lon=row.lon,
        callsign=row.callsign or row.name,
        course=row.course,
        speed=row.speed,
        remarks=row.remarks,
        cop=cop,
        **_detail_fields(detail or {}),
    )


def _detail_fields(detail: dict[str, Any]) -> dict[str, Any]:
    """The event's team and point accuracy as the last event heard said (unknown: 9999999.0)."""
    out: dict[str, Any] = {
        "group_name": detail.get("group_name") or "",
        "group_role": detail.get("group_role") or "",
    }
    for name in ("hae", "ce", "le"):
        value = detail.get(name)
        out[name] = UNKNOWN if value is None else float(value)
    return out


def zone_event(row: ZoneRow, uid: str, now: datetime) -> CotEvent:
    from shapely.geometry import shape as make_shape

    geometry = row.geometry
    shape = geometry.get("shape") if isinstance(geometry.get("shape"), dict) else {}
    kind = shape.get("kind")
    cop = {
        "name": row.name,
        "kind": row.kind,
        "severity": str(row.severity),
        "description": row.description,
        "valid_from": _cop_time(row.valid_from),
        "valid_to": _cop_time(row.valid_to),
        "classification": row.classification,
        "releasable_to": _rel(row.releasable_to),
    }
    start = row.valid_from or now
    event = CotEvent(
        uid=uid,
        type="u-d-f",
        how="h-e",
        time=now,
        start=start,
        stale=row.valid_to or (now + SHAPE_STALE),
        lat=0.0,
        lon=0.0,
        callsign=row.name,
        remarks=row.description,
        cop=cop,
    )
    if kind == "ellipse" and geometry["type"] == "Polygon":
        centre = shape["centre"]
        event.type = "u-d-c-c"
        event.lon, event.lat = float(centre[0]), float(centre[1])
        event.ellipse = (
            float(shape["major"]),
            float(shape["minor"]),
            float(shape.get("angle", 0.0)),
        )
        event.geofence = bool(shape.get("geofence"))
        if ellipse_polygon(event.lat, event.lon, *event.ellipse, event.geofence) != geometry:
            event.cop_geometry = json.dumps(geometry, separators=(",", ":"))
        return event
    centroid = make_shape(geometry).representative_point()
    event.lat, event.lon = centroid.y, centroid.x
    if kind == "rectangle":
        event.type = "u-d-r"
    simple = geometry["type"] == "Polygon" and len(geometry["coordinates"]) == 1
    ring = (
        geometry["coordinates"][0]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"][0][0]
    )
    event.links = [
        CotLink(uid=f"{uid}.{n}", type="b-m-p-c", relation="c", lat=float(lat), lon=float(lon))
        for n, (lon, lat, *_z) in enumerate(ring[:-1])
    ]
    expected = polygon_from_points(
        [(lk.lat, lk.lon) for lk in event.links],
        row.name,
        "rectangle" if kind == "rectangle" else None,
    )
    if not simple or expected != geometry:
        event.cop_geometry = json.dumps(geometry, separators=(",", ":"))
    return event


def route_event(row: RouteRow, uid: str, now: datetime) -> CotEvent:
    time = row.last_report or now
    cop = {
        "name": row.name,
        "description": row.description,
        "cot_uid": row.cot_uid or "",
        "last_report": _cop_time(row.last_report),
        "stale_after": _cop_time(row.stale_after),
        "classification": row.classification,
        "releasable_to": _rel(row.releasable_to),
    }
    points = row.points
    links = [
        CotLink(
            uid=wp.get("uid") or f"{uid}.{n}",
            type="b-m-p-c" if wp.get("kind") == "checkpoint" else "b-m-p-w",
            relation="c",
            callsign=wp.get("name", ""),
            lat=lat,
            lon=lon,
        )
        for n, ((lat, lon), wp) in enumerate(zip(points, row.waypoints, strict=True))
    ]
    return CotEvent(
        uid=uid,
        type="b-m-r",
        how="h-e",
        time=time,
        start=time,
        stale=row.stale_after or (time + SHAPE_STALE),
        lat=points[0][0],
        lon=points[0][1],
        callsign=row.name,
        remarks=row.description,
        links=links,
        cop=cop,
    )


def message_event(row: MessageRow) -> CotEvent:
    cop = {"classification": row.classification, "releasable_to": _rel(row.releasable_to)}
    links = (
        [CotLink(uid=row.sender_uid, type="a-f-G-U-C", relation="p-p")] if row.sender_uid else []
    )
    return CotEvent(
        uid=row.cot_uid,
        type="b-t-f",
        how="h-g-i-g-o",
        time=row.sent_at,
        start=row.sent_at,
        stale=row.sent_at + timedelta(days=1),
        lat=0.0,
        lon=0.0,
        remarks=row.text,
        links=links,
        chat=CotChat(
            chatroom=row.chatroom,
            sender_callsign=row.sender_callsign,
            sender_uid=row.sender_uid,
            text=row.text,
        ),
        cop=cop,
    )


def picture_events(
    store: Store,
    partner: str | None = None,
    now: datetime | None = None,
    messages: bool = True,
    units: list[UnitRow] | None = None,
) -> list[CotEvent]:
    """Every unit, zone, route (and chat message) releasable to ``partner``, as events."""
    now = now or datetime.now(UTC)
    unit_rows = units if units is not None else list_units(store, partner=partner)
    zone_rows = [] if units is not None else list_zones(store, partner=partner)
    route_rows = [] if units is not None else list_routes(store, partner=partner)
    uids = cot_uids(store, [r.id for r in unit_rows] + [z.id for z in zone_rows])
    types = unit_cot_types(store, [r.id for r in unit_rows])
    details = cot_details(store, [r.id for r in unit_rows])
    events = [
        unit_event(r, uids.get(r.id, r.id), types.get(r.id), now, details.get(r.id))
        for r in unit_rows
    ]
    events += [zone_event(z, uids.get(z.id, z.id), now) for z in zone_rows]
    events += [route_event(r, r.cot_uid or r.id, now) for r in route_rows]
    if messages and units is None:
        events += [message_event(m) for m in list_messages(store, partner=partner)]
    return events
