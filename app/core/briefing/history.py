"""The picture as it was at a given time, rebuilt from stored history.

Two histories are kept with every change: ``unit_position`` (each unit's
reported positions, with the time of the report) and the change log
``sync_change`` (every change of every record: the fields it set and when it
was recorded).  The picture at time T is:

* a unit's position is its last reported position at or before T;
* any other field is the value set by the last change recorded at or before T;
  a field that no change before T set keeps its present value (the log may
  start after the record did);
* a record whose creation was recorded after T did not exist yet (a unit with a
  position reported at or before T did); one deleted at or before T is gone.

Only records touched after T are rebuilt; the rest are read as they are now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, not_, or_, select

from app.core.common.markings import Releasability
from app.core.common.times import as_utc, parse_utc
from app.core.picture.queries import UNIT_ROW_COLUMNS, UnitRow, ZoneRow, list_zones
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, SyncChange, Task, Unit, UnitPosition
from app.core.tasks.queries import TaskRow, list_tasks

_TIMES = {"last_report", "stale_after", "valid_from", "valid_to", "start", "due", "as_at"}
# the fields of a move (ops.move_units): exactly lat, lon and last_report
_MOVE_ONLY = and_(
    SyncChange.fields.like('{"lat":%,"lon":%,"last_report":"%"}'),
    func.length(SyncChange.fields) - func.length(func.replace(SyncChange.fields, '":', "")) == 6,
)


def _decode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _TIMES and isinstance(value, str):
        return parse_utc(value)
    if name == "releasable_to":
        return Releasability.parse(value)
    return value


@dataclass(frozen=True)
class Rebuilt:
    """Per record touched after T: the fields as they were at T, and whether it existed."""

    fields: dict[str, dict[str, Any]]
    absent: frozenset[str]


def _rebuild(store: Store, table: str, at: datetime) -> Rebuilt:
    """Replay the change log of ``table`` for every record changed after ``at``."""
    fields: dict[str, dict[str, Any]] = {}
    absent: set[str] = set()
    with store.session() as session:
        after = select(SyncChange.row_id).where(SyncChange.table_name == table, SyncChange.at > at)
        if table == Unit.__tablename__:
            # a track report changes only the position, which comes from unit_position:
            # units that only moved since T need no replay (the hot path with many tracks)
            after = after.where(or_(SyncChange.op != "update", not_(_MOVE_ONLY)))
        later = list(session.scalars(after.distinct()))
        for chunk in chunked(later, READ_CHUNK):
            rows = session.execute(
                select(SyncChange.row_id, SyncChange.op, SyncChange.at, SyncChange.fields)
                .where(SyncChange.table_name == table, SyncChange.row_id.in_(chunk))
                .order_by(SyncChange.at, SyncChange.seq)
            )
            created_after: set[str] = set()
            for row_id, op, when, raw in rows:
                state = fields.setdefault(row_id, {})
                if as_utc(when) > at:
                    if op == "insert" and not state:
                        created_after.add(row_id)
                    continue
                try:
                    values = json.loads(raw)
                except ValueError:
                    continue
                for name, value in values.items():
                    state[name] = _decode(name, value)
                if op == "delete":
                    state["deleted"] = True
            absent |= created_after
    return Rebuilt(fields, frozenset(absent))


def _positions(
    store: Store, at: datetime, ids: Iterable[str] | None = None
) -> dict[str, tuple[float, float, datetime]]:
    """Each unit's last reported position at or before ``at``."""
    ranked = (
        select(
            UnitPosition.unit_id,
            UnitPosition.lat,
            UnitPosition.lon,
            UnitPosition.at,
            func.row_number()
            .over(
                partition_by=UnitPosition.unit_id,
                order_by=(UnitPosition.at.desc(), UnitPosition.id.desc()),
            )
            .label("n"),
        )
        .where(UnitPosition.at <= at)
        .subquery()
    )
    out: dict[str, tuple[float, float, datetime]] = {}
    with store.session() as session:
        for uid, lat, lon, when in session.execute(
            select(ranked.c.unit_id, ranked.c.lat, ranked.c.lon, ranked.c.at).where(ranked.c.n == 1)
        ):
            when = when if isinstance(when, datetime) else datetime.fromisoformat(str(when))
            out[uid] = (lat, lon, as_utc(when))
    return out


