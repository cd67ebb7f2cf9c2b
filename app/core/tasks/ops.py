"""Core write operations on tasks.  Like ``ops``: each public operation is one
transaction that writes the change log and publishes ``Changed(kind="task")``
after the commit; ``save_tasks`` works inside a ``writing()`` batch so an import
can save units, zones and tasks together.

Every change to a task also writes ``task_history`` rows (when, who, which
field, old and new value as text, and the reason given), and a change of status
obeys the workflow (``app.core.tasks.records.check_transition``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from app.core.common.dtg import format_iso
from app.core.common.markings import Releasability
from app.core.events import RecordKind
from app.core.picture.records import ValidationError
from app.core.store.chunks import chunked
from app.core.store.engine import Store, new_id
from app.core.store.models import Task, TaskHistory, TaskUnit
from app.core.store.writing import WriteBatch, tombstone, writing
from app.core.tasks.records import (
    STAFFED_STATUSES,
    TaskData,
    WorkflowError,
    check_transition,
    status_label,
)
from app.i18n import _

KIND = RecordKind.TASK
_TASK = cast(Table, Task.__table__)
_TASK_UNIT = cast(Table, TaskUnit.__table__)
_TASK_HISTORY = cast(Table, TaskHistory.__table__)
DEFAULT_PREFIX = "TSK"

# fields that are recorded in the history (lat/lon follow the location)
HISTORY_FIELDS = (
    "reference",
    "title",
    "type",
    "description",
    "priority",
    "status",
    "originator",
    "location",
    "start",
    "due",
    "classification",
    "releasable_to",
)


def site_prefix(site_name: str) -> str:
    """The reference prefix of a site: its name's letters and digits, upper case, at most 6.

    ``"TEST HQ"`` -> ``TESTHQ``, ``"JOC Alpha"`` -> ``JOCALP``; ``TSK`` when the name has none.
    """
    ascii_name = unicodedata.normalize("NFKD", site_name or "").encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Za-z0-9]", "", ascii_name).upper().lstrip("0123456789")
    return letters[:6] or DEFAULT_PREFIX


def history_text(field: str, value: Any) -> str | None:
    """A field's value as the task history shows it (sync writes received changes alike)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_iso(value)
    if isinstance(value, Releasability):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _with_index(exc: ValidationError, index: int) -> ValidationError:
    """Mark which task of a ``save_tasks`` call was refused (an import names its row)."""
    exc.task_index = index  # type: ignore[attr-defined]
    return exc


def _next_number(session: Session, prefix: str) -> int:
    """One more than the highest ``PREFIX-n`` reference in the store."""
    highest = 0
    cut = len(prefix) + 1
    for (reference,) in session.execute(
        select(Task.reference).where(Task.reference.like(f"{prefix}-%"))
    ):
        tail = reference[cut:]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest + 1


