"""Write operations for what the exchange formats bring: routes, chat messages,
CoT uids, tracks removed by a live feed.  Like ``ops``: inside a ``writing()``
batch, every change captured in the change log and published after commit
(``Changed(kind="route")``, ``Changed(kind="message")``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.store.engine import new_id
from app.core.store.models import ChatMessage, CotIdentity, CrisisZone, Route, Unit
from app.core.store.ops import KIND_OF, WriteBatch

ROUTE_KIND = "route"
MESSAGE_KIND = "message"
_KINDS: dict[Any, str] = {Route: ROUTE_KIND, ChatMessage: MESSAGE_KIND, **KIND_OF}


def _upsert(batch: WriteBatch, model: Any, rows: Sequence[tuple[str | None, dict[str, Any]]]) -> list[str]:
    """Insert new records, update existing ones by id (only the fields that differ)."""
    kind = _KINDS[model]
    table = model.__tablename__
    ids = [rid for rid, _v in rows if rid]
    existing: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        for record in batch.session.scalars(select(model).where(model.id.in_(ids[start : start + 500]))):
            existing[record.id] = record
    inserts: list[dict[str, Any]] = []
    updates: dict[str, dict[str, Any]] = {}
    result: list[str] = []
    site = batch.store.site.site_id
    for rid, values in rows:
        rid = rid or new_id()
        result.append(rid)
        old = existing.get(rid)
        if old is None and rid not in existing:
            inserts.append({"id": rid, "created_at": batch.now, "updated_at": batch.now, "hlc": batch.hlc,
                            "origin_site": site, "deleted": False, **values})
            existing[rid] = None
            batch.capture(table, rid, "insert", values, None, values["classification"], values["releasable_to"])
            batch._note(kind, "added", rid)
            continue
        if old is None:  # twice in one batch: the later one wins
            for record in inserts:
                if record["id"] == rid:
                    record.update(values)
            batch.capture(table, rid, "update", values, batch.hlc, values["classification"], values["releasable_to"])
            continue
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if old.deleted:
            changed["deleted"] = False
        if not changed:
            continue
        updates.setdefault(rid, {"id": rid, "updated_at": batch.now, "hlc": batch.hlc}).update(changed)
        batch.capture(table, rid, "update", changed, old.hlc, values["classification"], values["releasable_to"])
        batch._note(kind, "updated", rid)
    if inserts:
        batch.session.execute(model.__table__.insert(), inserts)
    if updates:
        batch.session.execute(update(model), list(updates.values()))
    return result


def save_routes(batch: WriteBatch, routes: Iterable[Any]) -> list[str]:
    """Add or update routes (``RouteData``, by id) inside an open write batch."""
    return _upsert(batch, Route, [(r.id, r.validate().columns()) for r in routes])


def save_messages(batch: WriteBatch, messages: Iterable[Any]) -> list[str]:
    """Add chat messages (``MessageData``); one heard twice is stored once."""
    return _upsert(batch, ChatMessage, [(m.id, m.validate().columns()) for m in messages])


def remember_uids(batch: WriteBatch, uids: dict[str, tuple[str, str]]) -> None:
    """Keep each record's CoT uid (record id -> (kind, uid)): what was heard from a TAK network."""
    rows = [{"record_id": rid, "kind": kind, "uid": uid} for rid, (kind, uid) in uids.items()]
    if not rows:
        return
    conn = batch.session.connection()
    if conn.dialect.name == "sqlite":
        stmt = sqlite_insert(CotIdentity).on_conflict_do_nothing(index_elements=["record_id"])
        batch.session.execute(stmt, rows)
        return
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    batch.session.execute(pg_insert(CotIdentity).on_conflict_do_nothing(index_elements=["record_id"]), rows)


def remember_details(batch: WriteBatch, details: dict[str, dict[str, Any]]) -> None:
    """Keep what the last event said of each track that the unit has no field for
    (``group_name``, ``group_role``, ``hae``, ``ce``, ``le``); after ``remember_uids``."""
    if not details:
        return
    from sqlalchemy import update

    batch.session.execute(
        update(CotIdentity),
        [{"record_id": rid, **{k: v for k, v in d.items() if k in _DETAIL_FIELDS}} for rid, d in details.items()],
    )


_DETAIL_FIELDS = frozenset({"group_name", "group_role", "hae", "ce", "le"})


def remove_records(batch: WriteBatch, ids: Iterable[str]) -> int:
    """Tombstone units, zones and routes with these ids (a track a live feed dropped)."""
    wanted = list(dict.fromkeys(ids))
    removed = 0
    for model in (Unit, CrisisZone, Route):
        kind = _KINDS[model]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = batch.session.execute(
                select(model.id, model.hlc, model.classification, model.releasable_to).where(
                    model.id.in_(chunk), model.deleted.is_(False)
                )
            ).all()
            for rid, hlc, cls, rel in rows:
                batch.capture(model.__tablename__, rid, "delete", {"deleted": True}, hlc, cls, rel)
                batch._note(kind, "removed", rid)
            if rows:
                batch.session.execute(
                    update(model),
                    [{"id": r[0], "deleted": True, "updated_at": batch.now, "hlc": batch.hlc} for r in rows],
                )
                removed += len(rows)
    return removed
