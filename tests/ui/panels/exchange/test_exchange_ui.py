"""The exchange pieces in the window: routes on the map, the Messages dock, the
live feed (loopback) with its status-bar indicator, the feed's settings."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from app.core.exchange.feed import FeedConfig
from app.core.exchange.files import import_file
from tests.core.formats.test_cot import CHAT, atom

ROUTE = atom(
    "route-1",
    "b-m-r",
    callsign="MSR &lt;b&gt;TAMPA&lt;/b&gt;",
    detail=(
        '<link uid="wp-1" callsign="SP" type="b-m-p-w" point="-12.9,40.4" relation="c"/>'
        '<link uid="cp-1" callsign="CP 1" type="b-m-p-c" point="-12.7,40.3" relation="c"/>'
        '<link uid="wp-2" callsign="RP" type="b-m-p-w" point="-12.5,40.2" relation="c"/>'
    ),
)


def _import(window: Any, qtbot: Any, tmp_path: Path, text: str) -> None:
    path = tmp_path / "in.cot"
    path.write_text(text, encoding="utf-8")
    done: list[Any] = []
    window.ctx.runner.submit(
        import_file, window.ctx.store, path, on_done=done.append, on_error=done.append
    )
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert not isinstance(done[0], BaseException), done[0]


def test_an_imported_route_is_drawn_and_chat_is_listed(
    window: Any, qtbot: Any, js: Any, tmp_path: Path
) -> None:
    assert (
        window.panels["messages"].routes.loaded
        or qtbot.waitUntil(lambda: window.panels["messages"].routes.loaded, timeout=10000) is None
    )
    assert js(window.map_view, "COP.routes().count") == 0
    _import(
        window, qtbot, tmp_path, ROUTE + CHAT.replace('<?xml version="1.0" encoding="UTF-8"?>', "")
    )
    qtbot.waitUntil(lambda: js(window.map_view, "COP.routes().count") == 1, timeout=10000)
    assert js(window.map_view, "COP.routes().names") == ["MSR <b>TAMPA</b>"]
    # the name is text, not markup, in the page
    assert js(window.map_view, "document.querySelectorAll('.leaflet-tooltip b').length") == 0
    panel = window.panels["messages"]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    index = panel.model.index(0, 3)
    assert panel.model.data(index) == "Bridge at <b>Macomia</b> is out"
    assert "&lt;b&gt;" in panel.model.data(index, 3)  # ToolTipRole: escaped
    assert panel.empty.isHidden()
    window.panels["messages"].menu.routes_action.setChecked(False)  # hidden, and remembered
    qtbot.waitUntil(lambda: js(window.map_view, "COP.routes().shown") is False, timeout=5000)
    assert window.ctx.settings.value("exchange/show_routes") in (False, "false")
    window.panels["messages"].menu.routes_action.setChecked(True)
    qtbot.waitUntil(lambda: js(window.map_view, "COP.routes().shown") is True, timeout=5000)
    window.grab().save(str(tmp_path / "exchange-window.png"))


def test_the_live_feed_puts_units_on_the_map_and_shows_its_state(
    window: Any, qtbot: Any, js: Any
) -> None:
    feed = window.panels["messages"].feed
    assert "CoT feed: off" in feed.indicator.text()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    feed.start(FeedConfig(protocol="udp", host="127.0.0.1", port=port, batch_ms=100))
    try:
        qtbot.waitUntil(lambda: feed.state == "connected", timeout=10000)
        assert "connected" in feed.indicator.text() and f"127.0.0.1:{port}" in feed.indicator.text()
        rows_before = window.panels["units"].model.rowCount()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for n in range(5):
                sender.sendto(
                    atom(f"FEED-{n}", "a-h-G-U-C", lat=-12.0 - n / 10, lon=40.5).encode(),
                    ("127.0.0.1", port),
                )
        qtbot.waitUntil(
            lambda: window.panels["units"].model.rowCount() == rows_before + 5, timeout=10000
        )
        qtbot.waitUntil(
            lambda: js(window.map_view, "COP.stats().total") == rows_before + 5, timeout=10000
        )
        assert "5 stored" in feed.indicator.text()
        # a stale-before-start event removes the track
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(
                atom("FEED-0", "a-h-G-U-C", minutes=2, start=2, stale=-1).encode(),
                ("127.0.0.1", port),
            )
        qtbot.waitUntil(
            lambda: window.panels["units"].model.rowCount() == rows_before + 4, timeout=10000
        )
    finally:
        window.panels["messages"].menu.connect_action.setChecked(False)
        feed.stop()
    assert "CoT feed: off" in feed.indicator.text()


def test_the_feed_settings_are_checked_and_kept(window: Any, qtbot: Any) -> None:
    dialog = window.panels["messages"].menu.edit_settings()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.host.text() == "239.2.3.1" and dialog.port.value() == 6969
    assert not dialog.send_own.isChecked()  # sending is opt-in
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("tls"))
    dialog.host.setText("tak.example.org")
    dialog.port.setValue(8089)
    dialog.certfile.setText("/nonexistent/client.p12")
    dialog._accept()
    assert dialog.isVisible() and "does not exist" in dialog.error.text()
    dialog.certfile.setText("")
    dialog.send_own.setChecked(True)
    dialog._accept()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    config = window.panels["messages"].feed.config
    assert (config.protocol, config.host, config.port, config.send_own) == (
        "tls",
        "tak.example.org",
        8089,
        True,
    )
    assert window.ctx.settings.value("feed/host") == "tak.example.org"
    assert window.panels["messages"].menu.send_action.isChecked()
    assert window.panels["messages"].feed.client is None  # saving settings does not connect


def test_when_the_store_falls_behind_batches_wait_and_merge(window: Any, qtbot: Any) -> None:
    from app.core.formats.cot import parse_event

    feed = window.panels["messages"].feed
    feed.MAX_WAITING = 10
    feed._in_flight = feed.MAX_IN_FLIGHT  # the store's worker is busy
    for n in range(30):
        feed._on_batch([parse_event(atom(f"Q-{n % 4}", minutes=n).encode())])
    assert len(feed._waiting) <= 10 + 1 and feed.merged > 0
    feed._in_flight = 0
    rows_before = window.panels["units"].model.rowCount()
    feed._submit()
    qtbot.waitUntil(
        lambda: window.panels["units"].model.rowCount() == rows_before + 4, timeout=10000
    )
    assert feed._waiting == [] and feed._in_flight == 0
