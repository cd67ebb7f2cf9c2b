"""The Supply dock: the charts, the shipment lines on the map, the route alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.picture.ops import add_zones
from app.core.picture.records import ZoneData
from app.core.supply.ops import add_items, add_movements, add_shipments, add_sites
from app.core.supply.records import ItemData, LineData, MovementData, ShipmentData, SiteData


def _supply(store: Any) -> dict[str, str]:
    now = datetime.now(UTC)
    [water] = add_items(
        store,
        [
            ItemData(
                code="WAT", name="Water <b>bulk</b>", category="water", unit="L", standard="water"
            )
        ],
    )
    hub, camp, north = add_sites(
        store,
        [
            SiteData(name="Pemba hub", kind="port", lat=-12.97, lon=40.49),
            SiteData(
                name="Camp North",
                kind="distribution point",
                lat=-12.80,
                lon=40.30,
                people_targeted=500,
            ),
            SiteData(
                name="Mocímboa DP",
                kind="distribution point",
                lat=-11.35,
                lon=40.35,
                people_targeted=300,
            ),
        ],
    )
    moves = [
        MovementData(
            site_id=hub,
            item_id=water,
            kind="receipt",
            quantity=100_000,
            at=now - timedelta(days=29),
        ),
        MovementData(
            site_id=camp,
            item_id=water,
            kind="receipt",
            quantity=40_000,
            at=now - timedelta(days=29),
        ),
    ]
    moves += [
        MovementData(
            site_id=camp, item_id=water, kind="issue", quantity=3_000, at=now - timedelta(days=d)
        )
        for d in range(1, 12)
    ]
    add_movements(store, moves)
    ships = add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-PLAN",
                origin_site_id=hub,
                destination_site_id=camp,
                eta=now + timedelta(days=2),
                lines=[LineData(item_id=water, quantity=5_000)],
            ),
            ShipmentData(
                waybill="WB-MOVE",
                origin_site_id=hub,
                destination_site_id=north,
                status="in_transit",
                eta=now + timedelta(days=1),
                lines=[LineData(item_id=water, quantity=8_000)],
            ),
        ],
    )
    return {
        "water": water,
        "hub": hub,
        "camp": camp,
        "north": north,
        "plan": ships[0],
        "move": ships[1],
    }


def _wait_loaded(qtbot: Any, panel: Any) -> None:
    """Until the dock shows everything ``_supply`` wrote (each write refreshes it)."""
    qtbot.waitUntil(
        lambda: (
            panel.view is not None
            and len(panel.view.shipments) == 2
            and len(panel.view.sites) == 3
            and panel.ctx.runner.idle()
        ),
        timeout=30000,
    )
    qtbot.wait(200)
    qtbot.waitUntil(lambda: panel.ctx.runner.idle(), timeout=30000)


def test_the_stock_chart_shows_history_projection_and_arrivals(window: Any, qtbot: Any) -> None:
    panel = window.panels["supply"]
    ids = _supply(window.ctx.store)
    _wait_loaded(qtbot, panel)
    camp = next(s for s in panel.sites.model.rows if s.name == "Camp North")
    assert camp.level == "red"  # 7,000 L left, 33,000 L issued over the last 14 days: under 3 days
    panel.tabs.setCurrentIndex(1)
    row = next(n for n, r in enumerate(panel.stock.model.rows) if r.site == "Camp North")
    with qtbot.waitSignal(panel.sig_chart_shown, timeout=30000):
        panel.stock.table.selectRow(row)
    xs, ys = panel.stock.stock_chart.balance_curve.getData()
    assert len(xs) == 30 and ys[-1] == 40_000 - 11 * 3_000
    px, py = panel.stock.stock_chart.projection_curve.getData()
    assert len(px) == 2 and py[0] == 7_000 and py[1] == 0 and px[1] > px[0]
    assert len(panel.stock.stock_chart.arrival_lines) == 1  # WB-PLAN, due in two days
    heights = panel.stock.consumption_chart.bars.opts["height"]
    assert sum(heights) == 11 * 3_000
    panel.resize(1000, 700)
    assert not panel.stock.stock_chart.grab().isNull()
    assert ids["camp"] == panel.stock.chart_key[0]


def test_shipments_are_lines_on_the_map_coloured_by_status(
    window: Any, qtbot: Any, js: Any
) -> None:
    panel = window.panels["supply"]
    ids = _supply(window.ctx.store)
    _wait_loaded(qtbot, panel)
    view = window.map_view
    qtbot.waitUntil(
        lambda: (js(view, "COP.supplyStats()") or {}).get("shipments") == 2, timeout=30000
    )
    stats = js(view, "COP.supplyStats()")
    assert stats["sites"] == 3 and stats["visible"]
    assert stats["colours"][ids["plan"]] == "#1565c0"
    assert stats["colours"][ids["move"]] == "#ef6c00"
    # a name typed by a user is text, never markup, in the tooltips
    tip = js(view, f"COP.supplyTip({ids['camp']!r})")
    assert "Water <b>bulk</b>" in tip["text"] and tip["bold"] == 1  # only the title is bold
    panel.on_map.setChecked(False)
    qtbot.waitUntil(lambda: not js(view, "COP.supplyStats()")["visible"], timeout=10000)
    panel.on_map.setChecked(True)


def test_a_route_through_a_no_go_zone_raises_an_alert(window: Any, qtbot: Any, js: Any) -> None:
    panel = window.panels["supply"]
    ids = _supply(window.ctx.store)
    _wait_loaded(qtbot, panel)
    # a no-go area astride the road from Pemba to Mocímboa da Praia
    add_zones(
        window.ctx.store,
        [
            ZoneData(
                name="No-go Quiterajo",
                kind="no-go",
                severity=5,
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [[40.2, -11.9], [40.6, -11.9], [40.6, -11.6], [40.2, -11.6], [40.2, -11.9]]
                    ],
                },
            )
        ],
    )
    alerts = window.panels["alerts"].model
    qtbot.waitUntil(
        lambda: any(getattr(a, "waybill", "") == "WB-MOVE" for a in alerts.alerts), timeout=30000
    )
    row = next(n for n, a in enumerate(alerts.alerts) if getattr(a, "waybill", "") == "WB-MOVE")
    assert alerts.data(alerts.index(row, 0)) == "shipment route in no-go zone"
    assert alerts.data(alerts.index(row, 2)) == "No-go Quiterajo"
    assert not any(getattr(a, "waybill", "") == "WB-PLAN" for a in alerts.alerts)
    view = window.map_view
    qtbot.waitUntil(
        lambda: js(view, "COP.supplyStats()")["colours"].get(ids["move"]) == "#b71c1c",
        timeout=30000,
    )


def test_dispatch_and_receive_from_the_board(window: Any, qtbot: Any, monkeypatch: Any) -> None:
    from app.ui.panels.supply.shipments import ReceiveDialog

    panel = window.panels["supply"]
    ids = _supply(window.ctx.store)
    _wait_loaded(qtbot, panel)
    qtbot.waitUntil(lambda: panel.shipments.board["planned"].count() == 1, timeout=30000)
    panel.shipments.select_shipment(ids["plan"])
    assert panel.shipments.dispatch_button.isEnabled()
    with qtbot.waitSignal(panel.sig_loaded, timeout=30000):
        panel.shipments.dispatch_button.click()
    qtbot.waitUntil(lambda: panel.shipments.board["in_transit"].count() == 2, timeout=30000)
    panel.shipments.select_shipment(ids["plan"])
    line_id = panel.shipments.current().lines[0].id
    monkeypatch.setattr(ReceiveDialog, "exec", lambda self: ReceiveDialog.DialogCode.Accepted)
    monkeypatch.setattr(
        ReceiveDialog, "received", lambda self: ({line_id: 4_900}, {line_id: "damaged"})
    )
    with qtbot.waitSignal(panel.sig_loaded, timeout=30000):
        panel.shipments.receive_button.click()
    qtbot.waitUntil(lambda: panel.shipments.board["arrived"].count() == 1, timeout=30000)
    arrived = next(s for s in panel.view.shipments if s.id == ids["plan"])
    assert arrived.lines[0].received == 4_900 and arrived.lines[0].discrepancy_reason == "damaged"
    camp = next(r for r in panel.view.lines if r.site_id == ids["camp"])
    assert camp.on_hand == 7_000 + 4_900


def test_record_an_issue_from_the_stock_tab(window: Any, qtbot: Any, monkeypatch: Any) -> None:
    from app.ui.panels.supply.stock import MovementDialog

    panel = window.panels["supply"]
    ids = _supply(window.ctx.store)
    _wait_loaded(qtbot, panel)
    chosen: dict[str, Any] = {}

    def accept(self: Any) -> Any:
        self.kind.setCurrentIndex(self.kind.findData("issue"))
        self.site.setCurrentIndex(self.site.findData(ids["camp"]))
        self.quantity.setValue(2_500)
        chosen["dialog"] = self
        return MovementDialog.DialogCode.Accepted

    monkeypatch.setattr(MovementDialog, "exec", accept)
    panel.stock.move_button.click()
    qtbot.waitUntil(
        lambda: any(
            r.site_id == ids["camp"] and r.on_hand == 7_000 - 2_500 for r in panel.view.lines
        ),
        timeout=30000,
    )
    assert not chosen["dialog"].destination.isEnabled()
    # more than is held is refused, with the reason shown to the user
    errors: list[str] = []
    window.ctx.runner.sig_error.connect(errors.append)

    def too_much(self: Any) -> Any:
        self.kind.setCurrentIndex(self.kind.findData("issue"))
        self.site.setCurrentIndex(self.site.findData(ids["camp"]))
        self.quantity.setValue(999_999)
        return MovementDialog.DialogCode.Accepted

    monkeypatch.setattr(MovementDialog, "exec", too_much)
    panel.stock.move_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=30000)
    assert "cannot take out 999999" in errors[0]


def test_the_supply_dock_follows_the_history_bar(window: Any, qtbot: Any) -> None:
    """Moved back to before the camp's first delivery, the dock shows no stock there."""
    ids = _supply(window.ctx.store)
    panel = window.panels["supply"]
    _wait_loaded(qtbot, panel)

    def camp_on_hand() -> int:
        assert panel.view is not None
        return sum(line.on_hand for line in panel.view.lines if line.site_id == ids["camp"])

    assert camp_on_hand() == 40_000 - 11 * 3_000
    window.panels["briefing"].timebar.sig_time_changed.emit(datetime.now(UTC) - timedelta(days=30))
    qtbot.waitUntil(lambda: panel.as_of is not None and camp_on_hand() == 0, timeout=10000)
    window.panels["briefing"].timebar.sig_time_changed.emit(None)
    qtbot.waitUntil(lambda: camp_on_hand() == 40_000 - 11 * 3_000, timeout=10000)
