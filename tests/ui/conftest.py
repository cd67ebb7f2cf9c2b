"""pytest-qt fixtures on the real QtWebEngine page, offscreen."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.core.picture.records import UnitData, ZoneData
from app.ui import pyside_fix
from app.ui.map import tiles as _tiles  # noqa: F401  (registers coptiles:// before Qt starts)

pyside_fix.apply()


def run_js(qtbot: Any, view: Any, script: str, timeout: int = 10000) -> Any:
    """Evaluate ``script`` in the page and return its (JSON-able) value."""
    box: dict[str, Any] = {}

    def done(value: Any) -> None:
        box["value"] = value

    wrapped = f"(function(){{ var v = (0, eval)({json.dumps(script)}); return v === undefined ? 'null' : JSON.stringify(v); }})()"
    view.page().runJavaScript(wrapped, 0, done)
    qtbot.waitUntil(lambda: "value" in box, timeout=timeout)
    return json.loads(box["value"]) if box["value"] is not None else None


@pytest.fixture
def js(qtbot: Any) -> Callable[..., Any]:
    return lambda view, script, timeout=10000: run_js(qtbot, view, script, timeout)


def sample_units() -> list[UnitData]:
    return [
        UnitData(
            name="1st Coy",
            callsign="ALPHA 6",
            nation="FRA",
            sidc="10031000151211000000",
            lat=-12.95,
            lon=40.45,
            classification="NATO RESTRICTED",
            releasable_to="NATO",
        ),
        UnitData(
            name="Recce Pl",
            callsign="BRAVO 1",
            nation="PRT",
            sidc="10031000141213000000",
            lat=-12.60,
            lon=40.10,
            releasable_to=["NATO", "UN"],
        ),
        UnitData(
            name="Armed group",
            callsign="",
            nation="",
            sidc="10061000151211000000",
            lat=-11.40,
            lon=40.30,
            classification="NATO RESTRICTED",
            releasable_to="NATO",
        ),
        UnitData(
            name="MSF team",
            callsign="MSF 2",
            nation="",
            sidc="10041100001104000000",
            lat=-13.10,
            lon=39.90,
            releasable_to="PUBLIC",
        ),
    ]


def sample_zone() -> ZoneData:
    return ZoneData(
        name="Messalo flood",
        kind="flood",
        severity=4,
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[39.8, -11.9], [40.4, -11.9], [40.4, -11.6], [39.8, -11.6], [39.8, -11.9]]
            ],
        },
        releasable_to="PUBLIC",
    )


@pytest.fixture
def picture(store: Any) -> Any:
    from app.core.picture.ops import add_units, add_zones

    add_units(store, sample_units())
    add_zones(store, [sample_zone()])
    return store


@pytest.fixture
def window(qtbot: Any, picture: Any) -> Iterator[Any]:
    from app.ui.app import application, build_window

    application()
    win = build_window(picture)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    with qtbot.waitSignal(win.map_controller.sig_loaded, timeout=60000):
        win.show()
    expected = len(sample_units())
    qtbot.waitUntil(lambda: win.map_view.last_paint.get("total") == expected, timeout=30000)
    # the tables load once the map has painted (the picture comes first)
    qtbot.waitUntil(lambda: win.panels["units"].model.rowCount() == expected, timeout=30000)
    yield win
    win.close()
    win.map_view.deleteLater()
    qtbot.wait(50)