def save_tasks(
    batch: WriteBatch,
    tasks: Iterable[TaskData],
    reason: str = "",
    enforce_workflow: bool = True,
) -> list[str]:
    """Add or update tasks (by id) inside an open write batch; returns their ids.

    Each task is validated.  A new task without a reference is numbered
    ``PREFIX-0001``, ``PREFIX-0002``... (the prefix comes from the site name); an
    existing task given without a reference keeps its own.  A change of status of
    an existing task must follow the workflow (``reason`` is needed to reopen a
    final task) unless ``enforce_workflow`` is False (the demo, which resets its
    own records).  A refused task raises ``ValidationError`` (``WorkflowError``
    for the workflow) with ``task_index`` set to its position in ``tasks``.
    """
    items = list(tasks)
    for index, task in enumerate(items):
        try:
            task.validate()
        except ValidationError as exc:
            raise _with_index(exc, index) from None
    session = batch.session
    ids = [t.id for t in items if t.id]
    existing: dict[str, Task] = {}
    old_units: dict[str, list[str]] = {}
    for chunk in chunked(ids):
        for record in session.scalars(select(Task).where(Task.id.in_(chunk))):
            existing[record.id] = record
        rows = session.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id)
            .where(TaskUnit.task_id.in_(chunk))
            .order_by(TaskUnit.task_id, TaskUnit.position)
        )
        for task_id, unit_id in rows:
            old_units.setdefault(task_id, []).append(unit_id)

    # references: unique in the store and in this batch
    given = [t.reference for t in items if t.reference]
    owner: dict[str, str] = {}
    for chunk in chunked(given):
        owner.update(
            (ref, rid)
            for rid, ref in session.execute(
                select(Task.id, Task.reference).where(Task.reference.in_(chunk))
            )
        )
    prefix = site_prefix(batch.store.site.site_name)
    next_number: int | None = None
    seen_ids: set[str] = set()

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    replaced_units: list[str] = []
    history: list[dict[str, Any]] = []
    result: list[str] = []
    who, now, site = batch.store.operator, batch.now, batch.store.site.site_id

    def note(task_id: str, what: str, old: Any, new: Any) -> None:
        history.append(
            {
                "task_id": task_id,
                "at": now,
                "who": who,
                "what": what,
                "old": history_text(what, old),
                "new": history_text(what, new),
                "reason": reason,
            }
        )

    for index, task in enumerate(items):
        task_id = task.id or new_id()
        if task_id in seen_ids:
            raise _with_index(
                ValidationError(_("task id '{value}' is given twice").format(value=task_id)), index
            )
        seen_ids.add(task_id)
        result.append(task_id)
        old = existing.get(task_id)
        values = task.columns()
        if task.reference:
            holder = owner.get(task.reference)
            if holder is not None and holder != task_id:
                raise _with_index(
                    ValidationError(
                        _("reference '{value}' is already used by another task").format(
                            value=task.reference
                        )
                    ),
                    index,
                )
            owner[task.reference] = task_id
        if old is None:
            reference = task.reference
            if not reference:
                if next_number is None:
                    next_number = _next_number(session, prefix)
                reference = f"{prefix}-{next_number:04d}"
                while reference in owner:
                    next_number += 1
                    reference = f"{prefix}-{next_number:04d}"
                next_number += 1
                owner[reference] = task_id
                task.reference = reference
            inserts.append(
                {
                    "id": task_id,
                    "created_at": now,
                    "updated_at": now,
                    "hlc": batch.hlc,
                    "origin_site": site,
                    "deleted": False,
                    "reference": reference,
                    **values,
                }
            )
            unit_rows.extend(
                {"task_id": task_id, "unit_id": unit, "position": pos}
                for pos, unit in enumerate(task.assigned_units)
            )
            note(task_id, "created", None, task.title)
            fields = {"reference": reference, **values, "assigned_units": list(task.assigned_units)}
            batch.capture(
                Task.__tablename__,
                task_id,
                "insert",
                fields,
                None,
                task.classification,
                task.releasable_to,  # type: ignore[arg-type]
            )
            batch.note_added(KIND, (task_id,))
            continue

        if enforce_workflow and not old.deleted and old.status != task.status:
            try:
                check_transition(old.status, task.status, task.assigned_units, reason)
            except WorkflowError as exc:
                raise _with_index(exc, index) from None
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if task.reference and task.reference != old.reference:
            changed["reference"] = task.reference
        else:
            task.reference = old.reference
        units_before = old_units.get(task_id, [])
        units_changed = units_before != task.assigned_units
        if old.deleted:
            changed["deleted"] = False
        if not changed and not units_changed:
            continue
        updates.append({"id": task_id, "updated_at": now, "hlc": batch.hlc, **changed})
        for name in HISTORY_FIELDS:
            if name in changed:
                note(task_id, name, getattr(old, name), changed[name])
        if old.deleted:
            note(task_id, "restored", None, None)
        fields = dict(changed)
        if units_changed:
            replaced_units.append(task_id)
            unit_rows.extend(
                {"task_id": task_id, "unit_id": unit, "position": pos}
                for pos, unit in enumerate(task.assigned_units)
            )
            note(task_id, "assigned_units", units_before, task.assigned_units)
            fields["assigned_units"] = list(task.assigned_units)
        batch.capture(
            Task.__tablename__,
            task_id,
            "update",
            fields,
            old.hlc,
            task.classification,
            task.releasable_to,  # type: ignore[arg-type]
        )
        batch.note_updated(KIND, (task_id,))

    if inserts:
        # rows with None in the same columns go in one executemany (see demo.load_demo)
        inserts.sort(key=lambda row: tuple(value is None for value in row.values()))
        session.execute(_TASK.insert(), inserts)
    if updates:
        session.execute(update(Task), updates)
    for chunk in chunked(replaced_units):
        session.execute(delete(TaskUnit).where(TaskUnit.task_id.in_(chunk)))
    if unit_rows:
        session.execute(_TASK_UNIT.insert(), unit_rows)
    if history:
        session.execute(_TASK_HISTORY.insert(), history)
    return result


