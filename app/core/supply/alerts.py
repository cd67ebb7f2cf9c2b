"""Shipment routes against no-go zones: a planned or moving shipment whose
route (origin to destination, straight, as drawn on the map) crosses a no-go
zone in force raises an alert.  Air shipments fly over and are not checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from shapely.geometry import LineString

from app.core.picture.geofence import ZoneShape, zones_in_force
from app.i18n import _

if TYPE_CHECKING:
    from app.core.supply.queries import ShipmentRow

CHECKED_STATUSES = ("planned", "in_transit")
GROUND_MODES = ("road", "rail", "sea")


@dataclass(frozen=True, slots=True)
class ShipmentAlert:
    kind: str  # "route_no_go"
    shipment_id: str
    waybill: str
    origin: str
    destination: str
    zone_id: str
    zone_name: str
    severity: int
    lat: float  # where the route enters the zone
    lon: float
    unit_id: str = ""

    @property
    def message(self) -> str:
        return _(
            "Shipment {waybill} ({origin} to {destination}) crosses the no-go zone {zone}"
        ).format(
            waybill=self.waybill,
            origin=self.origin,
            destination=self.destination,
            zone=self.zone_name,
        )


def route_alerts(shipments: Sequence[ShipmentRow], zones: list[ZoneShape]) -> list[ShipmentAlert]:
    """Alerts for shipment rows (``ShipmentRow``-like) against zones in force."""
    no_go = [z for z in zones if z.kind == "no-go"]
    alerts: list[ShipmentAlert] = []
    if not no_go:
        return alerts
    for s in shipments:
        if s.status not in CHECKED_STATUSES or s.mode not in GROUND_MODES:
            continue
        ends = (s.origin_lon, s.origin_lat, s.destination_lon, s.destination_lat)
        if any(v is None for v in ends):
            continue
        route = LineString([(ends[0], ends[1]), (ends[2], ends[3])])
        for zone in no_go:
            if not route.intersects(zone.geometry):
                continue
            crossing = route.intersection(zone.geometry)
            point = (
                crossing.representative_point()
                if not crossing.is_empty
                else route.interpolate(0.5, True)
            )
            alerts.append(
                ShipmentAlert(
                    "route_no_go",
                    s.id,
                    s.waybill,
                    s.origin,
                    s.destination,
                    zone.id,
                    zone.name,
                    zone.severity,
                    point.y,
                    point.x,
                )
            )
    alerts.sort(key=lambda a: (-a.severity, a.waybill))
    return alerts


def store_route_alerts(store: object, now: datetime | None = None) -> list[ShipmentAlert]:
    """Route alerts for everything live in ``store`` (the Alerts dock's worker calls this)."""
    from app.core.picture.queries import list_zones
    from app.core.supply.queries import list_shipments

    ships = [s for s in list_shipments(store) if s.status in CHECKED_STATUSES]  # type: ignore[arg-type]
    if not ships:
        return []
    return route_alerts(ships, zones_in_force(list_zones(store), now))  # type: ignore[arg-type]