def units_as_at(store: Store, at: datetime, partner: str | None = None) -> list[UnitRow]:
    """Units as they were at ``at`` (see the module's rules)."""
    at = as_utc(at)
    rebuilt = _rebuild(store, Unit.__tablename__, at)
    positions = _positions(store, at)
    names = [c.key for c in UNIT_ROW_COLUMNS]
    rows: list[UnitRow] = []
    with store.session() as session:
        # deleted ones too: a unit deleted after T was there at T
        for raw in session.execute(select(*UNIT_ROW_COLUMNS, Unit.deleted)):
            values = dict(zip(names, raw[:-1], strict=True))
            deleted = bool(raw[-1])
            uid = values["id"]
            old = rebuilt.fields.get(uid)
            if old is not None:
                deleted = bool(old.get("deleted", False))
                for name, value in old.items():
                    if name in values and name != "id":
                        values[name] = value
            if deleted:
                continue
            pos = positions.get(uid)
            if uid in rebuilt.absent and pos is None:
                continue  # not created yet
            if pos is not None:
                values["lat"], values["lon"], values["last_report"] = pos
            rows.append(UnitRow(**values))
    if partner:
        rows = [r for r in rows if Releasability.parse(r.releasable_to).allows(partner)]
    return rows


def zones_as_at(store: Store, at: datetime, partner: str | None = None) -> list[ZoneRow]:
    at = as_utc(at)
    rebuilt = _rebuild(store, CrisisZone.__tablename__, at)
    current = {z.id: z for z in list_zones(store)}
    missing = [i for i in rebuilt.fields if i not in current]
    if missing:  # deleted since
        with store.session() as session:
            for record in session.scalars(select(CrisisZone).where(CrisisZone.id.in_(missing))):
                current[record.id] = ZoneRow(
                    record.id,
                    record.name,
                    record.kind,
                    record.severity,
                    json.loads(record.geometry),
                    record.valid_from,
                    record.valid_to,
                    record.description,
                    record.classification,
                    record.releasable_to,
                )
    rows: list[ZoneRow] = []
    for zid, zone in current.items():
        old = rebuilt.fields.get(zid)
        if zid in rebuilt.absent:
            continue
        if old:
            if old.get("deleted"):
                continue
            changes = {
                k: v for k, v in old.items() if k in ZoneRow.__dataclass_fields__ and k != "id"
            }
            if isinstance(changes.get("geometry"), str):
                changes["geometry"] = json.loads(changes["geometry"])
            zone = replace(zone, **changes)
        rows.append(zone)
    if partner:
        rows = [r for r in rows if Releasability.parse(r.releasable_to).allows(partner)]
    return rows


def tasks_as_at(store: Store, at: datetime, partner: str | None = None) -> list[TaskRow]:
    """Tasks as they were at ``at``: status, title, location, due... (assigned units as now)."""
    from app.core.tasks.records import FINAL_STATUSES

    at = as_utc(at)
    rebuilt = _rebuild(store, Task.__tablename__, at)
    rows = []
    for row in list_tasks(store, partner=partner, now=at):
        old = rebuilt.fields.get(row.id)
        if row.id in rebuilt.absent:
            continue
        if old:
            if old.get("deleted"):
                continue
            changes = {
                k: v
                for k, v in old.items()
                if k in TaskRow.__dataclass_fields__ and k not in ("id", "assigned_units")
            }
            if isinstance(changes.get("location"), str):
                changes["location"] = json.loads(changes["location"])
            row = replace(row, **changes)
            row = replace(
                row,
                overdue=row.due is not None and row.due < at and row.status not in FINAL_STATUSES,
            )
        rows.append(row)
    return rows


def history_span(store: Store) -> tuple[datetime, datetime] | None:
    """The earliest and latest times the stored history covers (None when empty)."""
    with store.session() as session:
        lo1, hi1 = session.execute(select(func.min(SyncChange.at), func.max(SyncChange.at))).one()
        lo2, hi2 = session.execute(
            select(func.min(UnitPosition.at), func.max(UnitPosition.at))
        ).one()
    times = [as_utc(t) for t in (lo1, hi1, lo2, hi2) if t is not None]
    if not times:
        return None
    return min(times), max(times)
