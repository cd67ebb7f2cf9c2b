"""Read-side queries on tasks, returning plain rows (no ORM objects leave the store)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, func, select, type_coerce

from app.core.common.markings import Releasability
from app.core.common.times import stored_time
from app.core.picture.queries import YIELD_ROWS, releasable_clause
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import Task, TaskHistory, TaskUnit, Unit
from app.core.tasks.records import FINAL_STATUSES, TaskData, search_text, type_label


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A live task as the views show it.

    ``assigned_units`` are unit ids in order; ``assigned_callsigns`` the same units'
    callsigns (the unit's name when it has none, the id when the store does not
    hold the unit yet).  ``overdue`` was computed for the ``now`` of the query;
    ``search_text`` is what ``filter_tasks`` searches.
    """

    id: str
    reference: str
    title: str
    type: str
    description: str
    priority: str
    status: str
    assigned_units: tuple[str, ...]
    assigned_callsigns: tuple[str, ...]
    originator: str
    location: dict[str, Any] | None
    lat: float | None
    lon: float | None
    start: datetime | None
    due: datetime | None
    classification: str
    releasable_to: Releasability
    overdue: bool = False
    updated_at: datetime | None = None
    search_text: str = ""

    def to_data(self) -> TaskData:
        """A TaskData to edit and save back (``save_tasks``) with the same id."""
        return TaskData(
            id=self.id,
            reference=self.reference,
            title=self.title,
            type=self.type,
            description=self.description,
            priority=self.priority,
            status=self.status,
            assigned_units=list(self.assigned_units),
            originator=self.originator,
            location=json.loads(json.dumps(self.location)) if self.location else None,
            start=self.start,
            due=self.due,
            classification=self.classification,
            releasable_to=self.releasable_to,
        )


@dataclass(frozen=True, slots=True)
class TaskHistoryRow:
    """One recorded change: ``what`` is the field (or ``created``, ``deleted``, ``restored``).

    For ``assigned_units`` the old and new values are the units' callsigns, ``;``-separated.
    """

    at: datetime
    who: str
    what: str
    old: str | None
    new: str | None
    reason: str


# Times and markings are read as stored and converted here: SQLAlchemy's per-value
# processing cost about three times the query itself on 50,000 tasks.
_COLUMNS = (
    Task.id,
    Task.reference,
    Task.title,
    Task.type,
    Task.description,
    Task.priority,
    Task.status,
    Task.originator,
    Task.location,
    Task.lat,
    Task.lon,
    type_coerce(Task.start, String),
    type_coerce(Task.due, String),
    Task.classification,
    type_coerce(Task.releasable_to, String),
    type_coerce(Task.updated_at, String),
)


def unit_labels(
    store: Store, ids: Iterable[str] | None = None, partner: str | None = None
) -> dict[str, str]:
    """Unit id -> callsign (or name when it has no callsign) for live units.

    Only ``ids`` when given; only units releasable to ``partner`` when given.
    """
    base = select(Unit.id, Unit.callsign, Unit.name, Unit.releasable_to).where(
        Unit.deleted.is_(False)
    )
    if partner:
        base = base.where(releasable_clause(Unit.releasable_to, partner))
    found: dict[str, str] = {}
    with store.session() as session:
        if ids is None:
            results = [session.execute(base.execution_options(yield_per=YIELD_ROWS))]
        else:
            results = [
                session.execute(base.where(Unit.id.in_(chunk)))
                for chunk in chunked(list(set(ids)), READ_CHUNK)
            ]
        for result in results:
            for uid, callsign, name, rel in result:
                if partner and not rel.allows(partner):
                    continue
                found[uid] = callsign or name
    return found


