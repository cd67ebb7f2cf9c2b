"""Supply sites and shipments as GeoJSON features, added to the GeoJSON export.

A site is a Point with ``kind`` ``"supply_site"`` (its ``site_kind``, capacity,
organisation, population, and its days of supply and traffic light); a
shipment is a LineString from origin to destination with ``kind``
``"shipment"`` (waybill, status, mode, departure, ETA, and its lines).  An
import skips both kinds (the supply tables travel as HXL).
"""

from __future__ import annotations

from typing import Any

from app.core.common.times import iso_z
from app.core.store.engine import Store

KINDS = frozenset({"supply_site", "shipment"})


def _iso(value: Any) -> str | None:
    return iso_z(value) if value else None


def supply_features(store: Store, partner: str | None = None) -> list[dict[str, Any]]:
    """Sites with a location, then shipments whose both ends have one."""
    from app.core.supply.indicators import logsitrep, site_summaries
    from app.core.supply.queries import list_shipments, list_sites

    sites = {s.id: s for s in list_sites(store, partner)}
    summaries = {s.site_id: s for s in site_summaries(store, logsitrep(store, partner=partner))}
    features: list[dict[str, Any]] = []
    for site in sites.values():
        if site.lat is None or site.lon is None:
            continue
        summary = summaries.get(site.id)
        features.append(
            {
                "type": "Feature",
                "id": site.id,
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                "properties": {
                    "id": site.id,
                    "name": site.name,
                    "kind": "supply_site",
                    "site_kind": site.kind,
                    "capacity": site.capacity,
                    "organisation": site.organisation,
                    "admin1": site.admin1,
                    "country": site.country,
                    "people_in_need": site.people_in_need,
                    "people_targeted": site.people_targeted,
                    "days_of_supply": summary.worst_days if summary else None,
                    "lowest_item": summary.worst_item if summary else None,
                    "level": summary.level if summary else "none",
                    "classification": site.classification,
                    "releasable_to": site.releasable_to.codes_list(),
                },
            }
        )
    for ship in list_shipments(store, partner):
        ends = (ship.origin_lon, ship.origin_lat, ship.destination_lon, ship.destination_lat)
        if any(v is None for v in ends):
            continue
        features.append(
            {
                "type": "Feature",
                "id": ship.id,
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[ends[0], ends[1]], [ends[2], ends[3]]],
                },
                "properties": {
                    "id": ship.id,
                    "name": ship.waybill,
                    "kind": "shipment",
                    "waybill": ship.waybill,
                    "status": ship.status,
                    "mode": ship.mode,
                    "origin": ship.origin,
                    "destination": ship.destination,
                    "origin_site_id": ship.origin_site_id,
                    "destination_site_id": ship.destination_site_id,
                    "departure": _iso(ship.departure),
                    "eta": _iso(ship.eta),
                    "arrived_at": _iso(ship.arrived_at),
                    "lines": [
                        {
                            "item": line.item,
                            "unit": line.unit,
                            "quantity": line.quantity,
                            "received": line.received,
                        }
                        for line in ship.lines
                    ],
                    "classification": ship.classification,
                    "releasable_to": ship.releasable_to.codes_list(),
                },
            }
        )
    return features
