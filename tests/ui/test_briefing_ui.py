"""Briefing: the dock, presentation mode driven by keys, the time slider, and
the handouts (PDF and HTML) checked as a partner would receive them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.briefing.views import ViewData, add_views, list_views
from app.core.picture.ops import move_units
from app.core.picture.queries import list_units

SLIDES = [
    ViewData(name="Overview", south=-13.5, west=39.5, north=-11.0, east=40.8, note="Start here"),
    ViewData(
        name="North <b>hostile</b>",
        south=-11.8,
        west=39.9,
        north=-11.0,
        east=40.6,
        classification="NATO RESTRICTED",
        releasable_to="NATO",
    ),
    ViewData(name="Pemba & Metuge", south=-13.3, west=39.6, north=-12.4, east=40.7),
]


@pytest.fixture
def slides(window: Any, picture: Any, qtbot: Any) -> list[ViewData]:
    panel = window.panels["briefing"]
    with qtbot.waitSignal(panel.sig_views_loaded, timeout=10000, check_params_cb=lambda n: n == 3):
        add_views(picture, SLIDES)
    return list_views(picture)


def _present(window: Any, qtbot: Any, start: int = 0) -> Any:
    panel = window.panels["briefing"]
    with qtbot.waitSignal(panel.sig_presenting, timeout=10000) as blocker:
        panel.list.setCurrentRow(start)
        panel.present_button.click()
    presenter = blocker.args[0]
    qtbot.waitUntil(lambda: presenter.index == start, timeout=20000)
    return presenter


def _key(qtbot: Any, presenter: Any, key: Qt.Key, expected: int, target: Any = None) -> None:
    with qtbot.waitSignal(
        presenter.sig_slide_shown, timeout=20000, check_params_cb=lambda i: i == expected
    ):
        qtbot.keyClick(target or presenter, key)


def test_the_dock_lists_the_slides_in_order(window: Any, slides: list[ViewData]) -> None:
    panel = window.panels["briefing"]
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert texts == [
        "1. Overview  (live)",
        "2. North <b>hostile</b>  (live)",
        "3. Pemba & Metuge  (live)",
    ]
    assert panel.note.text() == "Start here"


def test_presentation_mode_steps_through_the_slides_with_keys_and_esc_leaves(
    window: Any, slides: list[ViewData], qtbot: Any, js: Any
) -> None:
    presenter = _present(window, qtbot)
    assert presenter.isFullScreen()
    assert presenter.title.text() == "Overview"
    assert presenter.count.text() == "1 / 3"
    _key(qtbot, presenter, Qt.Key.Key_PageDown, 1)
    assert presenter.title.text() == "North <b>hostile</b>"  # plain text, never markup
    assert presenter.banner_top.text() == "NATO RESTRICTED // REL TO NATO"
    assert presenter.banner_bottom.text() == presenter.banner_top.text()
    _key(qtbot, presenter, Qt.Key.Key_Right, 2)
    assert presenter.title.text() == "Pemba & Metuge"
    _key(qtbot, presenter, Qt.Key.Key_PageUp, 1)
    _key(qtbot, presenter, Qt.Key.Key_Left, 0)
    _key(qtbot, presenter, Qt.Key.Key_End, 2)
    _key(qtbot, presenter, Qt.Key.Key_Home, 0)
    qtbot.keyClick(presenter, Qt.Key.Key_B)  # a clicker's blank-screen button
    assert presenter.blank.isVisible()
    qtbot.keyClick(presenter, Qt.Key.Key_Period)
    assert not presenter.blank.isVisible()
    # a clicker's keys reach the presenter even while the map has the focus
    presenter.map_view.setFocus()
    _key(
        qtbot,
        presenter,
        Qt.Key.Key_PageDown,
        1,
        target=presenter.map_view.focusProxy() or presenter.map_view,
    )
    # the slide's view is on the map, symbols drawn larger than on the desk map
    qtbot.waitUntil(lambda: presenter.map_view.ready, timeout=30000)
    qtbot.waitUntil(lambda: js(presenter.map_view, "COP.stats().total") >= 1, timeout=20000)
    legend = [presenter.legend.item(i).text() for i in range(presenter.legend.count())]
    assert any("Hostile" in text for text in legend)
    with qtbot.waitSignal(presenter.sig_closed, timeout=10000):
        qtbot.keyClick(presenter, Qt.Key.Key_Escape)
    assert window.panels["briefing"].presenter is None


def test_a_slide_can_be_made_from_the_map_and_shows_the_task_summary(
    window: Any, slides: list[ViewData], qtbot: Any, picture: Any
) -> None:
    panel = window.panels["briefing"]
    panel.map_view_state = {"bounds": [[-13.2, 39.9], [-12.0, 40.6]]}
    window.panels["layers"].units.child(1).setCheckState(0, Qt.CheckState.Unchecked)  # hostile off
    view = panel.view_from_map("From the map")
    assert view.layers["affiliations"]["hostile"] is False
    with qtbot.waitSignal(panel.sig_views_loaded, timeout=10000, check_params_cb=lambda n: n == 4):
        panel._save(view)
    saved = list_views(picture)[-1]
    assert (saved.name, saved.south, saved.east, saved.position) == ("From the map", -13.2, 40.6, 4)


def test_moving_a_slide_up_reorders_the_briefing(
    window: Any, slides: list[ViewData], qtbot: Any, picture: Any
) -> None:
    panel = window.panels["briefing"]
    panel.list.setCurrentRow(2)
    panel.up_button.click()
    qtbot.waitUntil(
        lambda: [v.name for v in list_views(picture)][1] == "Pemba & Metuge", timeout=10000
    )


def test_the_time_slider_shows_a_unit_where_it_was(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    unit = next(u for u in list_units(picture) if u.callsign == "ALPHA 6")
    now = datetime.now(UTC)
    for lat, lon, ago in ((-12.5, 40.0, timedelta(hours=3)), (-11.9, 40.3, timedelta(minutes=5))):
        with qtbot.waitSignal(window.map_controller.sig_delta_sent, timeout=10000):
            move_units(picture, [(unit.id, lat, lon)], at=now - ago)
    bar = window.panels["briefing"].timebar
    with qtbot.waitSignal(bar.sig_time_changed, timeout=20000):
        bar.set_time(now - timedelta(hours=2))
    # two hours ago it was at its report of three hours ago
    assert js(window.map_view, f"[COP.unit({unit.id!r}).lat, COP.unit({unit.id!r}).lon]") == [
        -12.5,
        40.0,
    ]
    assert bar.label.text().startswith("As at ")
    # back to live: the unit is where it is now
    with qtbot.waitSignal(window.map_controller.sig_loaded, timeout=20000):
        bar.live_button.click()
    qtbot.waitUntil(
        lambda: js(window.map_view, f"COP.unit({unit.id!r}).lat") == pytest.approx(-11.9),
        timeout=10000,
    )
    assert bar.label.text() == "Live"


def _pdf_text(path: Path) -> list[str]:
    import pypdf

    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages]


def test_the_pdf_handout_has_one_page_per_slide_with_title_and_banners(
    window: Any, slides: list[ViewData], tmp_path: Path
) -> None:
    from app.ui.briefing.render import write_pdf

    out = tmp_path / "deck.pdf"
    result = write_pdf(window.ctx.store, out, size=(1280, 720))
    pages = _pdf_text(out)
    assert result.slides == 3 and len(pages) == 3
    assert (
        "Overview" in pages[0]
        and "North <b>hostile</b>" in pages[1]
        and "Pemba & Metuge" in pages[2]
    )
    assert pages[1].count("NATO RESTRICTED // REL TO NATO") == 2  # top and bottom
    assert "Legend" in pages[0] and "1 / 3" in pages[0]
    # for a partner: the NATO-only slide is left out and the banner says what it is
    partner = write_pdf(window.ctx.store, tmp_path / "un.pdf", partner="UN", size=(1280, 720))
    pages = _pdf_text(tmp_path / "un.pdf")
    assert partner.slides == 2 and len(pages) == 2
    assert not any("hostile" in p for p in pages)
    assert all("NATO RESTRICTED" not in p for p in pages)
    assert all(p.count("UNCLASSIFIED // REL TO NATO, UN") == 2 for p in pages)


def test_the_html_handout_is_self_contained_and_holds_only_releasable_features(
    window: Any, slides: list[ViewData], tmp_path: Path, qtbot: Any
) -> None:
    from lxml import html as lxml_html
    from PySide6.QtCore import QUrl

    from app.core.briefing.handout import write_html
    from app.ui.map.view import MapView

    out = tmp_path / "deck.html"
    result = write_html(window.ctx.store, out, partner="UN")
    text = out.read_text(encoding="utf-8")
    assert result.slides == 2
    tree = lxml_html.fromstring(text)
    for element in tree.iter():
        for attr in ("src", "href"):
            value = element.get(attr)
            assert value is None or not re.match(r"\s*(https?:)?//", value), (element.tag, value)
    for style in tree.iter("style"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", style.text or "")
    assert not re.search(r"@import", text)
    # only what the UN may see: the NATO-only units and slide are not in the file at all
    assert "BRAVO 1" in text and "MSF 2" in text
    assert "ALPHA 6" not in text and "Armed group" not in text
    assert "REL TO NATO, UN" in text
    # opened in a browser engine: the deck runs and asks for nothing outside the file
    view = MapView(out)
    qtbot.addWidget(view)
    view.show()
    state: dict[str, Any] = {}

    def ask() -> bool:
        view.page().runJavaScript(
            "window.COP && COP.briefing ? COP.briefing.current() + ':' + COP.stats().total : ''",
            0,
            lambda v: state.__setitem__("v", v),
        )
        return bool(state.get("v"))

    qtbot.waitUntil(ask, timeout=20000)
    assert state["v"] == "0:2"  # the first slide, with the two units the UN may see
    assert all(url.startswith(("file:", "data:", "qrc:", "about:")) for url in view.guard.seen)
    assert view.guard.blocked == []
    view.setUrl(QUrl("about:blank"))
    view.shutdown()
    view.close()
    view.deleteLater()
    qtbot.wait(50)


def test_snapshot_of_a_saved_view_writes_the_slide_as_a_png(
    window: Any, slides: list[ViewData], tmp_path: Path
) -> None:
    from PySide6.QtGui import QImage

    from app.ui.briefing.render import snapshot_view

    out = snapshot_view(window.ctx.store, "pemba & metuge", tmp_path / "pemba.png", (1024, 576))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 576)
    # the classification banner (ALPHA 6 is NATO RESTRICTED: blue) at the top and the bottom
    assert image.pixelColor(512, 3).name() == image.pixelColor(512, 573).name() == "#0033a0"


def test_brief_and_snapshot_from_the_command_line(
    window: Any, slides: list[ViewData], tmp_path: Path, capsys: Any
) -> None:
    from PySide6.QtGui import QImage

    from app.cli import main

    db = str(window.ctx.store.path)
    assert (
        main(["--db", db, "brief", "--out", str(tmp_path / "deck.pdf"), "--size", "1280x720"]) == 0
    )
    assert "3 slides" in capsys.readouterr().out
    assert len(_pdf_text(tmp_path / "deck.pdf")) == 3
    assert (
        main(
            [
                "--db",
                db,
                "snapshot",
                "--view",
                "Overview",
                "--out",
                str(tmp_path / "o.png"),
                "--size",
                "800x450",
            ]
        )
        == 0
    )
    assert QImage(str(tmp_path / "o.png")).size().toTuple() == (800, 450)


def test_the_dock_writes_handouts_for_a_partner(
    window: Any, slides: list[ViewData], tmp_path: Path, qtbot: Any
) -> None:
    panel = window.panels["briefing"]
    with qtbot.waitSignal(panel.sig_handout_written, timeout=60000):
        panel.write_handout(tmp_path / "un.pdf", "un")
    assert len(_pdf_text(tmp_path / "un.pdf")) == 2
    with qtbot.waitSignal(panel.sig_handout_written, timeout=60000):
        panel.write_handout(tmp_path / "un.html", "UN")
    assert "ALPHA 6" not in (tmp_path / "un.html").read_text(encoding="utf-8")


def test_showing_a_slide_on_the_map_ticks_its_layers(
    window: Any, qtbot: Any, js: Any, picture: Any
) -> None:
    panel = window.panels["briefing"]
    with qtbot.waitSignal(panel.sig_views_loaded, timeout=10000, check_params_cb=lambda n: n == 1):
        add_views(
            picture,
            [
                ViewData(
                    name="No hostiles",
                    south=-13.4,
                    west=39.6,
                    north=-11.2,
                    east=40.7,
                    layers={"affiliations": {"hostile": False}},
                )
            ],
        )
    panel.list.setCurrentRow(0)
    panel.show_on_map()
    hostile = window.panels["layers"].units.child(1)
    assert hostile.checkState(0) == Qt.CheckState.Unchecked
    # all four units are in the slide's extent; the hostile one is not drawn
    qtbot.waitUntil(lambda: js(window.map_view, "COP.stats().drawn") == 3, timeout=10000)


def test_a_pdf_handout_can_be_cancelled_and_leaves_no_file(
    window: Any, slides: list[ViewData], tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QProgressDialog

    monkeypatch.setattr(
        QProgressDialog, "wasCanceled", lambda self: True
    )  # the user pressed Cancel
    messages: list[str] = []
    window.ctx.sig_status.connect(messages.append)
    panel = window.panels["briefing"]
    panel.write_handout(tmp_path / "deck.pdf", None)
    qtbot.waitUntil(lambda: "Handout cancelled: nothing was written." in messages, timeout=60000)
    assert not (tmp_path / "deck.pdf").exists() and not (tmp_path / "deck.pdf.part").exists()
