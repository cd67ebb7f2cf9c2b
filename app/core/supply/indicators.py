"""Supply indicators, per site and item and for the whole operation (DESIGN §3).

* stock on hand: the sum of the ledger;
* in transit: what shipments in transit carry to the site;
* average daily consumption: what was issued (distributed) over the window,
  divided by the window's days;
* days of supply = on hand / average daily consumption (not rounded; None when
  nothing is consumed);
* requirement = people x per-person standard x planning days, for items that
  carry a standard at sites with population figures; else what open requests
  still ask for (the larger of the two when both exist);
* shortfall = requirement - on hand - in transit (never below zero);
* projected stock-out date = today + days of supply;
* reorder alert when days of supply fall below ``REORDER_DAYS``.

One grouped query over the ledger (a covering index on site, item, kind, at,
quantity) gives on hand and consumption for every site and item at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select, true

from app.core.store.engine import Store
from app.core.store.models import (
    Presence,
    Shipment,
    ShipmentLine,
    StockMovement,
    SupplyItem,
    SupplyRequest,
    SupplySite,
)
from app.core.supply.queries import list_standards
from app.core.supply.records import AMBER_DAYS, RED_DAYS, REORDER_DAYS

DEFAULT_WINDOW_DAYS = 14
DEFAULT_HORIZON_DAYS = 30
REPORT_KEYS = (
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
)


# beyond ten years a stock-out date means nothing (and a huge stock with a trickle
# of consumption would run past the year 9999)
MAX_STOCKOUT_DAYS = 3650


def _stockout(today: date, days: float | None) -> date | None:
    """The day stock runs out at today's rate; None when nothing is consumed or it is years away."""
    if days is None or days > MAX_STOCKOUT_DAYS:
        return None
    return today + timedelta(days=math.floor(days))


def level_of(days: float | None) -> str:
    """Traffic light of days of supply: ``red`` under RED_DAYS, ``amber`` under
    AMBER_DAYS, else ``green``; ``none`` when nothing is consumed."""
    if days is None:
        return "none"
    if days < RED_DAYS:
        return "red"
    if days < AMBER_DAYS:
        return "amber"
    return "green"


@dataclass(frozen=True)
class StockLine:
    """One site and item of the LOGSITREP."""

    site_id: str
    site: str
    item_id: str
    item: str
    code: str
    category: str
    unit: str
    on_hand: int
    in_transit: int
    daily_consumption: float
    days_of_supply: float | None
    requirement: int
    shortfall: int
    stockout_date: date | None

    @property
    def level(self) -> str:
        return level_of(self.days_of_supply)

    @property
    def reorder(self) -> bool:
        return self.days_of_supply is not None and self.days_of_supply < REORDER_DAYS

    def report(self) -> dict[str, Any]:
        """The LOGSITREP row: exactly ``REPORT_KEYS``."""
        return {
            "site": self.site,
            "item": self.item,
            "unit": self.unit,
            "on_hand": self.on_hand,
            "in_transit": self.in_transit,
            "daily_consumption": self.daily_consumption,
            "days_of_supply": self.days_of_supply,
            "requirement": self.requirement,
            "shortfall": self.shortfall,
            "stockout_date": self.stockout_date.isoformat() if self.stockout_date else None,
        }


def _per_person(item: Any, standards: dict[str, tuple[Decimal, str]]) -> Decimal | None:
    """The item's per-person daily need in its own unit, or None."""
    if not item.standard or item.standard not in standards:
        return None
    amount, unit = standards[item.standard]
    if unit.lower() == item.unit.lower():
        return amount
    if unit.lower() == "kcal" and item.kcal_per_unit:
        return amount / Decimal(item.kcal_per_unit)
    return None


def _releasable(model: Any, partner: str | None) -> Any:
    from app.core.picture.queries import releasable_clause

    return releasable_clause(model.releasable_to, partner) if partner else true()


def site_population(site: Any, presence_targeted: dict[str, int]) -> int:
    """People a site serves: targeted, else in need, else what 3W partners target there."""
    if site.people_targeted:
        return int(site.people_targeted)
    if site.people_in_need:
        return int(site.people_in_need)
    return presence_targeted.get(site.name.strip().lower(), 0)


