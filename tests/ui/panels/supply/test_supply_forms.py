"""The Supply dock's forms: sites, items, shipments and requests created and edited
from the dock, bad input refused with a message naming the field and nothing stored."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import func, select

from app.core.store.models import Shipment, ShipmentLine, SupplyItem, SupplyRequest, SupplySite
from app.core.supply.ops import add_items, add_sites
from app.core.supply.records import ItemData, SiteData

SHOTS = os.environ.get("SUPPLY_FORM_SHOTS")


def _count(store: Any, model: Any) -> int:
    with store.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(model).where(model.deleted.is_(False)))
            or 0
        )


def _idle(qtbot: Any, panel: Any) -> None:
    qtbot.wait(100)
    qtbot.waitUntil(lambda: panel.view is not None and panel.ctx.runner.idle(), timeout=30000)
    qtbot.wait(100)
    qtbot.waitUntil(lambda: panel.ctx.runner.idle(), timeout=30000)


def _seed(window: Any, qtbot: Any) -> dict[str, str]:
    store = window.ctx.store
    hub, camp = add_sites(
        store,
        [
            SiteData(name="Pemba hub", kind="port", lat=-12.97, lon=40.49),
            SiteData(name="Camp North", kind="distribution point", lat=-12.8, lon=40.3),
        ],
    )
    water, rice = add_items(
        store,
        [
            ItemData(code="WAT", name="Water", category="water", unit="L"),
            ItemData(code="RICE", name="Rice", category="food", unit="kg"),
        ],
    )
    panel = window.panels["supply"]
    qtbot.waitUntil(
        lambda: (
            panel.view is not None and len(panel.view.sites) == 2 and len(panel.view.items) == 2
        ),
        timeout=30000,
    )
    _idle(qtbot, panel)
    return {"hub": hub, "camp": camp, "water": water, "rice": rice}


def _ok(form: Any) -> None:
    form.buttons.accepted.emit()


def _saved(qtbot: Any, form: Any) -> list[str]:
    """Press OK and wait until the form is stored (or refused)."""
    _ok(form)
    qtbot.waitUntil(lambda: form.saved_ids is not None or bool(form.error.text()), timeout=30000)
    assert form.saved_ids is not None, form.error.text()
    return form.saved_ids


def _shot(form: Any, name: str) -> None:
    if SHOTS:
        form.adjustSize()
        form.grab().save(os.path.join(SHOTS, f"supply-{name}.png"))


def test_a_site_is_created_from_the_dock_and_edited(window: Any, qtbot: Any) -> None:
    panel = window.panels["supply"]
    _idle(qtbot, panel)
    form = panel.forms.new_site()
    form.name.setText("Montepuez <b>DP</b>")
    form.kind.setCurrentIndex(form.kind.findData("distribution_point"))
    form.position.setText("37L FF 64630 65337")
    form.capacity.setText("12,000")
    form.organisation.setText("WFP")
    form.in_need.setText("4 500")
    form.targeted.setText("3000")
    form.releasable.setText("NATO")
    _shot(form, "site")
    [site_id] = _saved(qtbot, form)
    with window.ctx.store.session() as session:
        site = session.get(SupplySite, site_id)
        assert (
            site is not None
            and site.name == "Montepuez <b>DP</b>"
            and site.kind == "distribution_point"
        )
        assert site.lat is not None and -13.1 < site.lat < -12.8 and 40.4 < site.lon < 40.7
        assert (site.capacity, site.people_in_need, site.people_targeted) == (12_000, 4_500, 3_000)
        assert site.organisation == "WFP" and "NATO" in str(site.releasable_to)
    qtbot.waitUntil(
        lambda: any(s.site_id == site_id for s in panel.sites.model.rows), timeout=30000
    )
    _idle(qtbot, panel)

    row = next(n for n, s in enumerate(panel.sites.model.rows) if s.site_id == site_id)
    with qtbot.waitSignal(panel.forms.sig_opened, timeout=30000) as opened:
        panel.sites.table.doubleClicked.emit(panel.sites.model.index(row, 0))
    edit = opened.args[0]
    assert edit.name.text() == "Montepuez <b>DP</b>" and edit.capacity.text() == "12000"
    edit.name.setText("Montepuez DP")
    assert _saved(qtbot, edit) == [site_id]
    with window.ctx.store.session() as session:
        assert session.get(SupplySite, site_id).name == "Montepuez DP"
    assert _count(window.ctx.store, SupplySite) == 1


def test_an_item_is_created_and_edited_and_a_used_code_is_refused(window: Any, qtbot: Any) -> None:
    ids = _seed(window, qtbot)
    panel = window.panels["supply"]
    form = panel.forms.new_item()
    form.code.setText("HYG-KIT")
    form.name.setText("Hygiene kit")
    form.category.setCurrentIndex(form.category.findData("wash"))
    form.unit.setCurrentText("kit")
    form.pack_name.setText("carton")
    form.pack_size.setText("20")
    _shot(form, "item")
    [item_id] = _saved(qtbot, form)
    with window.ctx.store.session() as session:
        item = session.get(SupplyItem, item_id)
        assert (item.code, item.name, item.category, item.unit, item.pack_name, item.pack_size) == (
            "HYG-KIT",
            "Hygiene kit",
            "wash",
            "kit",
            "carton",
            20,
        )
    qtbot.waitUntil(lambda: any(i.id == item_id for i, _t in panel.items.model.rows), timeout=30000)
    _idle(qtbot, panel)

    edit = panel.forms.edit_item(ids["water"])
    assert edit is not None and edit.code.text() == "WAT"
    edit.standard.setCurrentIndex(edit.standard.findData("water"))
    edit.code.setText("HYG-KIT")  # already used by the new item: refused by the store
    _ok(edit)
    qtbot.waitUntil(lambda: "already used" in edit.error.text(), timeout=30000)
    assert edit.buttons.isEnabled()
    assert edit.isVisible() and edit.saved_ids is None
    edit.code.setText("WAT")
    assert _saved(qtbot, edit) == [ids["water"]]
    with window.ctx.store.session() as session:
        assert session.get(SupplyItem, ids["water"]).standard == "water"
    assert _count(window.ctx.store, SupplyItem) == 3


def test_a_shipment_with_two_lines_is_planned_from_the_dock(window: Any, qtbot: Any) -> None:
    ids = _seed(window, qtbot)
    panel = window.panels["supply"]
    form = panel.forms.new_shipment()
    form.waybill.setText("WB-0042")
    form.origin.setCurrentIndex(form.origin.findData(ids["hub"]))
    form.destination.setCurrentIndex(form.destination.findData(ids["camp"]))
    form.mode.setCurrentIndex(form.mode.findData("air"))
    form.eta.setText("051200ZDEC26")
    item, quantity = form.line_fields(0)
    item.setCurrentIndex(item.findData(ids["water"]))
    quantity.setText("12,000")
    form.add_line(ids["rice"], "500")
    _shot(form, "shipment")
    [ship_id] = _saved(qtbot, form)
    with window.ctx.store.session() as session:
        ship = session.get(Shipment, ship_id)
        assert (
            ship.waybill,
            ship.origin_site_id,
            ship.destination_site_id,
            ship.mode,
            ship.status,
        ) == ("WB-0042", ids["hub"], ids["camp"], "air", "planned")
        assert ship.eta is not None and (ship.eta.month, ship.eta.day, ship.eta.hour) == (12, 5, 12)
        lines = session.execute(
            select(ShipmentLine.item_id, ShipmentLine.quantity).where(
                ShipmentLine.shipment_id == ship_id
            )
        ).all()
    assert sorted(lines) == sorted([(ids["water"], 12_000), (ids["rice"], 500)])
    board = panel.shipments.board["planned"]
    qtbot.waitUntil(
        lambda: any("WB-0042" in board.item(n).text() for n in range(board.count())), timeout=30000
    )
    _idle(qtbot, panel)

    # a planned shipment is edited from the board: one line fewer, another quantity
    row = next(n for n in range(board.count()) if "WB-0042" in board.item(n).text())
    with qtbot.waitSignal(panel.forms.sig_opened, timeout=5000) as opened:
        board.itemDoubleClicked.emit(board.item(row))
    edit = opened.args[0]
    assert (
        edit.waybill.text() == "WB-0042"
        and edit.lines.rowCount() == 2
        and edit.eta.text() == "051200ZDEC26"
    )
    rice_row = next(n for n in range(2) if edit.line_fields(n)[0].currentData() == ids["rice"])
    edit.lines.setCurrentCell(rice_row, 1)
    edit.remove_line()
    edit.line_fields(0)[1].setText("9000")
    assert _saved(qtbot, edit) == [ship_id]
    with window.ctx.store.session() as session:
        lines = session.execute(
            select(ShipmentLine.item_id, ShipmentLine.quantity).where(
                ShipmentLine.shipment_id == ship_id, ShipmentLine.deleted.is_(False)
            )
        ).all()
    assert lines == [(ids["water"], 9_000)]
    _idle(qtbot, panel)
    # once dispatched it is on its way: no form
    from app.core.supply.ops import add_movements, set_shipment_status
    from app.core.supply.records import MovementData

    add_movements(
        window.ctx.store,
        [MovementData(site_id=ids["hub"], item_id=ids["water"], kind="receipt", quantity=20_000)],
    )
    set_shipment_status(window.ctx.store, ship_id, "in_transit")
    qtbot.waitUntil(
        lambda: any(s.id == ship_id and s.status == "in_transit" for s in panel.view.shipments),
        timeout=30000,
    )
    assert panel.forms.edit_shipment(ship_id) is None
    _idle(qtbot, panel)


def test_a_request_is_created_and_edited_from_the_dock(window: Any, qtbot: Any) -> None:
    ids = _seed(window, qtbot)
    panel = window.panels["supply"]
    form = panel.forms.new_request(ids["camp"])
    assert form.site.currentData() == ids["camp"]
    form.item.setCurrentIndex(form.item.findData(ids["rice"]))
    form.quantity.setText("2500")
    assert form.unit.text() == "kg"
    form.priority.setCurrentIndex(form.priority.findData("critical"))
    form.required_by.setText("2026-12-10")
    form.note.setText("<i>before the rains</i>")
    _shot(form, "request")
    [request_id] = _saved(qtbot, form)
    qtbot.waitUntil(
        lambda: any(r.id == request_id for r in panel.requests.model.rows), timeout=30000
    )
    _idle(qtbot, panel)
    row = next(n for n, r in enumerate(panel.requests.model.rows) if r.id == request_id)
    assert panel.requests.model.rows[row].note == "<i>before the rains</i>"
    with qtbot.waitSignal(panel.forms.sig_opened, timeout=30000) as opened:
        panel.requests.table.doubleClicked.emit(panel.requests.model.index(row, 0))
    edit = opened.args[0]
    assert edit.quantity.text() == "2500"
    edit.quantity.setText("3000")
    assert _saved(qtbot, edit) == [request_id]
    with window.ctx.store.session() as session:
        request = session.get(SupplyRequest, request_id)
        assert (request.site_id, request.item_id, request.quantity, request.priority) == (
            ids["camp"],
            ids["rice"],
            3000,
            "critical",
        )
        assert request.required_by is not None and request.required_by.day == 10
    assert _count(window.ctx.store, SupplyRequest) == 1


def _refused(qtbot: Any, form: Any, *words: str) -> None:
    _ok(form)
    qtbot.wait(50)
    text = form.error.text()
    assert all(w in text for w in words), text
    assert form.saved_ids is None and form.isVisible()


def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(window: Any, qtbot: Any) -> None:
    ids = _seed(window, qtbot)
    panel = window.panels["supply"]
    store = window.ctx.store
    site = panel.forms.new_site()
    _refused(qtbot, site, "site name")  # empty name
    site.name.setText("Chiure")
    site.position.setText("91N 200E")
    _refused(qtbot, site, "position")
    _shot(site, "site-refused")
    site.position.setText("")
    site.capacity.setText("-40")
    _refused(qtbot, site, "capacity", "negative")
    site.capacity.setText("12.5")
    _refused(qtbot, site, "capacity", "whole number")
    site.reject()

    item = panel.forms.new_item()
    item.name.setText("Tarpaulin")
    _refused(qtbot, item, "item code")
    item.reject()

    ship = panel.forms.new_shipment()
    ship.waybill.setText("WB-BAD")
    ship.origin.setCurrentIndex(ship.origin.findData(ids["camp"]))
    ship.destination.setCurrentIndex(ship.destination.findData(ids["camp"]))
    box, quantity = ship.line_fields(0)
    quantity.setText("100")
    _refused(qtbot, ship, "leaves from")
    ship.origin.setCurrentIndex(ship.origin.findData(ids["hub"]))
    ship.add_line(ids["rice"], "-5")
    _refused(qtbot, ship, "line 2", "negative")
    ship.line_fields(1)[1].setText("5")
    ship.eta.setText("tomorrow-ish")
    _refused(qtbot, ship, "ETA")
    ship.reject()

    request = panel.forms.new_request(ids["camp"])
    request.quantity.setText("-10")
    _refused(qtbot, request, "quantity", "negative")
    request.reject()
    _idle(qtbot, panel)
    assert _count(store, SupplySite) == 2 and _count(store, SupplyItem) == 2
    assert _count(store, Shipment) == 0 and _count(store, SupplyRequest) == 0


def test_the_new_menu_opens_each_form(window: Any, qtbot: Any) -> None:
    from app.ui.panels.supply.forms import ItemForm, SiteForm
    from app.ui.panels.supply.shipment_forms import RequestForm, ShipmentForm

    _seed(window, qtbot)
    panel = window.panels["supply"]
    actions = panel.new_button.menu().actions()
    assert len(actions) == 4
    for action, kind in zip(actions, (SiteForm, ItemForm, ShipmentForm, RequestForm), strict=True):
        with qtbot.waitSignal(panel.forms.sig_opened, timeout=5000) as opened:
            action.trigger()
        form = opened.args[0]
        assert isinstance(form, kind) and form.isVisible()
        form.reject()
    if SHOTS:
        panel.tabs.setCurrentIndex(0)
        panel.resize(760, 420)
        panel.grab().save(os.path.join(SHOTS, "supply-dock.png"))
