"""Cursor on Target 2.0 events: parse them safely, write them.

An event: ``<event version="2.0" uid type how time start stale>`` with a
``<point lat lon hae ce le/>`` (``9999999.0`` means unknown) and a ``<detail>``
(``contact callsign``, ``__group``, ``track course speed``, ``remarks``,
``status``, ``link``, ``shape/ellipse``, ``__chat``...).

Parsing is safe against hostile input: a DOCTYPE or an entity declaration is
refused outright, and lxml runs with entity resolution, DTD loading and the
network off and its size limits on.  A file holds one event or many
concatenated ones (each may have its own ``<?xml ...?>`` declaration).

Our own exports add a ``<__cop>`` detail with what CoT has no field for (name,
SIDC, nation, markings...), so an export read back gives the same records;
other TAK clients ignore it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from app.core.common.geo import CoordinateError, validate_latlon
from app.core.formats.errors import InteropError
from app.i18n import _

UNKNOWN = 9999999.0
MAX_EVENT_BYTES = 1024 * 1024  # one event on a live feed
_DECLARATION = re.compile(rb"<\?xml[^>]*\?>")
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def safe_parser() -> etree.XMLParser:
    """lxml with entity resolution, DTD loading and the network off, size limits on."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_PARSER = safe_parser()


class Where:
    """Names an event in a message, translated only when a message is made (events are many)."""

    __slots__ = ("uid", "number", "line")

    def __init__(self, uid: str, number: int, line: int) -> None:
        self.uid, self.number, self.line = uid, number, line

    def __str__(self) -> str:
        if not self.uid:
            return _("event {n} (line {line})").format(n=self.number, line=self.line)
        return _("event '{uid}' (line {line})").format(uid=self.uid[:80], line=self.line)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _label(name: str) -> str:
    return {"latitude": _("latitude"), "longitude": _("longitude")}.get(name, name)


@dataclass
class CotLink:
    uid: str = ""
    type: str = ""
    relation: str = ""
    callsign: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass
class CotChat:
    chatroom: str = ""
    sender_callsign: str = ""
    sender_uid: str = ""
    text: str = ""
    message_id: str = ""


@dataclass
class CotEvent:
    """One event, parsed and checked (coordinates in range, times readable)."""

    uid: str
    type: str
    time: datetime
    start: datetime
    stale: datetime
    lat: float
    lon: float
    how: str = "m-g"
    hae: float = UNKNOWN
    ce: float = UNKNOWN
    le: float = UNKNOWN
    callsign: str = ""
    group_name: str = ""
    group_role: str = ""
    course: float | None = None
    speed: float | None = None
    remarks: str = ""
    links: list[CotLink] = field(default_factory=list)
    ellipse: tuple[float, float, float] | None = None  # major, minor (metres), angle (degrees)
    geofence: bool = False
    chat: CotChat | None = None
    cop: dict[str, str] = field(default_factory=dict)
    cop_geometry: str | None = None
    line: int = 0

    @property
    def where(self) -> Where:
        return Where(self.uid, 0, self.line)


# ----------------------------------------------------------------------------- reading
def format_time(value: datetime) -> str:
    """xs:dateTime in UTC with a Z; microseconds kept when there are any."""
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text: str | None, name: str, where: Where) -> datetime:
    if not text:
        raise InteropError(
            _("{where}: the '{name}' time is missing").format(where=where, name=name)
        )
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InteropError(
            _("{where}: the '{name}' time '{value}' is not an ISO 8601 time").format(
                where=where, name=name, value=text[:40]
            )
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _number(
    text: str | None, name: str, where: Where, default: float | None = None
) -> float | None:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        if not text.strip():
            return default
        raise InteropError(
            _("{where}: {name} '{value}' is not a number").format(
                where=where, name=_label(name), value=text[:40]
            )
        ) from None
    if not math.isfinite(value):
        raise InteropError(
            _("{where}: {name} is not a finite number").format(where=where, name=_label(name))
        )
    return value


def _latlon(lat: float, lon: float, where: Where) -> None:
    try:
        validate_latlon(lat, lon)
    except CoordinateError as exc:
        raise InteropError(f"{where}: {exc}") from None


def _link_point(text: str, where: Where) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) < 2:
        raise InteropError(
            _("{where}: link point '{value}' is not 'lat,lon'").format(where=where, value=text[:60])
        )
    lat = _number(parts[0], "latitude", where)
    lon = _number(parts[1], "longitude", where)
    assert lat is not None and lon is not None
    _latlon(lat, lon, where)
    return lat, lon


