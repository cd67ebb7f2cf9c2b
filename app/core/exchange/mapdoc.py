"""Routes as page messages for the map (``resources/map/cop-routes.js``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from app.core.exchange.queries import RouteRow, list_routes
from app.core.mapdoc.protocol import Op, message
from app.core.store.engine import Store


def route_feature(row: RouteRow, now: datetime) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": row.geometry,
        "properties": {
            "name": row.name,
            "description": row.description,
            "waypoints": row.waypoints,
            "stale": row.stale_after is not None and row.stale_after < now,
        },
    }


def routes_reset(store: Store, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return message(Op.ROUTES_RESET, routes=[route_feature(r, now) for r in list_routes(store)])


def routes_delta(store: Store, ids: Iterable[str], now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    wanted = set(ids)
    live = {r.id: route_feature(r, now) for r in list_routes(store, wanted)}
    return message(Op.ROUTES_DELTA, update=list(live.values()), remove=sorted(wanted - live.keys()))
