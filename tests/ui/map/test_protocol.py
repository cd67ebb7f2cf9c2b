"""The live page checks messages against the protocol Python sends it, handles
exactly the protocol's ops, and draws with the shared colours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.mapdoc import styles
from app.core.mapdoc.protocol import PAGE_CALLS, Op, message

CATCH_ERRORS = """
window.__copErrors = [];
if (!window.__copErrorsHooked) {
  window.__copErrorsHooked = true;
  var original = console.error;
  console.error = function () {
    window.__copErrors.push(Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
}
true
"""


@pytest.fixture
def page(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The real page, built with a flood colour no script could know but from Python."""
    from app.core.mapdoc.page import write_live_page
    from app.ui.app import application
    from app.ui.map.view import MapView

    application()
    monkeypatch.setitem(styles.ZONE_COLOURS, "flood", "#123abc")
    view = MapView(write_live_page(tmp_path / "page"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.ready, timeout=60000)
    yield view
    view.close()
    view.shutdown()
    view.deleteLater()
    qtbot.wait(50)


def test_the_live_page_handles_exactly_the_protocol(page: Any, js: Any) -> None:
    handled = set(js(page, "COP.handledOps()"))
    assert handled == {op.value for op in Op}
    assert set(js(page, "Object.keys(COP.PROTOCOL.ops)")) == {op.value for op in Op}


def test_the_bridge_has_a_slot_for_every_page_call() -> None:
    from PySide6.QtCore import QMetaMethod

    from app.ui.map.view import MapBridge

    meta = MapBridge.staticMetaObject
    slots = {
        bytes(meta.method(i).name().data()).decode(): meta.method(i).parameterCount()
        for i in range(meta.methodOffset(), meta.methodCount())
        if meta.method(i).methodType() == QMetaMethod.MethodType.Slot
    }
    assert slots == {name: len(args) for name, args in PAGE_CALLS.items()}


def test_an_unknown_op_or_a_missing_field_is_refused_and_later_messages_still_work(
    page: Any, js: Any, qtbot: Any
) -> None:
    from app.ui.map.controller import MapPage

    assert js(page, CATCH_ERRORS) is True
    before = js(page, "COP.stats().zoom")
    # bypassing protocol.message(): what a renamed op or a forgotten field would send
    page.push(
        [
            {"op": "units.rest", "rows": []},
            {"op": "fly", "lat": -12.0},
            "not a message",
            {"op": "fly", "lat": -12.0, "lon": 40.0, "zoom": 7},
        ]
    )
    qtbot.waitUntil(lambda: js(page, "COP.stats().zoom") == 7, timeout=5000)
    errors = js(page, "window.__copErrors")
    assert any('unknown op "units.rest"' in e for e in errors), errors
    assert any("fly needs lon" in e for e in errors), errors
    assert len(errors) == 3, errors
    assert before != 7
    # a message on its own after a refused one is handled too
    page.push({"op": "nonsense"})
    MapPage.of(page).send(message(Op.FLY, lat=-12.0, lon=40.0, zoom=9))
    qtbot.waitUntil(lambda: js(page, "COP.stats().zoom") == 9, timeout=5000)
    assert len(js(page, "window.__copErrors")) == 4
    # and the Python side refuses to send it at all
    with pytest.raises(ValueError):
        MapPage.of(page).send({"op": "nonsense"})


def test_the_page_draws_with_the_python_styles(page: Any, js: Any, qtbot: Any) -> None:
    from app.ui.map.controller import MapPage

    assert js(page, "COP.styles.zones.flood") == "#123abc"
    ring = [[39.8, -11.9], [40.4, -11.9], [40.4, -11.6], [39.8, -11.9]]

    def zone(zid: str, kind: str) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": zid,
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name": kind, "kind": kind, "severity": 3},
        }

    features = [zone("z1", "flood"), zone("z2", "corridor")]
    MapPage.of(page).send(
        message(Op.ZONES_RESET, zones={"type": "FeatureCollection", "features": features})
    )
    qtbot.waitUntil(lambda: js(page, "COP.stats().zones") == 2, timeout=5000)
    option = "COP._.state.zones.get('{id}').getLayers()[0].options.{name}"
    assert js(page, option.format(id="z1", name="color")) == "#123abc"
    assert js(page, option.format(id="z2", name="color")) == styles.ZONE_COLOURS["corridor"]
    assert js(page, option.format(id="z2", name="dashArray")) == styles.ZONE_DASHES["corridor"]