def _event(element: Any, number: int) -> CotEvent:
    line = element.sourceline or 0
    uid = (element.get("uid") or "").strip()
    where = Where(uid, number, line)
    if not uid:
        raise InteropError(_("{where}: the event has no uid").format(where=where))
    if len(uid) > 255:
        raise InteropError(_("{where}: the uid is longer than 255 characters").format(where=where))
    cot_type = (element.get("type") or "").strip()
    if not cot_type:
        raise InteropError(_("{where}: the event has no type").format(where=where))
    time = _time(element.get("time"), "time", where)
    start = _time(element.get("start") or element.get("time"), "start", where)
    stale = _time(element.get("stale"), "stale", where)
    point = element.find("point")
    if point is None:
        raise InteropError(_("{where}: the event has no point").format(where=where))
    lat = _number(point.get("lat"), "latitude", where)
    lon = _number(point.get("lon"), "longitude", where)
    if lat is None or lon is None:
        raise InteropError(_("{where}: the point has no lat or lon").format(where=where))
    _latlon(lat, lon, where)
    event = CotEvent(
        uid=uid,
        type=cot_type,
        time=time,
        start=start,
        stale=stale,
        lat=lat,
        lon=lon,
        how=element.get("how") or "m-g",
        hae=_number(point.get("hae"), "hae", where, UNKNOWN) or 0.0,
        ce=_number(point.get("ce"), "ce", where, UNKNOWN) or 0.0,
        le=_number(point.get("le"), "le", where, UNKNOWN) or 0.0,
        line=line,
    )
    detail = element.find("detail")
    if detail is None:
        return event
    for child in detail:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "contact":
            event.callsign = (child.get("callsign") or "").strip()
        elif tag == "__group":
            event.group_name = child.get("name") or ""
            event.group_role = child.get("role") or ""
        elif tag == "track":
            event.course = _number(child.get("course"), "course", where)
            event.speed = _number(child.get("speed"), "speed", where)
        elif tag == "remarks":
            event.remarks = "".join(child.itertext()).strip()
        elif tag == "link":
            link = CotLink(
                uid=child.get("uid") or "",
                type=child.get("type") or "",
                relation=child.get("relation") or "",
                callsign=child.get("callsign") or "",
            )
            if child.get("point"):
                link.lat, link.lon = _link_point(child.get("point"), where)
            event.links.append(link)
        elif tag == "shape":
            ellipse = child.find("ellipse")
            if ellipse is not None:
                major = _number(ellipse.get("major"), "major", where)
                minor = _number(ellipse.get("minor"), "minor", where, major)
                angle = _number(ellipse.get("angle"), "angle", where, 0.0)
                if major is None or minor is None or major <= 0 or minor <= 0:
                    raise InteropError(
                        _("{where}: the ellipse needs positive major and minor radii").format(
                            where=where
                        )
                    )
                event.ellipse = (major, minor, angle or 0.0)
        elif tag == "__geofence":
            event.geofence = True
        elif tag == "__chat":
            event.chat = CotChat(
                chatroom=child.get("chatroom") or child.get("id") or "",
                sender_callsign=child.get("senderCallsign") or "",
                message_id=child.get("messageId") or "",
            )
            group = child.find("chatgrp")
            if group is not None:
                event.chat.sender_uid = group.get("uid0") or ""
        elif tag == "__cop":
            event.cop = {k: v for k, v in child.attrib.items()}
            geometry = child.find("geometry")
            if geometry is not None and geometry.text:
                event.cop_geometry = geometry.text
    if event.chat is not None:
        event.chat.text = event.remarks
        if not event.chat.sender_uid:
            for link in event.links:
                if link.relation == "p-p" and link.uid:
                    event.chat.sender_uid = link.uid
                    break
    return event


def _decode(raw: bytes, name: str) -> bytes:
    """Check the text is what it says (UTF-8 unless declared otherwise); give UTF-8 back."""
    declared = _ENCODING.search(raw[:200])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise InteropError(
            _("{name}: unknown text encoding '{enc}'").format(name=name, enc=encoding)
        ) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InteropError(
            _("{name}: line {line}: the text is not valid {enc} (byte {byte})").format(
                name=name, line=line, enc=encoding.upper(), byte=exc.start + 1
            )
        ) from None
    return raw if encoding in ("utf-8", "utf8") else text.encode("utf-8")


def check_forbidden(raw: bytes, name: str) -> None:
    """Refuse DTDs and entity declarations (XML bombs, external entities) before parsing."""
    found = _FORBIDDEN.search(raw)
    if found:
        line = raw.count(b"\n", 0, found.start()) + 1
        raise InteropError(
            _(
                "{name}: line {line}: DOCTYPE and entity declarations are not allowed "
                "(they can hide an XML bomb or an external entity)"
            ).format(name=name, line=line)
        )


def parse_xml(raw: bytes, name: str, wrap: bytes | None = None) -> Any:
    """Parse bytes safely; ``wrap`` puts them inside one element (concatenated events)."""
    check_forbidden(raw, name)
    data = _decode(raw, name)
    # declarations anywhere but the very start are not XML: blank them (same length, same lines)
    data = _DECLARATION.sub(lambda m: b" " * len(m.group(0)), data)
    if wrap is not None:
        data = b"<" + wrap + b">" + data + b"</" + wrap + b">"
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise InteropError(
            _("{name}: line {line}: not well-formed XML ({error})").format(
                name=name, line=line, error=str(exc.msg or exc).split(" (line")[0][:200]
            )
        ) from None


