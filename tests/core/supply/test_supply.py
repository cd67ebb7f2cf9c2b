"""Supply: the ledger rule, shipments, indicators against hand-computed cases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.picture.records import ValidationError
from app.core.store.models import StockMovement, SyncChange
from app.core.supply.indicators import logsitrep, operation_totals, site_summaries, stock_history
from app.core.supply.ops import (
    LedgerError,
    add_items,
    add_movements,
    add_requests,
    add_shipments,
    add_sites,
    delete_supply_records,
    set_shipment_status,
    set_standard,
)
from app.core.supply.queries import list_requests, list_shipments, list_standards
from app.core.supply.records import (
    ItemData,
    LineData,
    MovementData,
    RequestData,
    ShipmentData,
    SiteData,
    parse_date,
    parse_quantity,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _ledger_count(store: Any) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(StockMovement)) or 0


@pytest.fixture
def base(store: Any) -> dict[str, str]:
    water, ration, tarp = add_items(
        store,
        [
            ItemData(code="WAT", name="Water", category="water", unit="L", standard="water"),
            ItemData(
                code="RAT",
                name="Ration",
                category="food",
                unit="ration",
                standard="food",
                kcal_per_unit=2100,
            ),
            ItemData(
                code="TARP",
                name="Tarpaulin",
                category="shelter",
                unit="each",
                pack_name="bale",
                pack_size=50,
            ),
        ],
    )
    hub, camp = add_sites(
        store,
        [
            SiteData(name="Pemba hub", kind="warehouse", lat=-12.97, lon=40.49),
            SiteData(
                name="Camp North",
                kind="distribution point",
                lat=-12.80,
                lon=40.30,
                people_targeted=1000,
            ),
        ],
    )
    return {"water": water, "ration": ration, "tarp": tarp, "hub": hub, "camp": camp}


def test_quantities_are_whole_numbers_and_never_negative() -> None:
    assert parse_quantity("1,200") == 1200
    assert parse_quantity("1 200") == 1200
    assert parse_quantity("12.0") == 12
    for bad in ("12.5", "abc", "-3", 2.5, "1e400"):
        with pytest.raises(ValidationError):
            parse_quantity(bad)
    assert parse_quantity("-3", allow_negative=True) == -3


def test_dates_in_common_forms() -> None:
    expected = datetime(2015, 3, 1, tzinfo=UTC)
    for text in (
        "2015-03-01",
        "1 March 2015",
        "March 1, 2015",
        "01/03/2015",
        "2015-03-01T00:00:00Z",
    ):
        assert parse_date(text) == expected, text
    assert parse_date("") is None
    with pytest.raises(ValidationError):
        parse_date("not a date")


def test_stock_on_hand_is_the_sum_of_the_ledger(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="receipt",
                quantity=10_000,
                at=NOW - timedelta(days=3),
            ),
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="issue",
                quantity=2_500,
                at=NOW - timedelta(days=1),
            ),
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="adjustment",
                quantity=-100,
                reason="damaged",
                at=NOW,
            ),
        ],
    )
    [row] = [r for r in logsitrep(store, as_of=NOW) if r.item_id == base["water"]]
    assert row.on_hand == 10_000 - 2_500 - 100


def test_an_issue_cannot_take_stock_below_zero_and_nothing_is_stored(
    store: Any, base: dict[str, str]
) -> None:
    add_movements(
        store,
        [MovementData(site_id=base["camp"], item_id=base["water"], kind="receipt", quantity=100)],
    )
    before = _ledger_count(store)
    with pytest.raises(
        LedgerError, match="only 40 L of Water on hand at Camp North: cannot take out 60"
    ) as info:
        add_movements(
            store,
            [
                MovementData(
                    site_id=base["camp"], item_id=base["water"], kind="issue", quantity=60
                ),
                MovementData(
                    site_id=base["camp"], item_id=base["water"], kind="issue", quantity=60
                ),
            ],
        )
    assert info.value.record_index == 1  # type: ignore[attr-defined]
    assert _ledger_count(store) == before  # the first issue was rolled back too


def test_only_an_explicit_adjustment_may_go_below_zero(store: Any, base: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="reason"):
        add_movements(
            store,
            [
                MovementData(
                    site_id=base["camp"], item_id=base["water"], kind="adjustment", quantity=-5
                )
            ],
        )
    add_movements(
        store,
        [
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="adjustment",
                quantity=-5,
                reason="lost",
            )
        ],
    )
    assert [r.on_hand for r in logsitrep(store) if r.item_id == base["water"]] == [-5]


def test_the_ledger_is_append_only_and_captured_for_sync(store: Any, base: dict[str, str]) -> None:
    [mid] = add_movements(
        store,
        [MovementData(site_id=base["camp"], item_id=base["water"], kind="receipt", quantity=7)],
    )
    with store.session() as session:
        change = session.scalar(select(SyncChange).where(SyncChange.row_id == mid))
    assert change is not None and change.op == "insert" and change.table_name == "stock_movement"
    fields = json.loads(change.fields)
    assert (
        fields["quantity"] == 7
        and fields["site_id"] == base["camp"]
        and fields["releasable_to"] == ["PUBLIC"]
    )
    with pytest.raises(ValidationError, match="append-only"):
        delete_supply_records(store, StockMovement, [mid])


def test_unknown_site_or_item_is_refused(store: Any, base: dict[str, str]) -> None:
    with pytest.raises(LedgerError, match="no item"):
        add_movements(
            store, [MovementData(site_id=base["camp"], item_id="nope", kind="receipt", quantity=1)]
        )
    assert _ledger_count(store) == 0


def test_shipment_dispatch_receive_with_discrepancy(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [MovementData(site_id=base["hub"], item_id=base["tarp"], kind="receipt", quantity=500)],
    )
    [req] = add_requests(
        store, [RequestData(site_id=base["camp"], item_id=base["tarp"], quantity=300)]
    )
    [sid] = add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-1",
                origin_site_id=base["hub"],
                destination_site_id=base["camp"],
                eta=NOW,
                lines=[LineData(item_id=base["tarp"], quantity=300, request_id=req)],
            )
        ],
    )
    rows = {r.site: r for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert rows["Pemba hub"].on_hand == 500  # planned: nothing moved yet
    assert rows["Camp North"].requirement == 300 and rows["Camp North"].in_transit == 0
    set_shipment_status(store, sid, "in_transit")
    rows = {r.site: r for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert rows["Pemba hub"].on_hand == 200
    assert rows["Camp North"].in_transit == 300 and rows["Camp North"].on_hand == 0
    [ship] = list_shipments(store)
    line_id = ship.lines[0].id
    set_shipment_status(
        store, sid, "arrived", received={line_id: 290}, reasons={line_id: "damaged"}
    )
    rows = {r.site: r for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert rows["Camp North"].on_hand == 290 and rows["Camp North"].in_transit == 0
    [ship] = list_shipments(store)
    assert ship.status == "arrived" and ship.lines[0].received == 290
    assert ship.lines[0].discrepancy == -10 and ship.lines[0].discrepancy_reason == "damaged"
    [request] = list_requests(store)
    assert request.received == 290 and request.status == "partial"
    with pytest.raises(ValidationError, match="cannot become"):
        set_shipment_status(store, sid, "in_transit")


def test_dispatch_is_refused_when_the_origin_lacks_stock(store: Any, base: dict[str, str]) -> None:
    [sid] = add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-2",
                origin_site_id=base["hub"],
                destination_site_id=base["camp"],
                lines=[LineData(item_id=base["tarp"], quantity=10)],
            )
        ],
    )
    with pytest.raises(LedgerError, match="WB-2"):
        set_shipment_status(store, sid, "in_transit")
    assert list_shipments(store)[0].status == "planned"
    assert _ledger_count(store) == 0


def test_cancelling_in_transit_returns_the_stock(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [MovementData(site_id=base["hub"], item_id=base["tarp"], kind="receipt", quantity=50)],
    )
    [sid] = add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-3",
                origin_site_id=base["hub"],
                destination_site_id=base["camp"],
                status="in_transit",
                lines=[LineData(item_id=base["tarp"], quantity=50)],
            )
        ],
    )
    tarps = {r.site: r for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert "Pemba hub" not in tarps  # nothing left there, nothing on the way, no need
    assert tarps["Camp North"].in_transit == 50
    set_shipment_status(store, sid, "cancelled")
    tarps = {r.site: r for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert tarps["Pemba hub"].on_hand == 50 and "Camp North" not in tarps


def test_indicators_against_a_hand_computed_case(store: Any, base: dict[str, str]) -> None:
    # 20,000 L received 20 days ago; 1,000 L issued on each of the last 10 days (inside a 10-day window)
    moves = [
        MovementData(
            site_id=base["camp"],
            item_id=base["water"],
            kind="receipt",
            quantity=20_000,
            at=NOW - timedelta(days=20),
        )
    ]
    moves += [
        MovementData(
            site_id=base["camp"],
            item_id=base["water"],
            kind="issue",
            quantity=1_000,
            at=NOW - timedelta(days=d, hours=1),
        )
        for d in range(10)
    ]
    add_movements(store, moves)
    add_movements(
        store,
        [
            MovementData(
                site_id=base["hub"],
                item_id=base["water"],
                kind="receipt",
                quantity=5_000,
                at=NOW - timedelta(days=1),
            )
        ],
    )
    add_shipments(
        store,
        [
            ShipmentData(
                waybill="WB-4",
                origin_site_id=base["hub"],
                destination_site_id=base["camp"],
                status="in_transit",
                departure=NOW - timedelta(hours=2),
                lines=[LineData(item_id=base["water"], quantity=3_000)],
            )
        ],
    )
    rows = {
        (r.site, r.item): r for r in logsitrep(store, as_of=NOW, window_days=10, horizon_days=30)
    }
    water = rows[("Camp North", "Water")]
    assert water.on_hand == 10_000
    assert water.in_transit == 3_000
    assert water.daily_consumption == 1_000.0
    assert water.days_of_supply == 10.0
    assert water.requirement == 1_000 * 15 * 30  # people x 15 L x 30 days
    assert water.shortfall == 450_000 - 10_000 - 3_000
    assert water.stockout_date == date(2026, 12, 8)
    assert water.level == "green" and not water.reorder
    # rations: 2,100 kcal a day, 2,100 kcal a ration -> one ration per person per day, none held
    ration = rows[("Camp North", "Ration")]
    assert (ration.on_hand, ration.requirement, ration.shortfall) == (0, 30_000, 30_000)
    assert ration.days_of_supply is None and ration.stockout_date is None and ration.level == "none"
    report = water.report()
    assert list(report) == [
        "site",
        "item",
        "unit",
        "on_hand",
        "in_transit",
        "daily_consumption",
        "days_of_supply",
        "requirement",
        "shortfall",
        "stockout_date",
    ]
    assert report["stockout_date"] == "2026-12-08"
    # the hub's water: 5,000 - 3,000 sent, nothing consumed
    hub = rows[("Pemba hub", "Water")]
    assert hub.on_hand == 2_000 and hub.days_of_supply is None


def test_days_of_supply_is_not_rounded_down(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [
            MovementData(
                site_id=base["hub"],
                item_id=base["tarp"],
                kind="receipt",
                quantity=100,
                at=NOW - timedelta(days=8),
            ),
            MovementData(
                site_id=base["hub"],
                item_id=base["tarp"],
                kind="issue",
                quantity=21,
                at=NOW - timedelta(days=2),
            ),
        ],
    )
    [row] = [r for r in logsitrep(store, as_of=NOW, window_days=7) if r.site == "Pemba hub"]
    assert row.daily_consumption == pytest.approx(3.0)
    assert row.days_of_supply == pytest.approx(79 / 3)
    assert row.stockout_date == date(2026, 11, 28) + timedelta(days=26)
    assert row.level == "green"


def test_requirement_from_open_requests_and_edited_standards(
    store: Any, base: dict[str, str]
) -> None:
    add_requests(
        store,
        [RequestData(site_id=base["hub"], item_id=base["tarp"], quantity=400, priority="high")],
    )
    rows = {(r.site, r.item): r for r in logsitrep(store, as_of=NOW)}
    assert rows[("Pemba hub", "Tarpaulin")].requirement == 400
    assert rows[("Pemba hub", "Tarpaulin")].shortfall == 400
    set_standard(store, "water", "20")
    assert {s.key: s.quantity for s in list_standards(store)}["water"] == Decimal("20")
    rows = {(r.site, r.item): r for r in logsitrep(store, as_of=NOW, horizon_days=7)}
    assert rows[("Camp North", "Water")].requirement == 1_000 * 20 * 7
    with pytest.raises(ValidationError):
        set_standard(store, "water", "-1")


def test_site_summaries_and_operation_totals(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="receipt",
                quantity=3_000,
                at=NOW - timedelta(days=5),
            ),
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="issue",
                quantity=1_400,
                at=NOW - timedelta(days=1),
            ),
            MovementData(
                site_id=base["hub"],
                item_id=base["water"],
                kind="receipt",
                quantity=4_000,
                at=NOW - timedelta(days=5),
            ),
        ],
    )
    lines = logsitrep(store, as_of=NOW, window_days=7)
    summary = {s.name: s for s in site_summaries(store, lines)}
    assert summary["Camp North"].level == "green"  # 1,600 L at 200 L a day: 8 days
    assert summary["Camp North"].worst_days == pytest.approx(8.0)
    assert summary["Camp North"].shortfall_items == 2  # water and rations against 1,000 people
    assert summary["Camp North"].people == 1_000
    totals = {t.item: t for t in operation_totals(lines)}
    assert totals["Water"].on_hand == 1_600 + 4_000
    assert totals["Water"].daily_consumption == pytest.approx(200.0)
    assert totals["Water"].days_of_supply == pytest.approx(28.0)


def test_stock_history_for_the_chart(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="receipt",
                quantity=1_000,
                at=NOW - timedelta(days=40),
            ),
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="issue",
                quantity=100,
                at=NOW - timedelta(days=2),
            ),
            MovementData(
                site_id=base["camp"], item_id=base["water"], kind="issue", quantity=40, at=NOW
            ),
        ],
    )
    history = stock_history(store, base["camp"], base["water"], days=10, window_days=5, as_of=NOW)
    assert len(history.days) == 10 and history.days[-1] == NOW.date()
    assert history.balance[0] == 1_000 and history.balance[-3] == 900 and history.balance[-1] == 860
    assert history.consumption[-3] == 100 and history.consumption[-1] == 40
    assert history.daily_consumption == pytest.approx(28.0)
    assert history.days_of_supply == pytest.approx(860 / 28)
    assert history.unit == "L"


def test_a_transfer_moves_stock_between_sites_in_one_transaction(
    store: Any, base: dict[str, str]
) -> None:
    from app.core.supply.ops import transfer_stock

    add_movements(
        store,
        [MovementData(site_id=base["hub"], item_id=base["tarp"], kind="receipt", quantity=80)],
    )
    transfer_stock(store, base["hub"], base["camp"], base["tarp"], 30)
    held = {r.site: r.on_hand for r in logsitrep(store) if r.item == "Tarpaulin"}
    assert held == {"Pemba hub": 50, "Camp North": 30}
    before = _ledger_count(store)
    with pytest.raises(LedgerError):
        transfer_stock(store, base["hub"], base["camp"], base["tarp"], 51)
    assert _ledger_count(store) == before


def test_an_adjustment_reason_gives_its_direction(store: Any, base: dict[str, str]) -> None:
    add_movements(
        store,
        [MovementData(site_id=base["hub"], item_id=base["tarp"], kind="receipt", quantity=10)],
    )
    with pytest.raises(ValidationError, match="negative"):
        add_movements(
            store,
            [
                MovementData(
                    site_id=base["hub"],
                    item_id=base["tarp"],
                    kind="adjustment",
                    quantity=3,
                    reason="damaged",
                )
            ],
        )
    with pytest.raises(ValidationError, match="positive"):
        add_movements(
            store,
            [
                MovementData(
                    site_id=base["hub"],
                    item_id=base["tarp"],
                    kind="adjustment",
                    quantity=-3,
                    reason="found",
                )
            ],
        )
    add_movements(
        store,
        [
            MovementData(
                site_id=base["hub"],
                item_id=base["tarp"],
                kind="adjustment",
                quantity=-4,
                reason="expired",
                lot="L-7",
            )
        ],
    )
    assert [r.on_hand for r in logsitrep(store) if r.item == "Tarpaulin"] == [6]


def test_a_huge_stock_barely_consumed_has_no_stock_out_date_rather_than_a_crash(
    store: Any, base: dict[str, str]
) -> None:
    from app.core.supply.indicators import logsitrep

    add_movements(
        store,
        [
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="receipt",
                quantity=10_000_000,
                at=datetime.now(UTC) - timedelta(days=3),
            ),
            MovementData(
                site_id=base["camp"],
                item_id=base["water"],
                kind="issue",
                quantity=1,
                at=datetime.now(UTC) - timedelta(days=1),
            ),
        ],
    )
    [line] = [
        r for r in logsitrep(store) if r.site_id == base["camp"] and r.item_id == base["water"]
    ]
    assert line.days_of_supply is not None and line.days_of_supply > 3650
    assert line.stockout_date is None
