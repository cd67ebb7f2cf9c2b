"""The demo's humanitarian supply picture (Operation CORAL SHIELD, Cabo Delgado).

Eight sites from the Pemba port and airhead to the Metuge, Macomia, Ancuabe and
Mocímboa da Praia distribution points, thirteen catalogue items, thirty days of
ledger history (convoys in, daily distributions out, a damaged lot written
off), shipments in every status (one road convoy to Mocímboa da Praia crosses
the Quiterajo no-go area), open needs and 3W presence.  Ids are derived from
the seed, so loading the demo again updates the same records; the ledger and
the shipments are written once.

The records are data (``resources/demo/supply.toml``); this module turns them into
records: ids, times relative to ``now``, the seeded daily ledger.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from app.core.demo import data
from app.core.supply.records import (
    ItemData,
    LineData,
    MovementData,
    PresenceData,
    RequestData,
    ShipmentData,
    SiteData,
)

_NS = uuid.UUID("6f1c0f0e-5b1e-4c55-9a3e-2d6a3c0b7e11")
HISTORY_DAYS = 30


def _id(seed: int, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{seed}:{name}"))


def build_supply(seed: int, now: datetime) -> dict[str, Any]:
    """The supply records of the demo (plain data objects, not yet stored)."""
    spec = data.load("supply")
    rng = random.Random(seed * 7919 + 5)
    sid = {site["key"]: _id(seed, "site:" + site["key"]) for site in spec["site"]}
    iid = {item["code"]: _id(seed, "item:" + item["code"]) for item in spec["item"]}
    region = spec["region"]
    sites = []
    for site in spec["site"]:
        people = site.get("people_targeted")
        lat, lon = site["at"]
        sites.append(
            SiteData(
                name=site["name"],
                kind=site["kind"],
                lat=lat,
                lon=lon,
                capacity=site["capacity"],
                organisation=site["organisation"],
                admin1=region["admin1"],
                country=region["country"],
                people_targeted=people,
                people_in_need=int(people * 1.15) if people else None,
                id=sid[site["key"]],
            )
        )
    items = [
        ItemData(
            code=item["code"],
            name=item["name"],
            category=item["category"],
            unit=item["unit"],
            pack_name=item["pack_name"],
            pack_size=item["pack_size"],
            standard=item.get("standard"),
            kcal_per_unit=item.get("kcal_per_unit"),
            id=iid[item["code"]],
        )
        for item in spec["item"]
    ]
    start = (now - timedelta(days=HISTORY_DAYS)).replace(hour=6, minute=0, second=0, microsecond=0)
    moves: list[MovementData] = []
    balance: dict[tuple[str, str], int] = {}
    n = 0

    def move(site: str, item: str, kind: str, quantity: int, at: datetime, **extra: Any) -> None:
        nonlocal n
        held = balance.get((site, item), 0)
        if kind == "issue":
            quantity = min(quantity, held)  # a camp cannot hand out what it does not hold
            if quantity <= 0:
                return
        balance[(site, item)] = held + (-quantity if kind == "issue" else quantity)
        n += 1
        moves.append(
            MovementData(
                site_id=sid[site],
                item_id=iid[item],
                kind=kind,
                quantity=quantity,
                at=at,
                id=_id(seed, f"move:{n}"),
                **extra,
            )
        )

    for hub, stock in spec["hub_stock"].items():
        for code, quantity in stock.items():
            move(
                hub,
                code,
                "receipt",
                quantity,
                start - timedelta(hours=2),
                lot=f"LOT-{code}-A",
                note="opening stock",
            )
    ledger = spec["ledger"]
    flows = ledger["flows"]
    for flow in flows:
        move(
            flow["site"],
            flow["item"],
            "receipt",
            flow["opening"],
            start - timedelta(hours=1),
            note="opening stock",
        )
    trend_sites, trend_days = ledger["trend"]["sites"], ledger["trend"]["last_days"]
    trend_extra = ledger["trend"]["extra"]
    adjustments: dict[int, list[dict[str, Any]]] = {}
    for adjustment in spec["adjustment"]:
        adjustments.setdefault(adjustment["day"], []).append(adjustment)
    for day in range(HISTORY_DAYS):
        at = start + timedelta(days=day)
        for flow in flows:
            site, code, daily, every = flow["site"], flow["item"], flow["daily"], flow["every"]
            if every and day % every == every - 1:
                move(site, code, "receipt", flow["size"], at + timedelta(hours=2), note="convoy")
            if daily:
                # the last days run a little hotter at the camps that keep growing
                trend = 1.0 + (
                    trend_extra if site in trend_sites and day >= HISTORY_DAYS - trend_days else 0.0
                )
                quantity = max(1, int(daily * trend * rng.uniform(0.85, 1.15)))
                move(site, code, "issue", quantity, at + timedelta(hours=10), note="distribution")
        for adjustment in adjustments.get(day, ()):
            move(
                adjustment["site"],
                adjustment["item"],
                "adjustment",
                adjustment["quantity"],
                at + timedelta(hours=adjustment["hour"]),
                **{k: adjustment[k] for k in ("reason", "lot", "note") if k in adjustment},
            )

    def ship(
        key: str,
        waybill: str,
        origin: str | None,
        dest: str,
        mode: str,
        status: str,
        departure: datetime | None,
        eta: datetime | None,
        lines: list[tuple[str, int, int | None]],
        arrived: datetime | None = None,
        origin_name: str = "",
        note: str = "",
        request: str | None = None,
    ) -> ShipmentData:
        return ShipmentData(
            waybill=waybill,
            origin_site_id=sid[origin] if origin else None,
            origin_name=origin_name,
            destination_site_id=sid[dest],
            mode=mode,
            status=status,
            departure=departure,
            eta=eta,
            arrived_at=arrived,
            note=note,
            id=_id(seed, "ship:" + key),
            lines=[
                LineData(
                    item_id=iid[code],
                    quantity=q,
                    received=got,
                    id=_id(seed, f"line:{key}:{code}"),
                    request_id=request if k == 0 else None,
                )
                for k, (code, q, got) in enumerate(lines)
            ],
        )

    d = timedelta(days=1)

    def days(value: float | None) -> datetime | None:
        return now + value * d if value is not None else None

    request_id = {request["key"]: _id(seed, "req:" + request["key"]) for request in spec["request"]}
    shipments = [
        ship(
            shipment["key"],
            shipment["waybill"],
            shipment.get("origin"),
            shipment["destination"],
            shipment["mode"],
            shipment["status"],
            days(shipment.get("departure")),
            days(shipment.get("eta")),
            [(line[0], line[1], line[2] if len(line) > 2 else None) for line in shipment["lines"]],
            arrived=days(shipment.get("arrived")),
            origin_name=shipment.get("origin_name", ""),
            note=shipment.get("note", ""),
            request=request_id[shipment["request"]] if "request" in shipment else None,
        )
        for shipment in spec["shipment"]
    ]
    requests = [
        RequestData(
            site_id=sid[request["site"]],
            item_id=iid[request["item"]],
            quantity=request["quantity"],
            priority=request["priority"],
            required_by=now + request["required_by"] * d,
            id=request_id[request["key"]],
            **({"note": request["note"]} if "note" in request else {}),
        )
        for request in spec["request"]
    ]
    presence_as_of = now + spec["presence"]["as_of"] * d
    presence = [
        PresenceData(
            organisation=org,
            sector=sector,
            place=place,
            admin1=adm1,
            country=region["country"],
            in_need=need,
            targeted=targeted,
            reached=reached,
            as_of=presence_as_of,
            id=_id(seed, f"3w:{org}:{sector}:{place}"),
        )
        for org, sector, place, adm1, need, targeted, reached in spec["presence"]["rows"]
    ]
    return {
        "sites": sites,
        "items": items,
        "movements": moves,
        "shipments": shipments,
        "requests": requests,
        "presence": presence,
    }


def load_supply(batch: Any, seed: int = 7, now: datetime | None = None) -> int:
    """Write the demo's supply records inside the demo's write batch; returns the sites written."""
    from sqlalchemy import select

    from app.core.store.models import Shipment
    from app.core.supply.ops import (
        record_movements,
        save_items,
        save_presence,
        save_requests,
        save_shipments,
        save_sites,
    )

    data = build_supply(seed, now or batch.now)
    sites = save_sites(batch, data["sites"])
    save_items(batch, data["items"])
    save_presence(batch, data["presence"])
    first = data["shipments"][0].id
    if batch.session.scalar(select(Shipment.id).where(Shipment.id == first)) is None:
        # the ledger is append-only: history and shipments go in once
        record_movements(batch, data["movements"])
        save_requests(batch, data["requests"])
        save_shipments(batch, data["shipments"])
    else:
        save_requests(batch, [r for r in data["requests"] if r.id])
    return len(sites)