def list_tasks(
    store: Store,
    ids: Iterable[str] | None = None,
    partner: str | None = None,
    now: datetime | None = None,
) -> list[TaskRow]:
    """Live (not deleted) tasks, ordered by reference.

    Only ``ids`` when given.  With ``partner``: only tasks releasable to it, and
    assigned units it may not see are withheld from each row.  ``overdue`` is
    computed for ``now`` (default: the current time).
    """
    now = now or datetime.now(UTC)
    base = select(*_COLUMNS).where(Task.deleted.is_(False))
    if partner:
        base = base.where(releasable_clause(Task.releasable_to, partner))
    unit_base = select(TaskUnit.task_id, TaskUnit.unit_id).order_by(
        TaskUnit.task_id, TaskUnit.position
    )
    raw: list[Any] = []
    units: dict[str, list[str]] = {}
    with store.session() as session:
        conn = session.connection()
        if ids is None:
            raw = list(conn.execute(base.order_by(Task.reference)))
            unit_rows = conn.execute(
                unit_base.join(Task, Task.id == TaskUnit.task_id).where(Task.deleted.is_(False))
            ).all()
        else:
            unit_rows = []
            for chunk in chunked(list(ids), READ_CHUNK):
                raw.extend(conn.execute(base.where(Task.id.in_(chunk))).all())
                unit_rows.extend(conn.execute(unit_base.where(TaskUnit.task_id.in_(chunk))).all())
            raw.sort(key=lambda r: r[1])
    for task_id, unit_id in unit_rows:
        if task_id in units:
            units[task_id].append(unit_id)
        else:
            units[task_id] = [unit_id]
    from_storage = Releasability.from_storage
    if partner:
        raw = [r for r in raw if from_storage(r[14]).allows(partner)]
    wanted = {u for r in raw for u in units.get(r[0], ())}
    labels = unit_labels(store, None if ids is None else wanted)
    visible = labels if not partner else unit_labels(store, wanted, partner)
    type_labels = {t: f"{t}\x1f{type_label(t)}" for t in {r[3] for r in raw}}
    loads = json.loads
    result: list[TaskRow] = []
    append = result.append
    empty: tuple[str, ...] = ()
    for (
        task_id,
        reference,
        title,
        kind,
        description,
        priority,
        status,
        originator,
        location,
        lat,
        lon,
        start,
        due,
        classification,
        releasable,
        updated,
    ) in raw:
        assigned = units.get(task_id)
        if assigned and partner:
            assigned = [u for u in assigned if u in visible]
        if assigned:
            assigned_ids = tuple(assigned)
            callsigns = tuple([labels.get(u, u) for u in assigned])
        else:
            assigned_ids = callsigns = empty
        due_at = stored_time(due)
        append(
            TaskRow(
                task_id,
                reference,
                title,
                kind,
                description,
                priority,
                status,
                assigned_ids,
                callsigns,
                originator,
                loads(location) if location else None,
                lat,
                lon,
                stored_time(start),
                due_at,
                classification,
                from_storage(releasable),
                due_at is not None and due_at < now and status not in FINAL_STATUSES,
                stored_time(updated),
                search_text(
                    reference, title, description, type_labels[kind], originator, *callsigns
                ),
            )
        )
    return result


def task_history(store: Store, task_id: str) -> list[TaskHistoryRow]:
    """Every recorded change of a task, oldest first."""
    with store.session() as session:
        rows = session.execute(
            select(
                TaskHistory.at,
                TaskHistory.who,
                TaskHistory.what,
                TaskHistory.old,
                TaskHistory.new,
                TaskHistory.reason,
            )
            .where(TaskHistory.task_id == task_id)
            .order_by(TaskHistory.at, TaskHistory.id)
        ).all()
    unit_ids = {
        u
        for r in rows
        if r.what == "assigned_units"
        for value in (r.old, r.new)
        if value
        for u in value.split(";")
    }
    labels = unit_labels(store, unit_ids) if unit_ids else {}

    def show(what: str, value: str | None) -> str | None:
        if what != "assigned_units" or not value:
            return value
        return ";".join(labels.get(u, u) for u in value.split(";"))

    return [
        TaskHistoryRow(r.at, r.who, r.what, show(r.what, r.old), show(r.what, r.new), r.reason)
        for r in rows
    ]


def count_tasks(store: Store) -> int:
    """How many live tasks the store holds."""
    with store.session() as session:
        return session.scalar(select(func.count()).where(Task.deleted.is_(False))) or 0


def tasks_of_unit(store: Store, unit_id: str) -> list[str]:
    """Ids of the live tasks ``unit_id`` is assigned to."""
    with store.session() as session:
        return list(
            session.scalars(
                select(TaskUnit.task_id)
                .join(Task, Task.id == TaskUnit.task_id)
                .where(TaskUnit.unit_id == unit_id, Task.deleted.is_(False))
                .order_by(Task.reference)
            )
        )
