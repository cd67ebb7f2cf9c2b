"""The demo's humanitarian supply picture (Operation CORAL SHIELD, Cabo Delgado).

Eight sites from the Pemba port and airhead to the Metuge, Macomia, Ancuabe and
Mocímboa da Praia distribution points, thirteen catalogue items, thirty days of
ledger history (convoys in, daily distributions out, a damaged lot written
off), shipments in every status (one road convoy to Mocímboa da Praia crosses
the Quiterajo no-go area), open needs and 3W presence.  Ids are derived from
the seed, so loading the demo again updates the same records; the ledger and
the shipments are written once.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

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


# key, name, kind, lat, lon, capacity m³, organisation, people targeted
_SITES = [
    (
        "pemba-port",
        "Pemba port logistics hub",
        "port",
        -12.9652,
        40.4903,
        12000,
        "WFP Logistics Cluster",
        None,
    ),
    ("pemba-air", "Pemba airhead", "airhead", -12.9910, 40.5240, 2500, "UNHAS", None),
    ("montepuez", "Montepuez forward warehouse", "warehouse", -13.1256, 38.9997, 6000, "WFP", None),
    (
        "metuge",
        "Metuge IDP camp distribution point",
        "distribution_point",
        -12.8450,
        40.3650,
        900,
        "INGC / WFP",
        45000,
    ),
    (
        "macomia",
        "Macomia distribution point",
        "distribution_point",
        -12.2430,
        40.1230,
        600,
        "WFP / Caritas",
        32000,
    ),
    (
        "ancuabe",
        "Ancuabe distribution point",
        "distribution_point",
        -12.9720,
        39.8540,
        500,
        "UNICEF / World Vision",
        18000,
    ),
    (
        "mocimboa",
        "Mocímboa da Praia distribution point",
        "distribution_point",
        -11.3480,
        40.3530,
        400,
        "IOM / MSF",
        28000,
    ),
    (
        "montepuez-hosp",
        "Montepuez field hospital",
        "field_hospital",
        -13.1180,
        39.0110,
        150,
        "MSF",
        2500,
    ),
]

# code, name, category, unit, pack name, pack size, standard, kcal per unit
_ITEMS = [
    ("WAT-BULK", "Drinking water (bulk)", "water", "L", "bladder", 10000, "water", None),
    ("WAT-BTL", "Bottled water", "water", "L", "carton", 12, None, None),
    ("FOOD-RAT", "Family food ration (1 person-day)", "food", "ration", "carton", 30, "food", 2100),
    ("FOOD-MAIZE", "Maize meal", "food", "kg", "bag", 50, None, 3600),
    ("FOOD-HEB", "High-energy biscuits", "food", "kg", "carton", 10, None, 4500),
    ("WASH-HYG", "Family hygiene kit", "wash", "each", "pallet", 40, None, None),
    ("WASH-TAB", "Water purification tablets", "wash", "each", "box", 1000, None, None),
    ("SHEL-TARP", "Plastic sheeting (4x6 m)", "shelter", "each", "bale", 50, None, None),
    ("SHEL-TENT", "Family tent", "shelter", "each", "", 1, None, None),
    ("MED-IEHK", "Interagency emergency health kit", "medical", "kit", "", 1, None, None),
    ("MED-ORS", "Oral rehydration salts", "medical", "sachet", "box", 100, None, None),
    ("FUEL-DSL", "Diesel", "fuel", "L", "drum", 200, None, None),
    ("OTH-JERRY", "Jerrycan (20 L)", "other", "each", "bale", 50, None, None),
]

# site, item: (daily issue, stock 30 days ago, receipt every n days, receipt size)
_FLOWS: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("metuge", "WAT-BULK"): (640_000, 2_000_000, 3, 1_850_000),
    ("metuge", "FOOD-RAT"): (42_000, 600_000, 7, 300_000),
    ("metuge", "WASH-HYG"): (120, 4_000, 0, 0),
    ("metuge", "SHEL-TARP"): (90, 3_500, 10, 800),
    ("macomia", "WAT-BULK"): (420_000, 1_500_000, 3, 1_350_000),
    ("macomia", "FOOD-RAT"): (30_000, 350_000, 7, 180_000),
    ("macomia", "MED-ORS"): (400, 20_000, 0, 0),
    ("ancuabe", "WAT-BULK"): (250_000, 3_000_000, 4, 1_000_000),
    ("ancuabe", "FOOD-MAIZE"): (2_100, 90_000, 6, 14_000),
    ("ancuabe", "WASH-TAB"): (9_000, 400_000, 0, 0),
    ("mocimboa", "WAT-BULK"): (380_000, 1_200_000, 2, 700_000),
    ("mocimboa", "FOOD-RAT"): (26_000, 450_000, 8, 150_000),
    ("mocimboa", "FOOD-HEB"): (300, 8_000, 0, 0),
    ("montepuez-hosp", "MED-IEHK"): (0, 6, 0, 0),
    ("montepuez-hosp", "FUEL-DSL"): (600, 24_000, 9, 8_000),
    ("montepuez-hosp", "WAT-BTL"): (1_200, 40_000, 10, 12_000),
}

# warehouse stock at the start of the history (receipts by sea or air)
_HUB_STOCK = {
    "pemba-port": {
        "WAT-BULK": 4_000_000,
        "FOOD-RAT": 1_500_000,
        "FOOD-MAIZE": 200_000,
        "SHEL-TARP": 20_000,
        "SHEL-TENT": 1_500,
        "WASH-HYG": 12_000,
        "OTH-JERRY": 25_000,
        "FUEL-DSL": 180_000,
        "WAT-BTL": 60_000,
    },
    "pemba-air": {"MED-IEHK": 12, "MED-ORS": 60_000, "FOOD-HEB": 20_000},
    "montepuez": {
        "FOOD-MAIZE": 150_000,
        "WASH-TAB": 2_000_000,
        "SHEL-TARP": 8_000,
        "FUEL-DSL": 60_000,
    },
}

_PRESENCE = [
    ("WFP", "Food Security", "Metuge", "Cabo Delgado", 52000, 45000, 41000),
    ("UNICEF", "WASH", "Metuge", "Cabo Delgado", 52000, 45000, 38500),
    ("IOM", "Shelter/NFI", "Metuge", "Cabo Delgado", 52000, 20000, 12400),
    ("WFP", "Food Security", "Macomia", "Cabo Delgado", 40000, 32000, 27000),
    ("Caritas Pemba", "Protection", "Macomia", "Cabo Delgado", 40000, 6000, 4100),
    ("World Vision", "WASH", "Ancuabe", "Cabo Delgado", 21000, 18000, 15200),
    ("MSF", "Health", "Mocímboa da Praia", "Cabo Delgado", 35000, 28000, 9800),
    ("IOM", "CCCM", "Mocímboa da Praia", "Cabo Delgado", 35000, 28000, 15000),
    ("MSF", "Health", "Montepuez", "Cabo Delgado", 9000, 2500, 2300),
]


def build_supply(seed: int, now: datetime) -> dict[str, Any]:
    """The supply records of the demo (plain data objects, not yet stored)."""
    rng = random.Random(seed * 7919 + 5)
    sid = {key: _id(seed, "site:" + key) for key, *_r in _SITES}
    iid = {code: _id(seed, "item:" + code) for code, *_r in _ITEMS}
    sites = [
        SiteData(
            name=name,
            kind=kind,
            lat=lat,
            lon=lon,
            capacity=cap,
            organisation=org,
            admin1="Cabo Delgado",
            country="Mozambique",
            people_targeted=people,
            people_in_need=int(people * 1.15) if people else None,
            id=sid[key],
        )
        for key, name, kind, lat, lon, cap, org, people in _SITES
    ]
    items = [
        ItemData(
            code=code,
            name=name,
            category=cat,
            unit=unit,
            pack_name=pack,
            pack_size=size,
            standard=std,
            kcal_per_unit=kcal,
            id=iid[code],
        )
        for code, name, cat, unit, pack, size, std, kcal in _ITEMS
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

    for hub, stock in _HUB_STOCK.items():
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
    for (site, code), (_daily, opening, _every, _size) in _FLOWS.items():
        move(site, code, "receipt", opening, start - timedelta(hours=1), note="opening stock")
    for day in range(HISTORY_DAYS):
        at = start + timedelta(days=day)
        for (site, code), (daily, _opening, every, size) in _FLOWS.items():
            if every and day % every == every - 1:
                move(site, code, "receipt", size, at + timedelta(hours=2), note="convoy")
            if daily:
                # the last days run a little hotter at the camps that keep growing
                trend = 1.0 + (
                    0.15 if site in ("metuge", "mocimboa") and day >= HISTORY_DAYS - 7 else 0.0
                )
                quantity = max(1, int(daily * trend * rng.uniform(0.85, 1.15)))
                move(site, code, "issue", quantity, at + timedelta(hours=10), note="distribution")
        if day == 17:
            move(
                "metuge",
                "FOOD-RAT",
                "adjustment",
                -1_800,
                at + timedelta(hours=15),
                reason="damaged",
                lot="LOT-FOOD-RAT-A",
                note="rain damage in the rub hall",
            )
        if day == 22:
            move(
                "pemba-port",
                "SHEL-TARP",
                "adjustment",
                120,
                at + timedelta(hours=9),
                reason="found",
                note="stock count",
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
    req_tarp = _id(seed, "req:mocimboa-tarp")
    shipments = [
        ship(
            "metuge-1",
            "CS-WB-0101",
            "pemba-port",
            "metuge",
            "road",
            "arrived",
            now - 12 * d,
            now - 11 * d,
            [("WASH-HYG", 1_200, 1_200), ("OTH-JERRY", 3_000, 2_950)],
            arrived=now - 11 * d,
            note="3 trucks; 50 jerrycans crushed in loading",
        ),
        ship(
            "macomia-1",
            "CS-WB-0102",
            "pemba-port",
            "macomia",
            "road",
            "in_transit",
            now - 0.4 * d,
            now + 0.6 * d,
            [("FOOD-RAT", 120_000, None), ("SHEL-TARP", 1_000, None)],
            note="escorted convoy on the N380",
        ),
        ship(
            "mocimboa-1",
            "CS-WB-0103",
            "pemba-port",
            "mocimboa",
            "road",
            "in_transit",
            now - 0.3 * d,
            now + 1.2 * d,
            [("SHEL-TARP", 1_500, None), ("SHEL-TENT", 300, None)],
            note="coastal road via Quiterajo",
            request=req_tarp,
        ),
        ship(
            "ancuabe-1",
            "CS-WB-0104",
            "montepuez",
            "ancuabe",
            "road",
            "in_transit",
            now - 0.2 * d,
            now + 0.5 * d,
            [("FOOD-MAIZE", 20_000, None), ("WASH-TAB", 200_000, None)],
        ),
        ship(
            "mocimboa-air",
            "CS-WB-0105",
            "pemba-air",
            "mocimboa",
            "air",
            "planned",
            now + 1 * d,
            now + 1.1 * d,
            [("MED-IEHK", 2, None), ("MED-ORS", 10_000, None)],
            note="UNHAS helicopter, weather permitting",
        ),
        ship(
            "port-sea",
            "CS-WB-0106",
            None,
            "pemba-port",
            "sea",
            "planned",
            now + 3 * d,
            now + 6 * d,
            [("FOOD-RAT", 900_000, None), ("FUEL-DSL", 120_000, None)],
            origin_name="Nacala port (WFP charter)",
        ),
        ship(
            "macomia-x",
            "CS-WB-0107",
            "pemba-port",
            "macomia",
            "road",
            "cancelled",
            None,
            now - 4 * d,
            [("WAT-BULK", 200_000, None)],
            note="cancelled: bridge at Ingoane washed out",
        ),
        ship(
            "hosp-1",
            "CS-WB-0108",
            "montepuez",
            "montepuez-hosp",
            "road",
            "arrived",
            now - 6 * d,
            now - 6 * d,
            [("FUEL-DSL", 5_000, 5_000)],
            arrived=now - 6 * d,
        ),
    ]
    requests = [
        RequestData(
            site_id=sid["mocimboa"],
            item_id=iid["SHEL-TARP"],
            quantity=2_500,
            priority="critical",
            required_by=now + 2 * d,
            note="new arrivals from Palma",
            id=req_tarp,
        ),
        RequestData(
            site_id=sid["macomia"],
            item_id=iid["WASH-HYG"],
            quantity=2_000,
            priority="high",
            required_by=now + 5 * d,
            id=_id(seed, "req:macomia-hyg"),
        ),
        RequestData(
            site_id=sid["metuge"],
            item_id=iid["SHEL-TENT"],
            quantity=800,
            priority="medium",
            required_by=now + 10 * d,
            id=_id(seed, "req:metuge-tent"),
        ),
        RequestData(
            site_id=sid["ancuabe"],
            item_id=iid["OTH-JERRY"],
            quantity=1_500,
            priority="low",
            required_by=now + 14 * d,
            id=_id(seed, "req:ancuabe-jerry"),
        ),
        RequestData(
            site_id=sid["montepuez-hosp"],
            item_id=iid["MED-ORS"],
            quantity=5_000,
            priority="high",
            required_by=now + 3 * d,
            id=_id(seed, "req:hosp-ors"),
        ),
    ]
    presence = [
        PresenceData(
            organisation=org,
            sector=sector,
            place=place,
            admin1=adm1,
            country="Mozambique",
            in_need=need,
            targeted=targeted,
            reached=reached,
            as_of=now - 2 * d,
            id=_id(seed, f"3w:{org}:{sector}:{place}"),
        )
        for org, sector, place, adm1, need, targeted, reached in _PRESENCE
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
