"""Drawing, editing and deleting zones on the map, with undo and redo."""

from __future__ import annotations

from typing import Any

from app.core.store.queries import list_zones

SQUARE = {"type": "Polygon", "coordinates": [[[40.0, -12.0], [40.25, -12.0], [40.25, -11.75], [40.0, -11.75], [40.0, -12.0]]]}
BOW_TIE = {"type": "Polygon", "coordinates": [[[40.0, -12.0], [40.25, -11.75], [40.25, -12.0], [40.0, -11.75], [40.0, -12.0]]]}


def _draw(qtbot: Any, window: Any, js: Any, geometry: dict) -> Any:
    import json

    editor = window.zone_editor
    with qtbot.waitSignal(window.map_view.bridge.sig_zone_drawn, timeout=5000):
        js(window.map_view, f"COP.drawGeometry({json.dumps(geometry)})")
    qtbot.waitUntil(lambda: editor.form is not None and editor.form.isVisible(), timeout=5000)
    return editor.form


def test_a_drawn_polygon_becomes_a_zone_and_undo_redo_work(window: Any, qtbot: Any, js: Any, picture: Any) -> None:
    before = len(list_zones(picture))
    form = _draw(qtbot, window, js, SQUARE)
    form.name.setText("Checkpoint area")
    form.kind.setCurrentIndex(form.kind.findData("restricted operating zone"))
    form.accept()
    qtbot.waitUntil(lambda: any(z.name == "Checkpoint area" for z in list_zones(picture)), timeout=5000)
    zone = next(z for z in list_zones(picture) if z.name == "Checkpoint area")
    assert zone.geometry == SQUARE and zone.kind == "restricted operating zone"
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().zones") == before + 1, timeout=10000)
    stack = window.zone_editor.stack
    stack.undo()
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before, timeout=5000)
    stack.redo()
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before + 1, timeout=5000)
    # edit, then undo the edit
    editor = window.zone_editor
    form = editor.edit(next(z for z in list_zones(picture) if z.name == "Checkpoint area"))
    form.name.setText("Checkpoint BRAVO")
    form.severity.setValue(5)
    form.accept()
    qtbot.waitUntil(lambda: any(z.name == "Checkpoint BRAVO" and z.severity == 5 for z in list_zones(picture)), timeout=5000)
    stack.undo()
    qtbot.waitUntil(lambda: any(z.name == "Checkpoint area" for z in list_zones(picture)), timeout=5000)
    # delete, then undo the delete
    editor.delete(next(z for z in list_zones(picture) if z.name == "Checkpoint area"))
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before, timeout=5000)
    stack.undo()
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before + 1, timeout=5000)


def test_bad_input_in_the_zone_form_stores_nothing(window: Any, qtbot: Any, js: Any, picture: Any) -> None:
    before = list_zones(picture)
    form = _draw(qtbot, window, js, BOW_TIE)
    form.name.setText("Crossed")
    form.accept()
    assert form.isVisible() and "not valid" in form.error.text()  # self-intersecting
    form.reject()
    form = _draw(qtbot, window, js, SQUARE)
    form.accept()
    assert form.isVisible() and "name" in form.error.text()  # empty name
    form.severity.setValue(9)
    assert form.severity.value() == 5  # the form cannot hold a severity outside 1-5
    form.reject()
    window.ctx.runner.wait()
    assert list_zones(picture) == before
