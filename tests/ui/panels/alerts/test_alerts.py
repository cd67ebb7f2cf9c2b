"""The Alerts dock as a watchkeeper uses it."""

from __future__ import annotations

from typing import Any

from app.core.picture.ops import add_units, add_zones, move_units
from app.core.picture.records import UnitData, ZoneData


def test_an_alert_appears_when_a_unit_enters_a_no_go_zone_and_clears_when_it_leaves(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    panel = window.panels["alerts"]
    add_zones(
        picture,
        [
            ZoneData(
                name="Minefield",
                kind="no-go",
                severity=5,
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [[40.6, -12.2], [40.9, -12.2], [40.9, -11.9], [40.6, -11.9], [40.6, -12.2]]
                    ],
                },
            )
        ],
    )
    [uid] = add_units(
        picture, [UnitData(name="Convoy 7", sidc="10031000001211000000", lat=-13.5, lon=39.5)]
    )
    qtbot.waitUntil(lambda: window.panels["units"].model.row_of.get(uid) is not None, timeout=10000)
    move_units(picture, [(uid, -12.0, 40.75)])
    qtbot.waitUntil(lambda: any(a.unit_id == uid for a in panel.model.alerts), timeout=10000)
    alert = next(a for a in panel.model.alerts if a.unit_id == uid)
    assert alert.kind == "entered" and alert.zone_name == "Minefield"
    # clicking the alert flies the map there and selects the unit
    row = panel.model.alerts.index(alert)
    panel.table.clicked.emit(panel.model.index(row, 1))
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().zoom") == 11, timeout=5000)
    lat, lon = js(window.map_view, "COP.stats().center")
    assert abs(lat - (-12.0)) < 0.01 and abs(lon - 40.75) < 0.01
    assert window.ctx.selected_unit == uid
    move_units(picture, [(uid, -13.5, 39.5)])
    qtbot.waitUntil(lambda: not any(a.unit_id == uid for a in panel.model.alerts), timeout=10000)
