"""Write operations for what the exchange formats bring: routes, chat messages,
CoT uids, tracks removed by a live feed.  Like ``ops``: inside a ``writing()``
batch, every change captured in the change log and published after commit
(``Changed(kind="route")``, ``Changed(kind="message")``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.events import RecordKind
from app.core.store.models import ChatMessage, CotIdentity, CrisisZone, Route, Unit
from app.core.store.writing import KIND_OF, WriteBatch, tombstone, upsert_records

ROUTE_KIND = RecordKind.ROUTE
MESSAGE_KIND = RecordKind.MESSAGE
_KINDS: dict[Any, RecordKind] = {Route: ROUTE_KIND, ChatMessage: MESSAGE_KIND, **KIND_OF}


def _upsert(
    batch: WriteBatch, model: Any, rows: Sequence[tuple[str | None, dict[str, Any]]]
) -> list[str]:
    return upsert_records(batch, model, rows, kind=_KINDS[model])


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

    batch.session.execute(
        pg_insert(CotIdentity).on_conflict_do_nothing(index_elements=["record_id"]), rows
    )


def remember_details(batch: WriteBatch, details: dict[str, dict[str, Any]]) -> None:
    """Keep what the last event said of each track that the unit has no field for
    (``group_name``, ``group_role``, ``hae``, ``ce``, ``le``); after ``remember_uids``."""
    if not details:
        return

    batch.session.execute(
        update(CotIdentity),
        [
            {"record_id": rid, **{k: v for k, v in d.items() if k in _DETAIL_FIELDS}}
            for rid, d in details.items()
        ],
    )


_DETAIL_FIELDS = frozenset({"group_name", "group_role", "hae", "ce", "le"})


def remove_records(batch: WriteBatch, ids: Iterable[str]) -> int:
    """Tombstone units, zones and routes with these ids (a track a live feed dropped)."""
    wanted = list(dict.fromkeys(ids))
    return sum(
        len(tombstone(batch, model, wanted, _KINDS[model])) for model in (Unit, CrisisZone, Route)
    )
