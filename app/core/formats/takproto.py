"""TAK Protocol version 1 (protobuf) as ATAK sends it on a mesh (multicast):
``0xbf 0x01 0xbf`` then a ``TakMessage``.  Each message is rebuilt as CoT XML
and read by the same safe parser as every other event (so the same checks
apply to what the protobuf's ``xmlDetail`` carries)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from app.core.formats.cot import CotEvent, check_forbidden, format_time, parse_event
from app.core.formats.errors import InteropError
from app.i18n import _

MESH_HEADER = b"\xbf\x01\xbf"


def is_protobuf(data: bytes) -> bool:
    return data[:1] == b"\xbf"


def _time(ms: int) -> str:
    return format_time(datetime.fromtimestamp(ms / 1000, UTC))


def event_from_mesh(data: bytes) -> CotEvent:
    """One CoT event from a TAK Protocol v1 mesh datagram; ``InteropError`` when unreadable."""
    import takproto
    from google.protobuf.message import DecodeError

    if data[:3] != MESH_HEADER:
        raise InteropError(_("not a TAK protocol version 1 message"))
    try:
        message = takproto.parse_proto(bytearray(data))
    except (DecodeError, ValueError, IndexError) as exc:
        raise InteropError(
            _("a TAK protocol message cannot be read ({error})").format(error=exc)
        ) from None
    if message is None or not message.HasField("cotEvent"):
        raise InteropError(_("a TAK protocol message holds no event"))
    event = message.cotEvent
    detail = event.detail
    parts = []
    if detail.HasField("contact") and detail.contact.callsign:
        parts.append(f"<contact callsign={quoteattr(detail.contact.callsign)}/>")
    if detail.HasField("group") and detail.group.name:
        parts.append(
            f"<__group name={quoteattr(detail.group.name)} role={quoteattr(detail.group.role)}/>"
        )
    if detail.HasField("track"):
        parts.append(f'<track course="{detail.track.course!r}" speed="{detail.track.speed!r}"/>')
    extra = detail.xmlDetail.encode("utf-8")
    check_forbidden(extra, "TAK")
    xml = (
        (
            f'<event version="2.0" uid={quoteattr(event.uid)} type={quoteattr(event.type)} '
            f'how={quoteattr(event.how or "m-g")} time="{_time(event.sendTime)}" start="{_time(event.startTime)}" '
            f'stale="{_time(event.staleTime)}"><point lat="{event.lat!r}" lon="{event.lon!r}" '
            f'hae="{event.hae!r}" ce="{event.ce!r}" le="{event.le!r}"/><detail>{"".join(parts)}'
        ).encode()
        + extra
        + b"</detail></event>"
    )
    return parse_event(xml, "TAK")
