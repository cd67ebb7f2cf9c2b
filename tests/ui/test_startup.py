"""Starting on an empty store, and the offscreen snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.picture.queries import counts


def _window(qtbot: Any, store: Any) -> Any:
    from app.ui.app import application, build_window

    application()
    win = build_window(store)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    return win


def _close(qtbot: Any, win: Any) -> None:
    win.close()
    win.map_view.deleteLater()
    qtbot.wait(50)


def test_an_empty_store_offers_the_demo_and_loads_it(qtbot: Any, store: Any) -> None:
    from app.ui.startup import offer_demo

    win = _window(qtbot, store)
    offer_demo(win)
    box: dict[str, QMessageBox] = {}

    def offered() -> bool:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                box["it"] = widget
                return True
        return False

    qtbot.waitUntil(offered, timeout=10000)
    assert "demo" in box["it"].text()
    box["it"].button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: counts(store)["units"] >= 40, timeout=30000)
    qtbot.waitUntil(lambda: win.map_view.last_paint.get("total", 0) >= 40, timeout=30000)
    assert win.panels["units"].model.rowCount() == counts(store)["units"]
    _close(qtbot, win)


def test_a_store_with_a_picture_is_not_offered_the_demo(qtbot: Any, picture: Any) -> None:
    from app.ui.startup import offer_demo

    win = _window(qtbot, picture)
    before = counts(picture)
    offer_demo(win)
    win.ctx.runner.wait()
    qtbot.wait(200)
    assert not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    assert counts(picture) == before
    _close(qtbot, win)


def test_snapshot_writes_the_window_at_the_size_asked(
    qtbot: Any, picture: Any, tmp_path: Path
) -> None:
    from app.ui.app import snapshot

    out = snapshot(picture, tmp_path / "cop.png", (1280, 720))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    # the map area is not blank: the basemap's land and sea colours are both there
    colours = {
        image.pixelColor(x, y).name() for x in range(300, 900, 7) for y in range(100, 600, 7)
    }
    assert len(colours) > 10


def test_an_unconfirmed_site_is_asked_its_name_and_partner(qtbot: Any, store: Any) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from app.ui.startup import SiteDialog, offer_site

    assert not store.site.confirmed  # a new store: host name (here TEST HQ) and NATO
    win = _window(qtbot, store)
    after: list[bool] = []
    dialog = offer_site(win, then=lambda: after.append(True))
    assert isinstance(dialog, SiteDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert (dialog.name_edit.text(), dialog.partner_edit.text()) == ("TEST HQ", "NATO")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    dialog.partner_edit.setText("XXQ")  # checked as the command line checks it
    ok.click()
    assert dialog.isVisible() and "XXQ" in dialog.error.text()
    assert store.site.partner == "NATO" and not after
    dialog.name_edit.setText("Kigoma Forward")
    dialog.partner_edit.setText("un")
    ok.click()
    qtbot.waitUntil(lambda: store.site.partner == "UN", timeout=10000)
    assert (store.site.site_name, store.site.confirmed) == ("Kigoma Forward", True)
    qtbot.waitUntil(lambda: "Kigoma Forward (UN)" in win.site_label.text(), timeout=5000)
    assert "Kigoma Forward" in win.windowTitle()
    assert after == [True]
    # asked once: a confirmed site is not asked again
    assert offer_site(win, then=lambda: after.append(True)) is None
    assert after == [True, True]
    _close(qtbot, win)


def test_asking_later_leaves_the_site_as_it_was(qtbot: Any, store: Any) -> None:
    from app.ui.startup import offer_site

    win = _window(qtbot, store)
    dialog = offer_site(win)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.reject()
    win.ctx.runner.wait()
    assert (store.site.site_name, store.site.partner, store.site.confirmed) == (
        "TEST HQ",
        "NATO",
        False,
    )
    _close(qtbot, win)
