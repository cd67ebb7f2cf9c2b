"""The Tasks dock as an operations officer uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt

from app.core.picture.queries import list_units
from app.core.tasks.ops import add_tasks
from app.core.tasks.queries import list_tasks
from app.core.tasks.records import TaskData


def _task(store: Any, **kw: Any) -> str:
    data = dict(
        title="Secure distribution point 4",
        type="distribution",
        priority="immediate",
        location={"type": "Point", "coordinates": [40.2, -12.7]},
        due=datetime.now(UTC) + timedelta(hours=6),
    )
    data.update(kw)
    [tid] = add_tasks(store, [TaskData(**data)])
    return tid


def test_dropping_a_unit_on_a_task_assigns_it_and_the_task_is_on_the_map(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    tid = _task(picture)
    panel = window.panels["tasks"]
    qtbot.waitUntil(lambda: tid in panel.model.row_of, timeout=10000)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().tasks") == 1, timeout=10000)
    # drag: the Units table gives the unit's id as mime data, the task row takes it
    unit = next(u for u in list_units(picture) if u.callsign == "BRAVO 1")
    units_model = window.panels["units"].model
    qtbot.waitUntil(lambda: unit.id in units_model.row_of, timeout=5000)
    mime = units_model.mimeData([units_model.index(units_model.row_of[unit.id], 1)])
    target = panel.model.index(panel.model.row_of[tid], 0)
    assert panel.model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert panel.model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    qtbot.waitUntil(
        lambda: list_tasks(picture, [tid])[0].assigned_units == (unit.id,), timeout=10000
    )
    qtbot.waitUntil(
        lambda: panel.model.rows[panel.model.row_of[tid]].assigned_callsigns == ("BRAVO 1",),
        timeout=10000,
    )
    # selecting the task in the table selects it on the map
    panel.table.selectionModel().select(
        panel.model.index(panel.model.row_of[tid], 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().selectedTask") == tid, timeout=5000)
    qtbot.waitUntil(
        lambda: "Secure distribution point 4" in panel.detail.toPlainText(), timeout=5000
    )
    assert "BRAVO 1" in panel.detail.toPlainText()


def test_a_click_on_the_task_on_the_map_selects_its_row(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    tid = _task(picture)
    panel = window.panels["tasks"]
    qtbot.waitUntil(lambda: tid in panel.model.row_of, timeout=10000)
    window.map_view.bridge.taskClicked(tid)  # what the page sends when the ring is clicked
    qtbot.waitUntil(lambda: bool(panel.table.selectionModel().selectedRows()), timeout=5000)
    assert panel.table.selectionModel().selectedRows()[0].data(Qt.ItemDataRole.UserRole + 2) == tid


def test_an_illegal_status_change_is_refused_with_the_reason(
    window: Any, qtbot: Any, picture: Any
) -> None:
    tid = _task(picture)
    panel = window.panels["tasks"]
    qtbot.waitUntil(lambda: tid in panel.model.row_of, timeout=10000)
    row = panel.model.rows[panel.model.row_of[tid]]
    messages: list[str] = []
    window.ctx.sig_status.connect(messages.append)
    panel.change_status(row, "in_progress")
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert "draft" in messages[-1] and "assigned to a unit" in messages[-1]
    assert list_tasks(picture, [tid])[0].status == "draft"


def test_filters_and_overdue(window: Any, qtbot: Any, picture: Any) -> None:
    late = _task(
        picture,
        title="Clear route BLUE",
        type="route clearance",
        due=datetime.now(UTC) - timedelta(hours=2),
    )
    _task(picture, title="Patrol Metuge", type="patrol", priority="routine")
    panel = window.panels["tasks"]
    qtbot.waitUntil(lambda: len(panel.model.all_rows) == 2, timeout=10000)
    panel.overdue.setChecked(True)
    assert [r.id for r in panel.model.rows] == [late]
    panel.overdue.setChecked(False)
    panel.text.setText("metuge")
    assert [r.title for r in panel.model.rows] == ["Patrol Metuge"]
    panel.text.setText("")
    assert panel.model.rowCount() == 2
    assert "1 overdue" in panel.count.text()


def test_a_task_in_a_no_go_zone_and_a_distant_unit_raise_warnings(
    window: Any, qtbot: Any, picture: Any
) -> None:
    from app.core.picture.ops import add_zones
    from app.core.picture.records import ZoneData

    add_zones(
        picture,
        [
            ZoneData(
                name="Minefield K",
                kind="no-go",
                severity=5,
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [[40.1, -12.8], [40.3, -12.8], [40.3, -12.6], [40.1, -12.6], [40.1, -12.8]]
                    ],
                },
            )
        ],
    )
    far = next(
        u for u in list_units(picture) if u.callsign == "MSF 2"
    )  # near Montepuez, 100+ km away
    tid = _task(picture, title="Recover the vehicle", assigned_units=[far.id], status="assigned")
    panel = window.panels["alerts"]
    qtbot.waitUntil(
        lambda: (
            {getattr(a, "kind", "") for a in panel.model.alerts if getattr(a, "task_id", "") == tid}
            == {"task_in_no_go", "unit_far"}
        ),
        timeout=10000,
    )
    warning = next(a for a in panel.model.alerts if getattr(a, "kind", "") == "unit_far")
    assert warning.unit_id == far.id and warning.km > 50
    assert "Minefield K" in next(
        a.message for a in panel.model.alerts if getattr(a, "kind", "") == "task_in_no_go"
    )


def test_the_form_creates_a_task_and_refuses_bad_input(
    window: Any, qtbot: Any, picture: Any
) -> None:
    panel = window.panels["tasks"]
    form = panel.open_form(None)
    form.title.setText("Escort the convoy to Camp North")
    form.due.setText("311530ZFEB26")  # there is no 31 February
    form.location.setText("37L FG 1234 5678")
    form.accept()
    assert form.isVisible() and "311530ZFEB26" in form.error.text()
    assert list_tasks(picture) == []
    form.due.setText("281800ZNOV26")
    form.location.setText("lat 95")
    form.accept()
    assert form.isVisible() and form.error.text()
    form.location.setText("37L FG 1234 5678")
    form.accept()
    assert not form.isVisible()
    qtbot.waitUntil(lambda: len(list_tasks(picture)) == 1, timeout=5000)
    [task] = list_tasks(picture)
    assert task.title == "Escort the convoy to Camp North" and task.status == "draft"
    assert task.due == datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    assert task.location["type"] == "Point"
    qtbot.waitUntil(lambda: task.id in panel.model.row_of, timeout=5000)


def test_the_unit_filter_shows_that_units_tasks(window: Any, qtbot: Any, picture: Any) -> None:
    bravo = next(u for u in list_units(picture) if u.callsign == "BRAVO 1")
    mine = _task(picture, title="Recce Metuge", assigned_units=[bravo.id], status="assigned")
    _task(picture, title="Someone else's task")
    panel = window.panels["tasks"]
    qtbot.waitUntil(lambda: panel.unit.findData(bravo.id) > 0, timeout=10000)
    panel.unit.setCurrentIndex(panel.unit.findData(bravo.id))
    assert [r.id for r in panel.model.rows] == [mine]
    assert panel.unit.currentText() == "BRAVO 1"
