"""Reading supply records: plain rows for tables, exports and the map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, true

from app.core.common.markings import Releasability
from app.core.store.engine import Store
from app.core.store.models import (
    Presence,
    Shipment,
    ShipmentLine,
    StockMovement,
    SupplyItem,
    SupplyRequest,
    SupplySite,
    SupplyStandard,
)
from app.core.supply.records import DEFAULT_STANDARDS

if TYPE_CHECKING:
    from app.core.supply.indicators import ItemTotal, SiteSummary, StockLine


def _releasable(model: Any, partner: str | None) -> Any:
    from app.core.picture.queries import releasable_clause

    return releasable_clause(model.releasable_to, partner) if partner else true()


@dataclass(frozen=True)
class ItemRow:
    id: str
    code: str
    name: str
    category: str
    unit: str
    pack_name: str
    pack_size: int
    standard: str | None
    kcal_per_unit: int | None
    classification: str
    releasable_to: Releasability


@dataclass(frozen=True)
class SiteRow:
    id: str
    name: str
    kind: str
    lat: float | None
    lon: float | None
    capacity: int | None
    organisation: str
    admin1: str
    country: str
    people_in_need: int | None
    people_targeted: int | None
    classification: str
    releasable_to: Releasability


@dataclass(frozen=True)
class StandardRow:
    key: str
    quantity: Decimal
    unit: str
    note: str
    edited: bool


@dataclass(frozen=True)
class LineRow:
    id: str
    item_id: str
    item: str
    unit: str
    quantity: int
    received: int | None
    discrepancy_reason: str
    request_id: str | None

    @property
    def discrepancy(self) -> int:
        return 0 if self.received is None else self.received - self.quantity


@dataclass(frozen=True)
class ShipmentRow:
    id: str
    waybill: str
    origin_site_id: str | None
    origin: str
    origin_lat: float | None
    origin_lon: float | None
    destination_site_id: str
    destination: str
    destination_lat: float | None
    destination_lon: float | None
    mode: str
    status: str
    departure: datetime | None
    eta: datetime | None
    arrived_at: datetime | None
    note: str
    lines: tuple[LineRow, ...]
    classification: str
    releasable_to: Releasability


@dataclass(frozen=True)
class RequestRow:
    id: str
    site_id: str
    site: str
    item_id: str
    item: str
    unit: str
    quantity: int
    received: int
    priority: str
    required_by: datetime | None
    status: str
    note: str
    created_at: datetime
    classification: str
    releasable_to: Releasability


@dataclass(frozen=True)
class PresenceRow:
    id: str
    organisation: str
    sector: str
    place: str
    admin1: str
    country: str
    in_need: int | None
    affected: int | None
    targeted: int | None
    reached: int | None
    as_of: datetime | None
    classification: str
    releasable_to: Releasability


def list_items(store: Store, partner: str | None = None) -> list[ItemRow]:
    with store.session() as session:
        stmt = (
            select(SupplyItem)
            .where(SupplyItem.deleted.is_(False), _releasable(SupplyItem, partner))
            .order_by(SupplyItem.category, SupplyItem.name)
        )
        return [
            ItemRow(
                i.id,
                i.code,
                i.name,
                i.category,
                i.unit,
                i.pack_name,
                i.pack_size,
                i.standard,
                i.kcal_per_unit,
                i.classification,
                i.releasable_to,
            )
            for i in session.scalars(stmt)
        ]


def list_sites(store: Store, partner: str | None = None) -> list[SiteRow]:
    with store.session() as session:
        stmt = (
            select(SupplySite)
            .where(SupplySite.deleted.is_(False), _releasable(SupplySite, partner))
            .order_by(SupplySite.name)
        )
        return [
            SiteRow(
                s.id,
                s.name,
                s.kind,
                s.lat,
                s.lon,
                s.capacity,
                s.organisation,
                s.admin1,
                s.country,
                s.people_in_need,
                s.people_targeted,
                s.classification,
                s.releasable_to,
            )
            for s in session.scalars(stmt)
        ]


def get_site(store: Store, site_id: str) -> SiteRow | None:
    """One site with every field the site form edits (None if gone or unknown)."""
    return next((s for s in list_sites(store) if s.id == site_id), None)


def list_standards(store: Store) -> list[StandardRow]:
    """The per-person standards in force: the defaults, overridden by edited ones."""
    with store.session() as session:
        edited = {
            s.key: s
            for s in session.scalars(
                select(SupplyStandard).where(SupplyStandard.deleted.is_(False))
            )
        }
    rows = {
        key: StandardRow(key, Decimal(q), unit, note, False)
        for key, (q, unit, note) in DEFAULT_STANDARDS.items()
    }
    for key, s in edited.items():
        rows[key] = StandardRow(key, Decimal(s.quantity), s.unit, s.note, True)
    return [rows[k] for k in sorted(rows)]


def list_shipments(
    store: Store, partner: str | None = None, ids: set[str] | None = None
) -> list[ShipmentRow]:
    with store.session() as session:
        sites = {s.id: s for s in session.scalars(select(SupplySite))}
        items = {i.id: i for i in session.scalars(select(SupplyItem))}
        stmt = select(Shipment).where(Shipment.deleted.is_(False), _releasable(Shipment, partner))
        if ids is not None:
            stmt = stmt.where(Shipment.id.in_(sorted(ids)))
        ships = list(session.scalars(stmt.order_by(Shipment.eta, Shipment.waybill)))
        lines: dict[str, list[LineRow]] = {}
        line_stmt = select(ShipmentLine).where(ShipmentLine.deleted.is_(False))
        if ids is not None:
            line_stmt = line_stmt.where(ShipmentLine.shipment_id.in_(sorted(ids)))
        for line in session.scalars(line_stmt):
            item = items.get(line.item_id)
            lines.setdefault(line.shipment_id, []).append(
                LineRow(
                    line.id,
                    line.item_id,
                    item.name if item else line.item_id,
                    item.unit if item else "",
                    line.quantity,
                    line.received,
                    line.discrepancy_reason,
                    line.request_id,
                )
            )
    out = []
    for s in ships:
        origin = sites.get(s.origin_site_id or "")
        dest = sites.get(s.destination_site_id)
        out.append(
            ShipmentRow(
                s.id,
                s.waybill,
                s.origin_site_id,
                origin.name if origin else s.origin_name,
                origin.lat if origin else None,
                origin.lon if origin else None,
                s.destination_site_id,
                dest.name if dest else s.destination_site_id,
                dest.lat if dest else None,
                dest.lon if dest else None,
                s.mode,
                s.status,
                s.departure,
                s.eta,
                s.arrived_at,
                s.note,
                tuple(lines.get(s.id, ())),
                s.classification,
                s.releasable_to,
            )
        )
    return out


def list_requests(store: Store, partner: str | None = None) -> list[RequestRow]:
    with store.session() as session:
        sites = {i: n for i, n in session.execute(select(SupplySite.id, SupplySite.name))}
        items = {i.id: (i.name, i.unit) for i in session.scalars(select(SupplyItem))}
        received = {
            r: q
            for r, q in session.execute(
                select(ShipmentLine.request_id, func.coalesce(func.sum(ShipmentLine.received), 0))
                .where(ShipmentLine.request_id.is_not(None), ShipmentLine.deleted.is_(False))
                .group_by(ShipmentLine.request_id)
            )
        }
        stmt = (
            select(SupplyRequest)
            .where(SupplyRequest.deleted.is_(False), _releasable(SupplyRequest, partner))
            .order_by(SupplyRequest.required_by, SupplyRequest.created_at)
        )
        out = []
        for r in session.scalars(stmt):
            name, unit = items.get(r.item_id, (r.item_id, ""))
            out.append(
                RequestRow(
                    r.id,
                    r.site_id,
                    sites.get(r.site_id, r.site_id),
                    r.item_id,
                    name,
                    unit,
                    r.quantity,
                    int(received.get(r.id, 0) or 0),
                    r.priority,
                    r.required_by,
                    r.status,
                    r.note,
                    r.created_at,
                    r.classification,
                    r.releasable_to,
                )
            )
        return out


def list_presence(store: Store, partner: str | None = None) -> list[PresenceRow]:
    with store.session() as session:
        stmt = (
            select(Presence)
            .where(Presence.deleted.is_(False), _releasable(Presence, partner))
            .order_by(Presence.admin1, Presence.place, Presence.organisation)
        )
        return [
            PresenceRow(
                p.id,
                p.organisation,
                p.sector,
                p.place,
                p.admin1,
                p.country,
                p.in_need,
                p.affected,
                p.targeted,
                p.reached,
                p.as_of,
                p.classification,
                p.releasable_to,
            )
            for p in session.scalars(stmt)
        ]


def count_supply(store: Store) -> dict[str, int]:
    with store.session() as session:
        return {
            "sites": session.scalar(
                select(func.count()).select_from(SupplySite).where(SupplySite.deleted.is_(False))
            )
            or 0,
            "items": session.scalar(
                select(func.count()).select_from(SupplyItem).where(SupplyItem.deleted.is_(False))
            )
            or 0,
            "movements": session.scalar(select(func.count()).select_from(StockMovement)) or 0,
            "shipments": session.scalar(
                select(func.count()).select_from(Shipment).where(Shipment.deleted.is_(False))
            )
            or 0,
        }


def logsitrep_report(
    store: Store, window_days: int = 14, horizon_days: int = 30, partner: str | None = None
) -> list[dict[str, Any]]:
    """The LOGSITREP rows as the report writes them (the CLI and the dock call this)."""
    from app.core.supply.indicators import logsitrep

    return [
        line.report()
        for line in logsitrep(
            store, window_days=window_days, horizon_days=horizon_days, partner=partner
        )
    ]


@dataclass
class SupplyOverview:
    """Everything the Supply dock shows, read at once."""

    lines: list[StockLine]
    sites: list[SiteSummary]
    items: list[ItemRow]
    totals: list[ItemTotal]
    standards: list[StandardRow]
    shipments: list[ShipmentRow]
    requests: list[RequestRow]
    presence: list[PresenceRow]
    map_message: dict[str, Any]


def supply_overview(store: Store, as_of: datetime | None = None) -> SupplyOverview:
    """Sites, stock, items, standards, shipments, requests, presence and the map's
    supply layer; with ``as_of``, stock as it was then (the ledger up to that time)."""
    from app.core.supply.indicators import logsitrep, operation_totals, site_summaries
    from app.core.supply.mapdoc import supply_message

    lines = logsitrep(store, as_of=as_of)
    return SupplyOverview(
        lines,
        site_summaries(store, lines),
        list_items(store),
        operation_totals(lines),
        list_standards(store),
        list_shipments(store),
        list_requests(store),
        list_presence(store),
        supply_message(store, as_of=as_of),
    )
