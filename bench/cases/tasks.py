"""task_filter_50k: changing a filter on a 50,000-task table, ms (model + view)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from cases import Result, bench, median
from cases.map_cases import _app


def _rows(n: int) -> list:
    from app.core.common.markings import Releasability
    from app.core.tasks.queries import TaskRow
    from app.core.tasks.records import PRIORITIES, STATUSES, TASK_TYPES, search_text

    rng = random.Random(4)
    now = datetime.now(UTC)
    rel = Releasability.parse("NATO")
    rows = []
    for i in range(n):
        title = f"{rng.choice(['Escort', 'Patrol', 'Clear', 'Secure', 'Recce'])} {rng.choice(['route BLUE', 'DP 4', 'Macomia', 'the N380', 'Camp North'])} {i}"
        status, priority, kind = (
            rng.choice(STATUSES),
            rng.choice(PRIORITIES),
            rng.choice(TASK_TYPES),
        )
        callsigns = (f"UNIT {rng.randrange(500)}",)
        due = now + timedelta(hours=rng.uniform(-48, 96))
        rows.append(
            TaskRow(
                id=f"t{i}",
                reference=f"TSK-{i:05d}",
                title=title,
                type=kind,
                description="",
                priority=priority,
                status=status,
                assigned_units=(f"u{rng.randrange(500)}",),
                assigned_callsigns=callsigns,
                originator="G3",
                location=None,
                lat=None,
                lon=None,
                start=None,
                due=due,
                classification="NATO RESTRICTED",
                releasable_to=rel,
                overdue=due < now and status not in ("complete", "cancelled"),
                search_text=search_text(f"TSK-{i:05d}", title, kind, "G3", *callsigns),
            )
        )
    return rows


@bench("task_filter_50k")
def task_filter(repeat: int | None) -> Result:
    from PySide6.QtWidgets import QTableView

    from app.ui.panels.tasks.model import TasksModel

    app = _app()
    model = TasksModel()
    model.set_rows(_rows(50_000))
    view = QTableView()
    view.setModel(model)
    view.resize(900, 700)
    view.show()
    app.processEvents()
    filters = [
        {"status": "assigned"},
        {"priority": "flash"},
        {"overdue": True},
        {"text": "route blue"},
        {"unit_id": "u42"},
        {},
    ]
    times = []
    for _ in range(repeat or 3):
        for criteria in filters:
            t = time.perf_counter()
            model.set_criteria(**criteria)
            app.processEvents()
            times.append((time.perf_counter() - t) * 1000)
    view.close()
    return Result(
        "task_filter_50k", "ms", median(times), note=f"target < 100 ms; max {max(times):.0f} ms"
    )