def add_tasks(
    store: Store, tasks: Iterable[TaskData], reason: str = "", initiator: str | None = None
) -> list[str]:
    """Add or update tasks in one transaction (see ``save_tasks``)."""
    with writing(store, initiator) as batch:
        return save_tasks(batch, tasks, reason=reason)


def _load(session: Session, task_id: str) -> TaskData:
    """The live task ``task_id`` as a TaskData; ValidationError if there is none."""
    record = session.get(Task, task_id)
    if record is None or record.deleted:
        raise ValidationError(_("there is no task '{id}'").format(id=task_id))
    units = list(
        session.scalars(
            select(TaskUnit.unit_id).where(TaskUnit.task_id == task_id).order_by(TaskUnit.position)
        )
    )
    return TaskData(
        id=record.id,
        reference=record.reference,
        title=record.title,
        type=record.type,
        description=record.description,
        priority=record.priority,
        status=record.status,
        assigned_units=units,
        originator=record.originator,
        location=json.loads(record.location) if record.location else None,
        start=record.start,
        due=record.due,
        classification=record.classification,
        releasable_to=record.releasable_to,
    )


def set_status(
    store: Store, task_id: str, new_status: str, reason: str = "", initiator: str | None = None
) -> bool:
    """Move a task to ``new_status`` if the workflow allows it; False if it already was there.

    Raises ``WorkflowError`` saying why a change is refused (``reason`` is needed
    to reopen a complete or cancelled task, and recorded in the history).
    """
    with writing(store, initiator) as batch:
        task = _load(batch.session, task_id)
        check_transition(task.status, new_status, task.assigned_units, reason)
        if task.status == new_status:
            return False
        task.status = new_status
        save_tasks(batch, [task], reason=reason)
        return True


def assign_units(
    store: Store,
    task_id: str,
    unit_ids: Iterable[str],
    reason: str = "",
    initiator: str | None = None,
) -> list[str]:
    """Add units to a task (after those it has); returns the ids newly assigned.

    The status does not change: a draft task stays draft until its status is set.
    A unit id the store does not hold yet is kept, to be linked when it arrives.
    """
    with writing(store, initiator) as batch:
        task = _load(batch.session, task_id)
        added: list[str] = []
        for unit_id in unit_ids:
            unit_id = str(unit_id).strip()
            if unit_id and unit_id not in task.assigned_units and unit_id not in added:
                added.append(unit_id)
        if added:
            task.assigned_units = [*task.assigned_units, *added]
            save_tasks(batch, [task], reason=reason)
        return added


def unassign_unit(
    store: Store, task_id: str, unit_id: str, reason: str = "", initiator: str | None = None
) -> bool:
    """Take a unit off a task; False if it was not assigned.

    An assigned or in-progress task keeps at least one unit (WorkflowError).
    """
    with writing(store, initiator) as batch:
        task = _load(batch.session, task_id)
        if unit_id not in task.assigned_units:
            return False
        remaining = [u for u in task.assigned_units if u != unit_id]
        if not remaining and task.status in STAFFED_STATUSES:
            raise WorkflowError(
                _(
                    "{reference} is {status}: it cannot lose its last assigned unit; block or cancel it first"
                ).format(reference=task.reference, status=status_label(task.status))
            )
        task.assigned_units = remaining
        save_tasks(batch, [task], reason=reason)
        return True


def delete_tasks(
    store: Store, ids: Iterable[str], reason: str = "", initiator: str | None = None
) -> int:
    """Tombstone tasks (kept for sync and history, hidden everywhere else)."""
    with writing(store, initiator) as batch:
        removed = tombstone(batch, Task, ids, KIND)
        if removed:
            batch.session.execute(
                _TASK_HISTORY.insert(),
                [
                    {
                        "task_id": rid,
                        "at": batch.now,
                        "who": batch.store.operator,
                        "what": "deleted",
                        "old": None,
                        "new": None,
                        "reason": reason,
                    }
                    for rid in removed
                ],
            )
        return len(removed)
