"""Search and go-to, range and bearing, the right-click menu, map state kept."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from app.core.common.geo import distance_bearing, from_mgrs, to_mgrs
from app.core.picture.queries import list_units


def _centre(js: Any, window: Any) -> tuple[float, float]:
    lat, lon = js(window.map_view, "COP.stats().center")
    return lat, lon


def test_searching_an_mgrs_reference_centres_the_map_there(
    window: Any, qtbot: Any, js: Any
) -> None:
    tools = window.map_tools
    tools.search_box.setText("37L FG 1234 5678")
    qtbot.keyClick(tools.search_box, Qt.Key.Key_Return)
    lat, lon = from_mgrs("37LFG12345678")
    qtbot.waitUntil(lambda: abs(_centre(js, window)[0] - lat) < 1e-4, timeout=10000)
    assert abs(_centre(js, window)[1] - lon) < 1e-4
    assert js(window.map_view, "COP.stats().zoom") == 12


def test_searching_a_callsign_selects_the_unit(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    target = next(u for u in list_units(picture) if u.callsign == "BRAVO 1")
    tools = window.map_tools
    tools.search_box.setText("bravo 1")
    qtbot.keyClick(tools.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ctx.selected_unit == target.id, timeout=10000)
    qtbot.waitUntil(lambda: abs(_centre(js, window)[0] - target.lat) < 1e-6, timeout=5000)


def test_range_and_bearing_between_two_clicks(window: Any, qtbot: Any, js: Any) -> None:
    tools = window.map_tools
    tools.measure.setChecked(True)
    proxy = window.map_view.focusProxy()
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().tool") == "measure", timeout=5000)
    qtbot.mouseClick(proxy, Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    with qtbot.waitSignal(window.map_view.bridge.sig_measured, timeout=5000) as blocker:
        qtbot.mouseClick(proxy, Qt.MouseButton.LeftButton, pos=QPoint(300, 400))
    lat1, lon1, lat2, lon2 = blocker.args
    assert lon1 == lon2 and lat2 < lat1  # a line due south
    qtbot.waitUntil(lambda: "km" in getattr(tools, "last_measure", ""), timeout=5000)
    metres, _bearing = distance_bearing(lat1, lon1, lat2, lon2)
    assert f"{metres / 1000:.2f} km" in tools.last_measure
    assert "180.0° T" in tools.last_measure and "3200 mils" in tools.last_measure
    # a click while measuring selects nothing
    assert window.ctx.selected_unit == ""


def test_right_click_copies_the_position(window: Any, qtbot: Any) -> None:
    tools = window.map_tools
    menu = tools.context_menu(-12.97322, 40.51783)
    actions = [a for a in menu.actions() if a.text()]
    mgrs_action = next(a for a in actions if "MGRS" in a.text())
    mgrs_action.trigger()
    assert (
        QGuiApplication.clipboard().text() == to_mgrs(-12.97322, 40.51783) == "37L FF 64630 65336"
    )
    dms_action = next(a for a in actions if "DMS" in a.text())
    dms_action.trigger()
    assert QGuiApplication.clipboard().text().startswith("12°58'")
    menu.close()


def test_the_view_and_layers_come_back_at_the_next_start(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    window.map_view.push({"op": "fly", "lat": -11.5, "lon": 40.2, "zoom": 9})
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().zoom") == 9, timeout=5000)
    qtbot.waitUntil(lambda: window.ctx.settings.value("map/view") is not None, timeout=5000)
    layers = window.panels["layers"]
    layers.labels.setCheckState(0, Qt.CheckState.Unchecked)
    window.ctx.settings.sync()
    from app.ui.app import build_window

    again = build_window(picture)
    qtbot.addWidget(again)
    again.resize(1200, 800)
    with qtbot.waitSignal(again.map_controller.sig_loaded, timeout=30000):
        again.show()
    qtbot.waitUntil(lambda: js(again.map_view, "COP.stats().zoom") == 9, timeout=10000)
    lat, lon = js(again.map_view, "COP.stats().center")
    assert abs(lat + 11.5) < 0.01 and abs(lon - 40.2) < 0.01
    assert again.panels["layers"].labels.checkState(0) == Qt.CheckState.Unchecked
    again.close()
    again.map_view.deleteLater()


def test_trails_show_a_units_last_positions(window: Any, qtbot: Any, js: Any, picture: Any) -> None:
    from app.core.picture.ops import move_units

    target = next(u for u in list_units(picture) if u.callsign == "ALPHA 6")
    for step in range(3):
        move_units(picture, [(target.id, target.lat + 0.05 * (step + 1), target.lon)])
    layers = window.panels["layers"]
    layers.trails.setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().trails") >= 1, timeout=10000)
    # a move while trails are on extends the trail on the page
    move_units(picture, [(target.id, target.lat + 0.3, target.lon)])
    qtbot.waitUntil(
        lambda: js(window.map_view, f"COP.unit({target.id!r}).lat") == target.lat + 0.3,
        timeout=10000,
    )
    layers.trails.setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().trails") == 0, timeout=5000)


def test_new_unit_and_zone_from_the_right_click_menu(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    from app.core.picture.queries import list_zones

    tools = window.map_tools
    form = tools.new_unit(-12.5, 40.2)
    form.name.setText("Bridging Troop")
    form.sidc.setText("10031000999999999999")  # not a SIDC
    form.accept()
    assert form.isVisible() and "SIDC" in form.error.text()
    form.sidc.setText("10031000141407000000")
    form.callsign.setText("SPAN 1")
    form.accept()
    assert not form.isVisible()
    qtbot.waitUntil(lambda: any(u.callsign == "SPAN 1" for u in list_units(picture)), timeout=5000)
    unit = next(u for u in list_units(picture) if u.callsign == "SPAN 1")
    assert (round(unit.lat, 5), round(unit.lon, 5)) == (-12.5, 40.2)
    qtbot.waitUntil(
        lambda: js(window.map_view, f"COP.unit({unit.id!r})") is not None, timeout=10000
    )

    zone_form = tools.new_zone(-12.5, 40.2)
    zone_form.accept()
    assert zone_form.isVisible() and "name" in zone_form.error.text()  # empty name refused
    zone_form.name.setText("IED threat area")
    zone_form.kind.setCurrentIndex(zone_form.kind.findData("no-go"))
    zone_form.radius.setValue(10)
    zone_form.accept()
    assert not zone_form.isVisible()
    qtbot.waitUntil(
        lambda: any(z.name == "IED threat area" for z in list_zones(picture)), timeout=5000
    )
    zone = next(z for z in list_zones(picture) if z.name == "IED threat area")
    assert zone.kind == "no-go" and len(zone.geometry["coordinates"][0]) == 49
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().zones") == 2, timeout=10000)
