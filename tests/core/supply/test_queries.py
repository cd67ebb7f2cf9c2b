"""The Supply dock's reads: the whole overview, one site, the LOGSITREP file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.supply.hxl import export_logsitrep
from app.core.supply.ops import add_items, add_movements, add_requests, add_shipments, add_sites
from app.core.supply.queries import get_site, supply_overview
from app.core.supply.records import (
    ItemData,
    LineData,
    MovementData,
    RequestData,
    ShipmentData,
    SiteData,
)

NOW = datetime.now(UTC)


@pytest.fixture
def stocked(store: Any) -> dict[str, str]:
    [tarp] = add_items(
        store, [ItemData(code="TARP", name="Tarpaulin", category="shelter", unit="each")]
    )
    hub, camp = add_sites(
        store,
        [
            SiteData(name="Pemba hub", kind="warehouse", lat=-12.97, lon=40.49, capacity=9000),
            SiteData(name="Camp North", kind="distribution point", people_targeted=1000),
        ],
    )
    add_movements(
        store,
        [
            MovementData(
                site_id=hub,
                item_id=tarp,
                kind="receipt",
                quantity=500,
                at=NOW - timedelta(days=5),
            )
        ],
    )
    [request] = add_requests(store, [RequestData(site_id=camp, item_id=tarp, quantity=300)])
    add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-1",
                origin_site_id=hub,
                destination_site_id=camp,
                lines=[LineData(item_id=tarp, quantity=300, request_id=request)],
            )
        ],
    )
    return {"tarp": tarp, "hub": hub, "camp": camp}


def test_the_overview_holds_everything_the_dock_shows(store: Any, stocked: dict[str, str]) -> None:
    view = supply_overview(store)
    on_hand = {(r.site, r.item): r.on_hand for r in view.lines}
    assert on_hand[("Pemba hub", "Tarpaulin")] == 500
    assert {s.name: s.site_id for s in view.sites} == {
        "Pemba hub": stocked["hub"],
        "Camp North": stocked["camp"],
    }
    assert [(i.code, i.name) for i in view.items] == [("TARP", "Tarpaulin")]
    [total] = view.totals
    assert total.item_id == stocked["tarp"] and total.on_hand == 500
    assert {"water", "food"} <= {s.key for s in view.standards}
    [ship] = view.shipments
    assert (ship.waybill, ship.status, ship.lines[0].quantity) == ("WB-1", "planned", 300)
    [request] = view.requests
    assert (request.site, request.quantity, request.status) == ("Camp North", 300, "open")
    assert view.presence == []
    assert view.map_message["op"] == "supply.reset"
    assert [s["name"] for s in view.map_message["sites"]] == ["Pemba hub"]  # the one placed


def test_the_overview_as_it_was(store: Any, stocked: dict[str, str]) -> None:
    before = supply_overview(store, as_of=NOW - timedelta(days=10))
    assert not [r for r in before.lines if r.on_hand]  # nothing received yet then
    assert [r.on_hand for r in supply_overview(store).lines if r.site == "Pemba hub"] == [500]


def test_one_site_with_every_field_its_form_edits(store: Any, stocked: dict[str, str]) -> None:
    site = get_site(store, stocked["hub"])
    assert site is not None
    assert (site.name, site.kind, site.capacity, site.lat) == (
        "Pemba hub",
        "warehouse",
        9000,
        -12.97,
    )
    assert get_site(store, "no-such-site") is None


def test_the_logsitrep_file_the_cli_and_the_dock_write(
    store: Any, stocked: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "logsitrep.json"
    count = export_logsitrep(store, path, "json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert count == len(rows) == 2
    hub = next(r for r in rows if r["site"] == "Pemba hub")
    assert hub["item"] == "Tarpaulin" and hub["on_hand"] == 500