def logsitrep(
    store: Store,
    as_of: datetime | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    partner: str | None = None,
) -> list[StockLine]:
    """One row per site and item that has stock, pipeline, consumption or need."""
    now = as_of or datetime.now(UTC)
    window_days = max(1, int(window_days))
    start = now - timedelta(days=window_days)
    issued = case(
        (
            and_(StockMovement.kind == "issue", StockMovement.at > start, StockMovement.at <= now),
            -StockMovement.quantity,
        ),
        else_=0,
    )
    ledger = select(
        StockMovement.site_id,
        StockMovement.item_id,
        func.sum(StockMovement.quantity),
        func.sum(issued),
    ).group_by(StockMovement.site_id, StockMovement.item_id)
    if as_of is not None:
        ledger = ledger.where(StockMovement.at <= now)
    transit = (
        select(Shipment.destination_site_id, ShipmentLine.item_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            Shipment.status == "in_transit",
            Shipment.deleted.is_(False),
            ShipmentLine.deleted.is_(False),
        )
        .group_by(Shipment.destination_site_id, ShipmentLine.item_id)
    )
    received_for = (
        select(ShipmentLine.request_id, func.coalesce(func.sum(ShipmentLine.received), 0))
        .where(ShipmentLine.request_id.is_not(None), ShipmentLine.deleted.is_(False))
        .group_by(ShipmentLine.request_id)
    )
    with store.session() as session:
        sites = {
            s.id: s
            for s in session.scalars(
                select(SupplySite).where(
                    SupplySite.deleted.is_(False), _releasable(SupplySite, partner)
                )
            )
        }
        items = {
            i.id: i
            for i in session.scalars(
                select(SupplyItem).where(
                    SupplyItem.deleted.is_(False), _releasable(SupplyItem, partner)
                )
            )
        }
        stock = {(s, i): (int(q or 0), int(c or 0)) for s, i, q, c in session.execute(ledger)}
        in_transit = {(s, i): int(q or 0) for s, i, q in session.execute(transit)}
        got = {r: q for r, q in session.execute(received_for)}
        requested: dict[tuple[str, str], int] = {}
        for rid, s, i, q in session.execute(
            select(
                SupplyRequest.id,
                SupplyRequest.site_id,
                SupplyRequest.item_id,
                SupplyRequest.quantity,
            ).where(SupplyRequest.deleted.is_(False), SupplyRequest.status.in_(("open", "partial")))
        ):
            outstanding = max(0, int(q) - int(got.get(rid, 0) or 0))
            requested[(s, i)] = requested.get((s, i), 0) + outstanding
        targeted: dict[str, int] = {}
        for place, people in session.execute(
            select(Presence.place, func.max(Presence.targeted))
            .where(Presence.deleted.is_(False), Presence.targeted.is_not(None))
            .group_by(Presence.place)
        ):
            key = (place or "").strip().lower()
            targeted[key] = max(targeted.get(key, 0), int(people or 0))
    standards = {s.key: (s.quantity, s.unit) for s in list_standards(store)}
    per_person = {iid: _per_person(item, standards) for iid, item in items.items()}
    with_standard = [iid for iid, amount in per_person.items() if amount]
    keys: set[tuple[str, str]] = set(stock) | set(in_transit) | set(requested)
    population: dict[str, int] = {}
    for sid, site in sites.items():
        people = site_population(site, targeted)
        if people:
            population[sid] = people
            keys.update((sid, iid) for iid in with_standard)
    today = now.date()
    rows: list[StockLine] = []
    for sid, iid in keys:
        site, item = sites.get(sid), items.get(iid)
        if site is None or item is None:
            continue
        held, consumed = stock.get((sid, iid), (0, 0))
        pipeline = in_transit.get((sid, iid), 0)
        requirement = requested.get((sid, iid), 0)
        amount = per_person.get(iid)
        if amount and sid in population:
            requirement = max(requirement, math.ceil(population[sid] * amount * horizon_days))
        if not (held or pipeline or requirement or consumed):
            continue
        daily = consumed / window_days
        days = max(held, 0) * window_days / consumed if consumed > 0 else None
        stockout = _stockout(today, days)
        rows.append(
            StockLine(
                sid,
                site.name,
                iid,
                item.name,
                item.code,
                item.category,
                item.unit,
                held,
                pipeline,
                daily,
                days,
                requirement,
                max(0, requirement - held - pipeline),
                stockout,
            )
        )
    rows.sort(key=lambda r: (r.site.lower(), r.item.lower(), r.site_id, r.item_id))
    return rows


@dataclass(frozen=True)
class SiteSummary:
    site_id: str
    name: str
    kind: str
    lat: float | None
    lon: float | None
    people: int
    items: int
    worst_days: float | None
    worst_item: str
    level: str
    reorder: int
    shortfall_items: int


_LEVEL_ORDER = {"red": 0, "amber": 1, "green": 2, "none": 3}


