"""Drawing, editing and deleting zones on the map, with undo and redo."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.picture.queries import list_zones

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[40.0, -12.0], [40.25, -12.0], [40.25, -11.75], [40.0, -11.75], [40.0, -12.0]]
    ],
}
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[40.0, -12.0], [40.25, -11.75], [40.25, -12.0], [40.0, -11.75], [40.0, -12.0]]
    ],
}


def _draw(qtbot: Any, window: Any, js: Any, geometry: dict) -> Any:
    import json

    editor = window.zone_editor
    with qtbot.waitSignal(window.map_view.bridge.sig_zone_drawn, timeout=5000):
        js(window.map_view, f"COP.drawGeometry({json.dumps(geometry)})")
    qtbot.waitUntil(lambda: editor.form is not None and editor.form.isVisible(), timeout=5000)
    return editor.form


def test_a_drawn_polygon_becomes_a_zone_and_undo_redo_work(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    before = len(list_zones(picture))
    form = _draw(qtbot, window, js, SQUARE)
    form.name.setText("Checkpoint area")
    form.kind.setCurrentIndex(form.kind.findData("restricted operating zone"))
    form.accept()
    qtbot.waitUntil(
        lambda: any(z.name == "Checkpoint area" for z in list_zones(picture)), timeout=5000
    )
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
    qtbot.waitUntil(
        lambda: any(z.name == "Checkpoint BRAVO" and z.severity == 5 for z in list_zones(picture)),
        timeout=5000,
    )
    stack.undo()
    qtbot.waitUntil(
        lambda: any(z.name == "Checkpoint area" for z in list_zones(picture)), timeout=5000
    )
    # delete, then undo the delete
    editor.delete(next(z for z in list_zones(picture) if z.name == "Checkpoint area"))
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before, timeout=5000)
    stack.undo()
    qtbot.waitUntil(lambda: len(list_zones(picture)) == before + 1, timeout=5000)


def test_bad_input_in_the_zone_form_stores_nothing(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
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


def test_reshaping_a_zone_moves_its_vertex_and_undo_restores_the_outline(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    """The user drags a vertex of the zone outline on the map and saves it."""
    zone = list_zones(picture)[0]
    old = zone.geometry
    window.zone_editor.reshape(zone)
    qtbot.waitUntil(lambda: js(window.map_view, "!!COP.reshapeLayer()"), timeout=5000)
    assert (
        js(window.map_view, "document.querySelector('.cop-reshape-save').textContent")
        == "Save outline"
    )
    # drag the first vertex as leaflet-draw's vertex marker would
    js(
        window.map_view,
        """(function () {
        var layer = COP.reshapeLayer(), ring = layer.getLatLngs()[0];
        ring[0] = L.latLng(ring[0].lat - 0.2, ring[0].lng - 0.1);
        layer.setLatLngs([ring]);
        return 1; })()""",
    )
    js(window.map_view, "document.querySelector('.cop-reshape-save').click(), 1")
    qtbot.waitUntil(lambda: list_zones(picture)[0].geometry != old, timeout=5000)
    new_ring = list_zones(picture)[0].geometry["coordinates"][0]
    assert new_ring[0] == pytest.approx(
        [old["coordinates"][0][0][0] - 0.1, old["coordinates"][0][0][1] - 0.2]
    )
    assert len(new_ring) == len(old["coordinates"][0])
    assert not js(window.map_view, "!!COP.reshapeLayer()")
    window.zone_editor.stack.undo()
    qtbot.waitUntil(lambda: list_zones(picture)[0].geometry == old, timeout=5000)


def test_a_reshaped_outline_that_crosses_itself_is_refused(
    window: Any, qtbot: Any, js: Any, picture: Any, monkeypatch: Any
) -> None:
    from app.ui.map import zones

    warnings: list[str] = []
    monkeypatch.setattr(
        zones, "plain_message", lambda _parent, _icon, _title, text, *_a: warnings.append(text)
    )
    zone = list_zones(picture)[0]
    window.zone_editor.reshape(zone)
    qtbot.waitUntil(lambda: js(window.map_view, "!!COP.reshapeLayer()"), timeout=5000)
    js(
        window.map_view,
        """(function () {
        var layer = COP.reshapeLayer(), ring = layer.getLatLngs()[0];
        var a = ring[0]; ring[0] = ring[1]; ring[1] = a;   // a bow tie
        layer.setLatLngs([ring]);
        return COP.finishReshape(true) ? 1 : 0; })()""",
    )
    qtbot.waitUntil(lambda: bool(warnings), timeout=5000)
    assert zone.name in warnings[0] and "intersect" in warnings[0]
    assert list_zones(picture)[0].geometry == zone.geometry
    assert window.zone_editor.stack.count() == 0
