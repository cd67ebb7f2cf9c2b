"""The conflict log: review which value lost, and put it back (as a new change)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.core.picture.records import ValidationError
from app.core.store.engine import Store
from app.core.store.models import SyncConflict
from app.core.store.writing import writing
from app.core.sync.tables import CHILD_FIELDS, synced_tables
from app.i18n import _


@dataclass(frozen=True)
class Conflict:
    id: int
    table_name: str
    kind: str
    row_id: str
    label: str  # the record's name, title or reference when it has one
    field: str
    kept: Any
    lost: Any
    lost_who: str
    lost_hlc: str
    detected_at: datetime
    reversed_at: datetime | None


def _label(row: Any) -> str:
    for name in ("name", "reference", "title", "callsign", "code"):
        value = getattr(row, name, None)
        if value:
            return str(value)
    return ""


def list_conflicts(
    store: Store, include_reversed: bool = True, limit: int = 1000
) -> list[Conflict]:
    """The conflict log, newest first."""
    tables = synced_tables()
    out: list[Conflict] = []
    with store.session() as session:
        query = select(SyncConflict).order_by(SyncConflict.id.desc()).limit(limit)
        if not include_reversed:
            query = query.where(SyncConflict.reversed_at.is_(None))
        for c in session.scalars(query):
            st = tables.get(c.table_name)
            label = ""
            if st is not None:
                row = session.execute(select(st.table).where(st.table.c.id == c.row_id)).first()
                label = _label(row) if row is not None else ""
            out.append(
                Conflict(
                    c.id,
                    c.table_name,
                    st.kind if st else c.table_name,
                    c.row_id,
                    label,
                    c.field,
                    json.loads(c.kept) if c.kept else None,
                    json.loads(c.lost) if c.lost else None,
                    c.lost_who,
                    c.lost_hlc,
                    c.detected_at,
                    c.reversed_at,
                )
            )
    return out


def reverse_conflict(store: Store, conflict_id: int, initiator: str | None = None) -> None:
    """Put the value that lost back, as a new change of this site (it syncs like any edit)."""
    tables = synced_tables()
    with writing(store, initiator) as batch:
        session = batch.session
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None:
            raise ValidationError(_("there is no conflict {id}").format(id=conflict_id))
        st = tables.get(conflict.table_name)
        row = (
            session.execute(select(st.table).where(st.table.c.id == conflict.row_id)).first()
            if st
            else None
        )
        if st is None or row is None:
            raise ValidationError(
                _("the record of conflict {id} is not held here").format(id=conflict_id)
            )
        name = conflict.field
        value = json.loads(conflict.lost) if conflict.lost else None
        children = CHILD_FIELDS.get(st.name, {})
        op = "delete" if name == "deleted" and value is True else "update"
        if name in children:
            children[name](session, conflict.row_id, value)
        else:
            session.execute(
                update(st.table)
                .where(st.table.c.id == conflict.row_id)
                .values({name: st.decode(name, value), "hlc": batch.hlc, "updated_at": batch.now})
            )
        if name in children:
            session.execute(
                update(st.table)
                .where(st.table.c.id == conflict.row_id)
                .values(hlc=batch.hlc, updated_at=batch.now)
            )
        batch.capture(
            st.name,
            conflict.row_id,
            op,
            {name: value},
            row.hlc,
            row.classification,
            row.releasable_to,
        )
        if name == "deleted":
            if value:
                batch.note_removed(st.kind, (conflict.row_id,))
            else:
                batch.note_added(st.kind, (conflict.row_id,))
        else:
            batch.note_updated(st.kind, (conflict.row_id,))
        conflict.reversed_at = batch.now
