"""Read-side queries for routes, chat messages and CoT uids (plain rows out)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.core.common.markings import Releasability
from app.core.picture.queries import releasable_clause
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import ChatMessage, CotIdentity, Route, Unit


@dataclass(frozen=True, slots=True)
class RouteRow:
    id: str
    name: str
    geometry: dict[str, Any]
    waypoints: list[dict[str, str]]
    description: str
    cot_uid: str | None
    last_report: datetime | None
    stale_after: datetime | None
    classification: str
    releasable_to: Releasability

    @property
    def points(self) -> list[tuple[float, float]]:
        return [(lat, lon) for lon, lat in self.geometry["coordinates"]]


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: str
    cot_uid: str
    chatroom: str
    sender_uid: str
    sender_callsign: str
    text: str
    sent_at: datetime
    classification: str
    releasable_to: Releasability


def list_routes(
    store: Store, ids: Iterable[str] | None = None, partner: str | None = None
) -> list[RouteRow]:
    cols = (
        Route.id,
        Route.name,
        Route.geometry,
        Route.waypoints,
        Route.description,
        Route.cot_uid,
        Route.last_report,
        Route.stale_after,
        Route.classification,
        Route.releasable_to,
    )
    base = select(*cols).where(Route.deleted.is_(False))
    if partner:
        base = base.where(releasable_clause(Route.releasable_to, partner))
    raw: list[Any] = []
    with store.session() as session:
        if ids is None:
            raw = list(session.execute(base.order_by(Route.name)))
        else:
            for chunk in chunked(list(ids), READ_CHUNK):
                raw.extend(session.execute(base.where(Route.id.in_(chunk))))
    rows = [RouteRow(r[0], r[1], json.loads(r[2]), json.loads(r[3]), *r[4:]) for r in raw]
    return [r for r in rows if not partner or r.releasable_to.allows(partner)]


def list_messages(
    store: Store, partner: str | None = None, limit: int | None = None
) -> list[MessageRow]:
    """Chat messages, oldest first (the last ``limit`` when given)."""
    cols = (
        ChatMessage.id,
        ChatMessage.cot_uid,
        ChatMessage.chatroom,
        ChatMessage.sender_uid,
        ChatMessage.sender_callsign,
        ChatMessage.text,
        ChatMessage.sent_at,
        ChatMessage.classification,
        ChatMessage.releasable_to,
    )
    stmt = select(*cols).where(ChatMessage.deleted.is_(False))
    if partner:
        stmt = stmt.where(releasable_clause(ChatMessage.releasable_to, partner))
    stmt = stmt.order_by(ChatMessage.sent_at.desc(), ChatMessage.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    with store.session() as session:
        rows = [MessageRow(*r) for r in session.execute(stmt)]
    rows.reverse()
    return [r for r in rows if not partner or r.releasable_to.allows(partner)]


def cot_uids(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """The CoT uid of each record that has one other than its id."""
    found: dict[str, str] = {}
    with store.session() as session:
        for chunk in chunked(list(ids), READ_CHUNK):
            stmt = select(CotIdentity.record_id, CotIdentity.uid).where(
                CotIdentity.record_id.in_(chunk)
            )
            found.update((rid, uid) for rid, uid in session.execute(stmt))
    return found


def cot_details(store: Store, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the last CoT event said of each track beyond the unit's fields (see ``CotIdentity``)."""
    found: dict[str, dict[str, Any]] = {}
    cols = (
        CotIdentity.record_id,
        CotIdentity.group_name,
        CotIdentity.group_role,
        CotIdentity.hae,
        CotIdentity.ce,
        CotIdentity.le,
    )
    with store.session() as session:
        for chunk in chunked(list(ids), READ_CHUNK):
            for rid, name, role, hae, ce, le in session.execute(
                select(*cols).where(CotIdentity.record_id.in_(chunk))
            ):
                found[rid] = {
                    "group_name": name or "",
                    "group_role": role or "",
                    "hae": hae,
                    "ce": ce,
                    "le": le,
                }
    return found


def unit_cot_types(store: Store, ids: Iterable[str]) -> dict[str, str | None]:
    """The stored CoT type of each unit (None when it never had one)."""
    found: dict[str, str | None] = {}
    with store.session() as session:
        for chunk in chunked(list(ids), READ_CHUNK):
            stmt = select(Unit.id, Unit.cot_type).where(Unit.id.in_(chunk))
            found.update((rid, kind) for rid, kind in session.execute(stmt))
    return found
