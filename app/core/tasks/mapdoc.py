"""Tasks on the map page: a task that has a location, as the page draws it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.core.events import Changed, RecordKind
from app.core.mapdoc.protocol import Message, Op, message
from app.core.store.engine import Store
from app.core.tasks.records import priority_label, status_label


def task_feature(row: Any) -> dict[str, Any]:
    """A task that has a location (a ``TaskRow``) as the page draws it."""
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.location,
        "properties": {
            "reference": row.reference,
            "title": row.title,
            "status": row.status,
            "status_label": status_label(row.status),
            "priority_label": priority_label(row.priority),
            "overdue": row.overdue,
            "units": ", ".join(row.assigned_callsigns),
        },
    }


def task_features(store: Store, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Tasks that have a location, as GeoJSON features for the page."""
    from app.core.tasks.queries import list_tasks

    return [task_feature(row) for row in list_tasks(store, ids) if row.location]


def tasks_reset(store: Store) -> Message:
    """Every task that has a location, for the page's first load."""
    return message(Op.TASKS_RESET, tasks=task_features(store))


def tasks_delta(store: Store, changes: Sequence[Changed]) -> list[Message]:
    """Page messages for the tasks among ``changes``: updated features and removals."""
    messages: list[Message] = []
    for change in changes:
        if change.kind != RecordKind.TASK:
            continue
        live = {f["id"]: f for f in task_features(store, change.ids)}
        messages.append(
            message(
                Op.TASKS_DELTA, update=list(live.values()), remove=sorted(change.ids - live.keys())
            )
        )
    return messages