def parse_events(raw: bytes, name: str) -> list[CotEvent]:
    """Every event of a file of one or many concatenated events; refused whole on any error."""
    root = parse_xml(raw, name, wrap=b"cop-events")
    events = []
    for number, element in enumerate(root, start=1):
        if not isinstance(element.tag, str):
            continue
        if element.tag != "event":
            raise InteropError(
                _("{name}: line {line}: <{tag}> is not a CoT event").format(
                    name=name, line=element.sourceline, tag=element.tag[:40]
                )
            )
        events.append(_event(element, number))
    if not events:
        raise InteropError(_("{name}: there is no CoT event in it").format(name=name))
    return events


def parse_event(raw: bytes, name: str = "CoT") -> CotEvent:
    """One event from a live feed (the caller split the stream)."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InteropError(
            _("{name}: an event is larger than {n} bytes").format(name=name, n=MAX_EVENT_BYTES)
        )
    root = parse_xml(raw, name)
    if root.tag != "event":
        raise InteropError(
            _("{name}: <{tag}> is not a CoT event").format(name=name, tag=str(root.tag)[:40])
        )
    return _event(root, 1)


# ----------------------------------------------------------------------------- writing
def _num(value: float) -> str:
    """Full precision, shortest form that reads back the same float."""
    return repr(float(value))


def event_element(event: CotEvent) -> Any:
    root = etree.Element("event")
    root.set("version", "2.0")
    root.set("uid", event.uid)
    root.set("type", event.type)
    root.set("how", event.how)
    root.set("time", format_time(event.time))
    root.set("start", format_time(event.start))
    root.set("stale", format_time(event.stale))
    point = etree.SubElement(root, "point")
    point.set("lat", _num(event.lat))
    point.set("lon", _num(event.lon))
    point.set("hae", _num(event.hae))
    point.set("ce", _num(event.ce))
    point.set("le", _num(event.le))
    detail = etree.SubElement(root, "detail")
    if event.callsign:
        etree.SubElement(detail, "contact").set("callsign", event.callsign)
    if event.group_name:
        group = etree.SubElement(detail, "__group")
        group.set("name", event.group_name)
        group.set("role", event.group_role)
    if event.course is not None or event.speed is not None:
        track = etree.SubElement(detail, "track")
        if event.course is not None:
            track.set("course", _num(event.course))
        if event.speed is not None:
            track.set("speed", _num(event.speed))
    if event.ellipse is not None:
        ellipse = etree.SubElement(etree.SubElement(detail, "shape"), "ellipse")
        ellipse.set("major", _num(event.ellipse[0]))
        ellipse.set("minor", _num(event.ellipse[1]))
        ellipse.set("angle", _num(event.ellipse[2]))
    if event.geofence:
        etree.SubElement(detail, "__geofence").set("trigger", "Entry")
    for link in event.links:
        element = etree.SubElement(detail, "link")
        if link.uid:
            element.set("uid", link.uid)
        if link.type:
            element.set("type", link.type)
        if link.relation:
            element.set("relation", link.relation)
        if link.callsign:
            element.set("callsign", link.callsign)
        if link.lat is not None and link.lon is not None:
            element.set("point", f"{_num(link.lat)},{_num(link.lon)}")
    if event.chat is not None:
        chat = etree.SubElement(detail, "__chat")
        chat.set("chatroom", event.chat.chatroom)
        chat.set("id", event.chat.chatroom)
        chat.set("senderCallsign", event.chat.sender_callsign)
        if event.chat.message_id:
            chat.set("messageId", event.chat.message_id)
        group = etree.SubElement(chat, "chatgrp")
        group.set("uid0", event.chat.sender_uid)
        group.set("uid1", event.chat.chatroom)
        group.set("id", event.chat.chatroom)
    if event.remarks:
        etree.SubElement(detail, "remarks").text = event.remarks
    if event.cop or event.cop_geometry:
        cop = etree.SubElement(detail, "__cop")
        for key, value in event.cop.items():
            cop.set(key, value)
        if event.cop_geometry:
            etree.SubElement(cop, "geometry").text = event.cop_geometry
    return root


def event_bytes(event: CotEvent, declaration: bool = False) -> bytes:
    data: bytes = etree.tostring(
        event_element(event),
        encoding="utf-8",
        xml_declaration=declaration,
        standalone=True if declaration else None,
    )
    return data


def write_events(events: list[CotEvent]) -> bytes:
    """A file of concatenated events, one per line, each with its declaration (as TAK tools write)."""
    return b"\n".join(event_bytes(e, declaration=True) for e in events) + b"\n"
