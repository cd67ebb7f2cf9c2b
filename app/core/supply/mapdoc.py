"""The supply layer of the map as one page message (``supply.reset``): sites
with their traffic light, shipments as lines coloured by status (red when the
route crosses a no-go zone).  Built in a worker; the page draws it with
``resources/map/cop-supply.js``."""

from __future__ import annotations

from typing import Any

from app.core.common.dtg import format_dtg
from app.core.mapdoc.protocol import Op, message
from app.core.store.engine import Store
from app.core.supply.records import mode_label, shipment_status_label, site_kind_label
from app.i18n import _


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def supply_message(store: Store, partner: str | None = None, as_of: Any = None) -> dict[str, Any]:
    from app.core.picture.geofence import zones_in_force
    from app.core.picture.queries import list_zones
    from app.core.supply.alerts import route_alerts
    from app.core.supply.indicators import logsitrep, site_summaries
    from app.core.supply.queries import list_shipments

    lines = logsitrep(store, as_of=as_of, partner=partner)
    sites = []
    for s in site_summaries(store, lines):
        if s.lat is None or s.lon is None:
            continue
        text = [s.name, site_kind_label(s.kind)]
        if s.people:
            text.append(_("{n} people").format(n=f"{s.people:,}"))
        if s.worst_item:
            text.append(
                _("Fewest days of supply: {item}, {days} days").format(
                    item=s.worst_item, days=_days(s.worst_days)
                )
            )
        if s.reorder:
            text.append(_("{n} items to reorder").format(n=s.reorder))
        if s.shortfall_items:
            text.append(_("{n} items short of need").format(n=s.shortfall_items))
        sites.append(
            {
                "id": s.site_id,
                "name": s.name,
                "kind": s.kind,
                "lat": s.lat,
                "lon": s.lon,
                "level": s.level,
                "lines": text,
            }
        )
    ships = list_shipments(store, partner=partner)
    crossing = {
        a.shipment_id: a
        for a in route_alerts(ships, zones_in_force(list_zones(store, partner=partner)))
    }
    shipments = []
    for s in ships:
        if None in (s.origin_lat, s.origin_lon, s.destination_lat, s.destination_lon):
            continue
        text = [
            f"{s.waybill} · {shipment_status_label(s.status)}",
            f"{s.origin} → {s.destination}",
            mode_label(s.mode)
            + (" · " + _("ETA {dtg}").format(dtg=format_dtg(s.eta)) if s.eta else ""),
        ]
        text += [f"{line.quantity:,} {line.unit} {line.item}" for line in s.lines[:4]]
        if len(s.lines) > 4:
            text.append(_("and {n} more lines").format(n=len(s.lines) - 4))
        alert = crossing.get(s.id)
        if alert is not None:
            text.append(_("Route crosses the no-go zone {zone}").format(zone=alert.zone_name))
        shipments.append(
            {
                "id": s.id,
                "waybill": s.waybill,
                "status": s.status,
                "mode": s.mode,
                "alert": alert is not None,
                "coords": [[s.origin_lat, s.origin_lon], [s.destination_lat, s.destination_lon]],
                "lines": text,
            }
        )
    return message(Op.SUPPLY_RESET, sites=sites, shipments=shipments)
