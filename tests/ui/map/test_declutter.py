"""At small scales units close together become badges; zooming in shows symbols,
fanned out where they share a spot, with their APP-6 text fields."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt

from app.core.picture.ops import add_units
from app.core.picture.records import UnitData


def test_units_group_at_small_scales_and_separate_when_zoomed_in(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    rng = np.random.default_rng(5)
    sidcs = ["10031000151211000000", "10061000151211000000", "10041000151211000000"]
    add_units(
        picture,
        [
            UnitData(
                name=f"Coy {i}",
                sidc=sidcs[i % 3],
                lat=float(-13 + rng.uniform(0, 1.5)),
                lon=float(39 + rng.uniform(0, 1.5)),
            )
            for i in range(600)
        ],
    )
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
    view.push(
        [{"op": "fly", "lat": -12.3, "lon": 39.8, "zoom": 5}, {"op": "layers", "declutter": False}]
    )
    qtbot.waitUntil(lambda: js(view, "COP.stats().zoom") == 5, timeout=5000)
    assert js(view, "COP.redrawNow(), COP.stats().clusters") == 0


def test_labels_follow_the_app6_text_fields_and_give_way_when_crowded(
    window: Any, js: Any, qtbot: Any, picture: Any
) -> None:
    """T (designation) right of the symbol, H (name) above it, M (higher formation)
    below it, W (DTG of the last report) on the left; crowded labels are dropped."""
    from datetime import UTC, datetime

    from app.core.common.dtg import format_dtg
    from app.core.picture.queries import list_units

    parent = next(u for u in list_units(picture) if u.callsign == "ALPHA 6")
    reported = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
    [child] = add_units(
        picture,
        [
            UnitData(
                name="2nd Platoon",
                callsign="ALPHA 2",
                nation="FRA",
                sidc="10031000141211000000",
                lat=-13.30,
                lon=40.80,
                parent_id=parent.id,
                last_report=reported,
            )
        ],
    )
    js(window.map_view, "COP.map().setView([-13.30, 40.80], 12, {animate: false}); 1")
    qtbot.waitUntil(
        lambda: (js(window.map_view, f"COP.unitFields({child!r})") or []) != [], timeout=10000
    )
    fields = dict(js(window.map_view, f"COP.unitFields({child!r})"))
    assert fields == {"T": "ALPHA 2", "H": "2nd Platoon", "M": "ALPHA 6", "W": format_dtg(reported)}

    # twenty units on one spot: every symbol is drawn, but not every label
    crowd = add_units(
        picture,
        [
            UnitData(
                name=f"Team {i}",
                callsign=f"ECHO {i}",
                sidc="10031000001211000000",
                lat=-13.32,
                lon=40.76,
            )
            for i in range(20)
        ],
    )
    qtbot.waitUntil(
        lambda: js(window.map_view, f"COP.unitFields({crowd[-1]!r})") is not None, timeout=10000
    )
    shown = [js(window.map_view, f"COP.unitFields({uid!r})") for uid in crowd]
    assert all(s is not None for s in shown)  # drawn
    assert 1 <= sum(1 for s in shown if s) < len(crowd)  # some labelled, the rest give way


def test_units_on_one_spot_are_fanned_out_with_their_true_position_kept(
    window: Any, js: Any, qtbot: Any, picture: Any
) -> None:
    ids = add_units(
        picture,
        [
            UnitData(
                name=f"Cell {i}",
                callsign=f"HQ {i}",
                sidc="10031000001211000000",
                lat=-12.3,
                lon=40.6,
            )
            for i in range(6)
        ],
    )
    js(window.map_view, "COP.map().setView([-12.3, 40.6], 11, {animate: false}); 1")
    qtbot.waitUntil(
        lambda: all(js(window.map_view, f"COP.unitScreenPoint({u!r})") for u in ids), timeout=10000
    )
    points = [js(window.map_view, f"COP.unitScreenPoint({u!r})") for u in ids]
    gaps = [
        max(abs(a[0] - b[0]), abs(a[1] - b[1]))
        for n, a in enumerate(points)
        for b in points[n + 1 :]
    ]
    assert min(gaps) >= 30  # no symbol on top of another
    assert all(
        js(window.map_view, f"COP.unit({u!r})")["lat"] == -12.3 for u in ids
    )  # the data is not moved
    # a click on a fanned-out symbol selects that unit
    x, y = points[3]
    qtbot.mouseClick(
        window.map_view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y))
    )
    qtbot.waitUntil(lambda: window.ctx.selected_unit in ids, timeout=5000)
    assert window.ctx.selected_unit == ids[3]
