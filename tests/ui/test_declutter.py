"""At small scales units close together become badges; zooming in shows symbols."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.core.domain.entities import UnitData
from app.core.store.ops import add_units


def test_units_group_at_small_scales_and_separate_when_zoomed_in(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    rng = np.random.default_rng(5)
    sidcs = ["10031000151211000000", "10061000151211000000", "10041000151211000000"]
    add_units(picture, [
        UnitData(name=f"Coy {i}", sidc=sidcs[i % 3], lat=float(-13 + rng.uniform(0, 1.5)), lon=float(39 + rng.uniform(0, 1.5)))
        for i in range(600)
    ])
    view = window.map_view
    qtbot.waitUntil(lambda: js(view, "COP.stats().total") == 604, timeout=15000)
    view.push({"op": "fly", "lat": -12.3, "lon": 39.8, "zoom": 5})
    qtbot.waitUntil(lambda: js(view, "COP.stats().zoom") == 5, timeout=5000)
    stats = js(view, "COP.redrawNow(), COP.stats()")
    assert stats["clusters"] > 0
    assert stats["drawn"] == 604  # every unit is shown, alone or in a badge
    view.push({"op": "fly", "lat": -12.3, "lon": 39.8, "zoom": 10})
    qtbot.waitUntil(lambda: js(view, "COP.stats().zoom") == 10, timeout=5000)
    assert js(view, "COP.redrawNow(), COP.stats().clusters") == 0
    # the user can turn grouping off
    view.push([{"op": "fly", "lat": -12.3, "lon": 39.8, "zoom": 5}, {"op": "layers", "declutter": False}])
    qtbot.waitUntil(lambda: js(view, "COP.stats().zoom") == 5, timeout=5000)
    assert js(view, "COP.redrawNow(), COP.stats().clusters") == 0
