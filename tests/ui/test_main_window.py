"""The main window as a watchkeeper uses it: the picture on a real map, offline."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt

from app.core.picture.ops import add_units, delete_records, move_units
from app.core.picture.queries import counts, list_units
from app.core.picture.records import UnitData
from app.core.store.models import Unit


def test_map_loads_offline_with_every_unit_drawn(window: Any, js: Any, picture: Any) -> None:
    view = window.map_view
    stats = js(view, "COP.stats()")
    assert stats["basemap"] is True
    assert stats["total"] == counts(picture)["units"] == 4
    assert stats["drawn"] == 4  # the view was fitted to the picture
    assert stats["zones"] == 1
    # everything the page asked for was local, and nothing was blocked
    assert view.guard.seen, "the interceptor saw no request at all"
    assert view.guard.blocked == []
    assert all(
        url.split(":", 1)[0] in ("file", "qrc", "data", "blob", "about") for url in view.guard.seen
    )


def test_a_remote_request_from_the_page_is_blocked(window: Any, js: Any, qtbot: Any) -> None:
    view = window.map_view
    js(
        view,
        "var i = new Image(); i.src = 'http://tile.example.invalid/1/1/1.png'; document.body.appendChild(i); 1",
    )
    qtbot.waitUntil(lambda: any("example.invalid" in u for u in view.guard.blocked), timeout=10000)


def test_banner_shows_the_highest_marking(window: Any) -> None:
    text = window.banner_top.text()
    assert text.startswith("NATO RESTRICTED")
    assert window.banner_bottom.text() == text


def test_clicking_a_symbol_selects_its_row(window: Any, js: Any, qtbot: Any, picture: Any) -> None:
    target = next(u for u in list_units(picture) if u.callsign == "BRAVO 1")
    x, y = js(window.map_view, f"COP.unitScreenPoint({target.id!r})")
    qtbot.mouseClick(
        window.map_view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y))
    )
    table = window.panels["units"].table
    qtbot.waitUntil(lambda: bool(table.selectionModel().selectedRows()), timeout=5000)
    row = table.selectionModel().selectedRows()[0]
    assert row.data(Qt.ItemDataRole.UserRole + 2) == target.id
    assert window.ctx.selected_unit == target.id


def test_selecting_a_row_selects_the_symbol(window: Any, js: Any, qtbot: Any, picture: Any) -> None:
    table = window.panels["units"].table
    proxy = window.panels["units"].proxy
    for r in range(proxy.rowCount()):
        if proxy.index(r, 2).data() == "ALPHA 6":
            table.selectRow(r)
            break
    target = next(u for u in list_units(picture) if u.callsign == "ALPHA 6")
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().selected") == target.id, timeout=5000)


def test_markup_in_a_name_shows_as_text(qtbot: Any, window: Any, js: Any, picture: Any) -> None:
    hostile_name = "<img src=x onerror=alert(1)>"
    js(
        window.map_view,
        "window.__alerted = false; window.alert = function(){ window.__alerted = true; }; 1",
    )
    [uid] = add_units(
        picture, [UnitData(name=hostile_name, sidc="10011000001211000000", lat=-12.8, lon=40.2)]
    )
    qtbot.waitUntil(lambda: js(window.map_view, f"COP.unit({uid!r})") is not None, timeout=10000)
    qtbot.waitUntil(
        lambda: js(window.map_view, f"COP.unitScreenPoint({uid!r})") is not None, timeout=10000
    )
    x, y = js(window.map_view, f"COP.unitScreenPoint({uid!r})")
    qtbot.mouseMove(window.map_view.focusProxy(), QPoint(int(x), int(y)))
    tip = "document.querySelector('.cop-hover')"
    qtbot.waitUntil(lambda: js(window.map_view, f"{tip}.style.display") == "block", timeout=5000)
    assert js(window.map_view, f"{tip}.querySelector('b').textContent") == hostile_name
    assert js(window.map_view, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert js(window.map_view, "window.__alerted") is False
    # the table shows the raw text too
    model = window.panels["units"].model
    qtbot.waitUntil(lambda: uid in model.row_of, timeout=5000)
    assert model.index(model.row_of[uid], model.NAME).data() == hostile_name


def test_changes_reach_the_page_as_deltas_without_a_reload(
    window: Any, js: Any, qtbot: Any, picture: Any
) -> None:
    view = window.map_view
    js(view, "window.__marker = 'still here'; 1")
    target = next(u for u in list_units(picture) if u.callsign == "ALPHA 6")
    move_units(picture, [(target.id, -12.5, 40.7)])
    qtbot.waitUntil(lambda: js(view, f"COP.unit({target.id!r}).lat") == -12.5, timeout=10000)
    assert js(view, f"COP.unit({target.id!r}).lon") == 40.7
    delete_records(picture, Unit, [target.id])
    qtbot.waitUntil(lambda: js(view, "COP.stats().total") == 3, timeout=10000)
    assert js(view, "window.__marker") == "still here"
    model = window.panels["units"].model
    qtbot.waitUntil(lambda: target.id not in model.row_of, timeout=5000)
    assert model.rowCount() == 3


def test_layers_hide_and_show_an_affiliation(window: Any, js: Any, qtbot: Any) -> None:
    panel = window.panels["layers"]
    hostile = next(
        panel.units.child(i)
        for i in range(panel.units.childCount())
        if panel.units.child(i).data(0, Qt.ItemDataRole.UserRole + 1) == ("aff", "hostile")
    )
    hostile.setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.redrawNow()") == 3, timeout=5000)
    hostile.setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.redrawNow()") == 4, timeout=5000)


def test_units_table_filters_by_text(window: Any, qtbot: Any) -> None:
    panel = window.panels["units"]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=5000)
    panel.filter.setText("bravo")
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, 1).data() == "Recce Pl"
    panel.filter.setText("")
    assert panel.proxy.rowCount() == 4


def test_units_table_sorts_by_a_clicked_column_and_keeps_the_selection(
    window: Any, qtbot: Any
) -> None:
    panel = window.panels["units"]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=5000)

    def column(col: int) -> list[str]:
        return [panel.proxy.index(r, col).data() for r in range(panel.proxy.rowCount())]

    assert column(1) == sorted(column(1), key=str.casefold)  # by name at start
    panel.table.selectRow(0)
    chosen = panel.proxy.index(0, 2).data()
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(2) + 10, header.height() // 2),
    )
    first = column(2)
    assert first in (sorted(first, key=str.casefold), sorted(first, key=str.casefold, reverse=True))
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(2) + 10, header.height() // 2),
    )
    assert column(2) == list(reversed(first))
    selected = panel.table.selectionModel().selectedRows()
    assert [i.sibling(i.row(), 2).data() for i in selected] == [chosen]


def test_every_row_of_the_units_table_shows_its_symbol(window: Any, qtbot: Any) -> None:
    panel = window.panels["units"]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4, timeout=5000)

    def icons() -> list[Any]:
        return [panel.model.index(r, 0).data(Qt.ItemDataRole.DecorationRole) for r in range(4)]

    qtbot.waitUntil(lambda: all(p is not None for p in icons()), timeout=10000)
    for pixmap in icons():
        image = pixmap.toImage()
        assert image.height() >= 40  # drawn at twice the row's 22 px, for sharp icons
        # a real symbol, not a blank square: a frame fill and dark lines over it
        colours = {
            image.pixelColor(x, y).rgb()
            for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)
            if image.pixelColor(x, y).alpha() == 255
        }
        assert len(colours) >= 3


def test_cursor_position_shows_mgrs_and_dd(window: Any, qtbot: Any) -> None:
    centre = window.map_view.rect().center()
    qtbot.mouseMove(window.map_view.focusProxy(), centre)
    qtbot.mouseMove(window.map_view.focusProxy(), centre + QPoint(5, 5))
    qtbot.waitUntil(lambda: window.cursor_label.text().startswith("MGRS"), timeout=5000)
    text = window.cursor_label.text()
    assert "37L" in text or "37M" in text  # the sample picture is in UTM zone 37 south
    assert "-1" in text.split("    ")[1]  # DD latitude south of the equator


def test_every_table_gives_its_tooltips_as_plain_text(
    window: Any, qtbot: Any, picture: Any
) -> None:
    """Hovering any cell of any table shows the text as typed: no error, no markup."""
    from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel

    hostile = "<b>Bold</b> & <i>co</i>"
    add_units(
        picture,
        [UnitData(name=hostile, callsign="X1", sidc="10031000001211000000", lat=-12.9, lon=40.4)],
    )
    qtbot.waitUntil(lambda: window.panels["units"].model.rowCount() == 5, timeout=10000)
    models = [
        m
        for m in window.findChildren(QAbstractItemModel)
        if not isinstance(m, QSortFilterProxyModel) and m.rowCount() and m.columnCount()
    ]
    assert len(models) >= 3
    for model in models:
        for row in range(min(model.rowCount(), 20)):
            for col in range(model.columnCount()):
                tip = model.data(model.index(row, col), Qt.ItemDataRole.ToolTipRole)
                assert tip is None or isinstance(tip, str)
    model = window.panels["units"].model
    tip = model.data(
        model.index(model.row_of[next(u.id for u in list_units(picture) if u.name == hostile)], 1),
        Qt.ItemDataRole.ToolTipRole,
    )
    assert "&lt;b&gt;Bold&lt;/b&gt;\xa0&amp;\xa0&lt;i&gt;co&lt;/i&gt;" in tip  # shown as typed


def test_panels_declare_themselves_and_the_window_builds_them(window: Any) -> None:
    from PySide6.QtWidgets import QDockWidget

    from app.ui.panels import panel_specs

    specs = panel_specs()
    assert [s.name for s in specs] == list(window.panels)
    names = {s.name for s in specs}
    for spec in specs:
        assert spec.tab_with is None or spec.tab_with in names, spec.name
        dock = window.findChild(QDockWidget, spec.dock_name)
        assert dock is not None and dock.windowTitle() == spec.translated_title()
        assert dock.widget().widget() is window.panels[spec.name]
        assert window.dockWidgetArea(dock) == spec.area or dock.isFloating()
        if spec.tab_with:
            neighbour = window.findChild(QDockWidget, f"{spec.tab_with}Dock")
            assert neighbour in window.tabifiedDockWidgets(dock), spec.name
    # no panel hangs itself on the window: the registry is the one way to reach one
    assert not [name for name in vars(window) if name.endswith("_panel")]


def test_no_panel_attaches_itself_to_the_window_or_looks_for_another() -> None:
    import re
    from pathlib import Path

    import app.ui.panels

    root = Path(app.ui.panels.__file__).parent
    attach = re.compile(r"\bwindow_?\.\w+\s*=[^=]")
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if attach.search(line) or re.search(r"(getattr|hasattr)\(\s*(self\.)?window", line)
    ]
    assert not found, "\n".join(found)
