"""Night mode, text and symbol size, and keyboard use, as a watchkeeper does them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget


def _luminance(role: QPalette.ColorRole) -> float:
    return QApplication.instance().palette().color(role).lightnessF()  # type: ignore[union-attr]


def test_night_mode_darkens_the_window_and_the_map_and_is_remembered(
    window: Any, qtbot: Any, js: Any
) -> None:
    display = window.display
    assert _luminance(QPalette.ColorRole.Window) > 0.6
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert display.theme == "night"
    assert (
        _luminance(QPalette.ColorRole.Window) < 0.15 and _luminance(QPalette.ColorRole.Base) < 0.15
    )
    assert _luminance(QPalette.ColorRole.Text) > 0.5  # still readable
    qtbot.waitUntil(
        lambda: js(window.map_view, "document.body.classList.contains('cop-night')"), timeout=5000
    )
    assert window.ctx.settings.value("display/theme") == "night"
    # the supply charts too: no white area left in the window
    chart = window.panels["supply"].findChild(QWidget, "supplyStockChart").plot
    assert chart.backgroundBrush().color().lightnessF() < 0.15
    display.set_theme("day")
    assert chart.backgroundBrush().color().lightnessF() > 0.9
    assert _luminance(QPalette.ColorRole.Window) > 0.6
    qtbot.waitUntil(
        lambda: not js(window.map_view, "document.body.classList.contains('cop-night')"),
        timeout=5000,
    )


def test_larger_text_and_symbols_for_a_projector(window: Any, qtbot: Any, js: Any) -> None:
    app = QApplication.instance()
    before = app.font().pointSizeF()  # type: ignore[union-attr]
    window.display.step_size(1)
    window.display.step_size(1)
    assert window.display.size == 1.5
    assert app.font().pointSizeF() == before * 1.5  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().frame") > 0, timeout=5000)
    assert window.ctx.settings.value("display/size") in (1.5, "1.5")
    window.display.set_size(1.0)
    assert app.font().pointSizeF() == before  # type: ignore[union-attr]


def test_the_help_lists_every_shortcut_and_f6_goes_round_the_panels(
    window: Any, qtbot: Any
) -> None:
    from app.ui.shortcuts import shortcut_rows

    rows = {(what, keys) for _where, what, keys in shortcut_rows(window)}
    assert ("Night mode", "Ctrl+Shift+N") in rows
    assert ("Go to the map", "Ctrl+1") in rows
    assert ("Undo", "Ctrl+Z") in rows
    dialog = window.keyboard.show_help()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.filter.setText("night")
    visible = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert [dialog.table.item(r, 1).text() for r in visible] == ["Night mode"]
    dialog.close()
    window.activateWindow()
    window.keyboard.focus(1)  # the first dock
    first = window.focusWidget()
    assert first is not None and not window.map_view.isAncestorOf(first)
    window.keyboard.cycle(1)
    second = window.focusWidget()
    assert second is not first