def site_summaries(
    store: Store, lines: list[StockLine] | None = None, **kwargs: Any
) -> list[SiteSummary]:
    """Per site: the item with the fewest days of supply sets the traffic light."""
    from app.core.supply.queries import list_presence, list_sites

    lines = logsitrep(store, **kwargs) if lines is None else lines
    targeted: dict[str, int] = {}
    for p in list_presence(store):
        if p.targeted:
            key = p.place.strip().lower()
            targeted[key] = max(targeted.get(key, 0), p.targeted)
    by_site: dict[str, list[StockLine]] = {}
    for line in lines:
        by_site.setdefault(line.site_id, []).append(line)
    out = []
    for site in list_sites(store):
        mine = by_site.get(site.id, [])
        worst = min(
            mine, key=lambda r: (_LEVEL_ORDER[r.level], r.days_of_supply or math.inf), default=None
        )
        level = worst.level if worst else "none"
        out.append(
            SiteSummary(
                site.id,
                site.name,
                site.kind,
                site.lat,
                site.lon,
                site_population(site, targeted),
                len(mine),
                worst.days_of_supply if worst else None,
                worst.item if worst and worst.days_of_supply is not None else "",
                level,
                sum(1 for r in mine if r.reorder),
                sum(1 for r in mine if r.shortfall > 0),
            )
        )
    return out


@dataclass(frozen=True)
class ItemTotal:
    item_id: str
    item: str
    unit: str
    on_hand: int
    in_transit: int
    daily_consumption: float
    days_of_supply: float | None
    requirement: int
    shortfall: int


def operation_totals(lines: list[StockLine]) -> list[ItemTotal]:
    """The whole operation, per item."""
    sums: dict[str, list[Any]] = {}
    for r in lines:
        acc = sums.setdefault(r.item_id, [r.item, r.unit, 0, 0, 0.0, 0, 0])
        acc[2] += r.on_hand
        acc[3] += r.in_transit
        acc[4] += r.daily_consumption
        acc[5] += r.requirement
        acc[6] += r.shortfall
    out = [
        ItemTotal(
            iid,
            a[0],
            a[1],
            a[2],
            a[3],
            a[4],
            (max(a[2], 0) / a[4]) if a[4] > 0 else None,
            a[5],
            a[6],
        )
        for iid, a in sums.items()
    ]
    out.sort(key=lambda t: t.item.lower())
    return out


@dataclass(frozen=True)
class StockHistory:
    """What the stock chart draws for one site and item."""

    days: list[date]  # one per day, oldest first, ending today
    balance: list[int]  # stock on hand at the end of each day
    consumption: list[int]  # issued on each day
    daily_consumption: float
    days_of_supply: float | None
    stockout_date: date | None
    arrivals: list[tuple[date, int, str]]  # (ETA, quantity, waybill) of shipments on the way
    unit: str


def stock_history(
    store: Store,
    site_id: str,
    item_id: str,
    days: int = 30,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | None = None,
) -> StockHistory:
    now = as_of or datetime.now(UTC)
    today = now.date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    with store.session() as session:
        base = and_(StockMovement.site_id == site_id, StockMovement.item_id == item_id)
        before = session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                base, StockMovement.at < start
            )
        )
        net = [0] * days
        used = [0] * days
        for at, kind, quantity in session.execute(
            select(StockMovement.at, StockMovement.kind, StockMovement.quantity).where(
                base, StockMovement.at >= start, StockMovement.at <= now
            )
        ):
            index = (at.date() - first).days
            if 0 <= index < days:
                net[index] += quantity
                if kind == "issue":
                    used[index] -= quantity
        unit = session.scalar(select(SupplyItem.unit).where(SupplyItem.id == item_id)) or ""
        arrivals = [
            ((eta or now).date(), int(q), waybill)
            for eta, q, waybill in session.execute(
                select(Shipment.eta, ShipmentLine.quantity, Shipment.waybill)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(
                    Shipment.destination_site_id == site_id,
                    ShipmentLine.item_id == item_id,
                    Shipment.status.in_(("planned", "in_transit")),
                    Shipment.deleted.is_(False),
                    ShipmentLine.deleted.is_(False),
                )
            )
        ]
    balance = []
    running = int(before or 0)
    for change in net:
        running += change
        balance.append(running)
    window = used[-window_days:] if window_days <= days else used
    consumed = sum(window)
    span = min(window_days, days)
    daily = consumed / span if span else 0.0
    held = balance[-1] if balance else 0
    dos = max(held, 0) / daily if daily > 0 else None
    stockout = _stockout(today, dos)
    return StockHistory(
        [first + timedelta(days=n) for n in range(days)],
        balance,
        used,
        daily,
        dos,
        stockout,
        sorted(arrivals),
        unit,
    )
