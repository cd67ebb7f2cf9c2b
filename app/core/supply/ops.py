"""Core write operations on supply records.  Like ``ops``: every write goes
through a ``writing()`` batch, captures one ``sync_change`` row per change and
publishes ``Changed`` after the commit.

The stock ledger is append-only: ``record_movements`` inserts rows and never
updates one.  Stock on hand is the sum of a site's movements of an item, and
an issue or a transfer out that would take it below zero is refused; only an
explicit adjustment (with a reason) may.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from app.core.common.markings import Releasability
from app.core.events import RecordKind
from app.core.picture.records import ValidationError
from app.core.store.chunks import chunked
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
from app.core.store.writing import WriteBatch, tombstone, upsert_records, writing
from app.core.supply.records import (
    DEFAULT_STANDARDS,
    OUTGOING,
    ItemData,
    LineData,
    MovementData,
    PresenceData,
    RequestData,
    ShipmentData,
    SiteData,
    parse_quantity,
    parse_standard,
    shipment_status_label,
)
from app.i18n import _

# the ``Changed.kind`` of each supply record
KINDS: dict[Any, RecordKind] = {
    SupplyItem: RecordKind.SUPPLY_ITEM,
    SupplySite: RecordKind.SUPPLY_SITE,
    SupplyStandard: RecordKind.SUPPLY_STANDARD,
    StockMovement: RecordKind.STOCK,
    Shipment: RecordKind.SHIPMENT,
    ShipmentLine: RecordKind.SHIPMENT,
    SupplyRequest: RecordKind.SUPPLY_REQUEST,
    Presence: RecordKind.PRESENCE,
}
SUPPLY_KINDS = frozenset(KINDS.values())
_LEDGER = cast(Table, StockMovement.__table__)

M = TypeVar("M")


class LedgerError(ValidationError):
    """A movement would take stock below zero (or names nothing known)."""


def _with_index(exc: ValidationError, index: int) -> ValidationError:
    """Mark which record of a call was refused (an import names its row)."""
    exc.record_index = index  # type: ignore[attr-defined]
    return exc


def _upsert(
    batch: WriteBatch, model: Any, rows: Sequence[tuple[str | None, dict[str, Any]]]
) -> list[str]:
    """``ops.upsert_records`` under the supply kinds, alike rows inserted together."""
    return upsert_records(batch, model, rows, kind=KINDS[model], group_nulls=True)


def _validated(items: Iterable[M]) -> list[M]:
    out = list(items)
    for index, item in enumerate(out):
        try:
            item.validate()  # type: ignore[attr-defined]
        except ValidationError as exc:
            raise _with_index(exc, index) from None
    return out


# ------------------------------------------------------------------ reference data
def save_items(batch: WriteBatch, items: Iterable[ItemData]) -> list[str]:
    """Add or update catalogue items; an item without an id takes the id of the item with its code."""
    rows = _validated(items)
    codes = [i.code for i in rows]
    known: dict[str, str] = {}
    for chunk in chunked(codes):
        known.update(
            (c, i)
            for c, i in batch.session.execute(
                select(SupplyItem.code, SupplyItem.id).where(SupplyItem.code.in_(chunk))
            )
        )
    seen: set[str] = set()
    for index, item in enumerate(rows):
        if item.code in seen:
            raise _with_index(
                ValidationError(_("item code '{code}' is given twice").format(code=item.code)),
                index,
            )
        seen.add(item.code)
        holder = known.get(item.code)
        if item.id is None:
            item.id = holder
        elif holder is not None and holder != item.id:
            raise _with_index(
                ValidationError(
                    _("item code '{code}' is already used by another item").format(code=item.code)
                ),
                index,
            )
    return _upsert(batch, SupplyItem, [(i.id, i.columns()) for i in rows])


def save_sites(batch: WriteBatch, sites: Iterable[SiteData]) -> list[str]:
    rows = _validated(sites)
    return _upsert(batch, SupplySite, [(s.id, s.columns()) for s in rows])


def save_requests(batch: WriteBatch, requests: Iterable[RequestData]) -> list[str]:
    rows = _validated(requests)
    _check_refs(batch.session, [(r.site_id, r.item_id) for r in rows])
    return _upsert(batch, SupplyRequest, [(r.id, r.columns()) for r in rows])


def save_presence(batch: WriteBatch, rows: Iterable[PresenceData]) -> list[str]:
    items = _validated(rows)
    return _upsert(batch, Presence, [(p.id, p.columns()) for p in items])


def set_standard(
    store: Store,
    key: str,
    quantity: Any,
    unit: str | None = None,
    note: str | None = None,
    initiator: str | None = None,
) -> str:
    """Change a per-person daily standard (``water``, ``food``, or a new key)."""
    key = str(key or "").strip().lower()
    if not key:
        raise ValidationError(_("a standard needs a name"))
    amount = parse_standard(quantity)
    default = DEFAULT_STANDARDS.get(key)
    with writing(store, initiator) as batch:
        old = batch.session.scalar(select(SupplyStandard).where(SupplyStandard.key == key))
        unit = (unit or (old.unit if old else None) or (default[1] if default else "")).strip()
        if not unit:
            raise ValidationError(_("a standard needs a unit"))
        values = {
            "key": key,
            "quantity": str(amount),
            "unit": unit,
            "note": note
            if note is not None
            else (old.note if old else (default[2] if default else "")),
            "classification": "UNCLASSIFIED",
            "releasable_to": Releasability.parse("PUBLIC"),
        }
        return _upsert(batch, SupplyStandard, [(old.id if old else None, values)])[0]


def add_items(store: Store, items: Iterable[ItemData], initiator: str | None = None) -> list[str]:
    with writing(store, initiator) as batch:
        return save_items(batch, items)


def add_sites(store: Store, sites: Iterable[SiteData], initiator: str | None = None) -> list[str]:
    with writing(store, initiator) as batch:
        return save_sites(batch, sites)


def add_requests(
    store: Store, requests: Iterable[RequestData], initiator: str | None = None
) -> list[str]:
    with writing(store, initiator) as batch:
        return save_requests(batch, requests)


def add_presence(
    store: Store, rows: Iterable[PresenceData], initiator: str | None = None
) -> list[str]:
    with writing(store, initiator) as batch:
        return save_presence(batch, rows)


# ------------------------------------------------------------------ the ledger
def _check_refs(session: Session, pairs: Sequence[tuple[str, str]]) -> None:
    sites = {s for s, _i in pairs}
    items = {i for _s, i in pairs}
    live_sites: set[str] = set()
    live_items: set[str] = set()
    for chunk in chunked(sorted(sites)):
        live_sites.update(
            session.scalars(
                select(SupplySite.id).where(SupplySite.id.in_(chunk), SupplySite.deleted.is_(False))
            )
        )
    for chunk in chunked(sorted(items)):
        live_items.update(
            session.scalars(
                select(SupplyItem.id).where(SupplyItem.id.in_(chunk), SupplyItem.deleted.is_(False))
            )
        )
    for index, (site, item) in enumerate(pairs):
        if site not in live_sites:
            raise _with_index(LedgerError(_("there is no site '{id}'").format(id=site)), index)
        if item not in live_items:
            raise _with_index(LedgerError(_("there is no item '{id}'").format(id=item)), index)


def on_hand(session: Session, site_ids: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    """Stock on hand per (site, item): the sum of the ledger."""
    stmt = select(
        StockMovement.site_id, StockMovement.item_id, func.sum(StockMovement.quantity)
    ).group_by(StockMovement.site_id, StockMovement.item_id)
    result: dict[tuple[str, str], int] = {}
    if site_ids is None:
        return {(s, i): int(q or 0) for s, i, q in session.execute(stmt)}
    for chunk in chunked(sorted(set(site_ids))):
        for s, i, q in session.execute(stmt.where(StockMovement.site_id.in_(chunk))):
            result[(s, i)] = int(q or 0)
    return result


def _names(session: Session, site_id: str, item_id: str) -> tuple[str, str, str]:
    site = session.get(SupplySite, site_id)
    item = session.get(SupplyItem, item_id)
    return (
        site.name if site else site_id,
        item.name if item else item_id,
        item.unit if item else "",
    )


def record_movements(
    batch: WriteBatch, movements: Iterable[MovementData], checked: bool = False
) -> list[str]:
    """Append movements to the ledger inside an open batch; returns their ids.

    Refuses (``LedgerError`` with ``record_index``) a movement naming an unknown
    site or item, and an issue or transfer out that would take stock on hand
    below zero; an adjustment may.  ``checked``: the caller validated them.
    """
    rows = list(movements) if checked else _validated(movements)
    if not rows:
        return []
    session = batch.session
    _check_refs(session, [(m.site_id, m.item_id) for m in rows])
    balance = on_hand(session, {m.site_id for m in rows})
    for index, move in enumerate(rows):
        key = (move.site_id, move.item_id)
        before = balance.get(key, 0)
        after = before + move.signed
        if move.kind in OUTGOING and after < 0:
            site, item, unit = _names(session, *key)
            raise _with_index(
                LedgerError(
                    _(
                        "only {on_hand} {unit} of {item} on hand at {site}: cannot take out {quantity}"
                    ).format(
                        on_hand=before, unit=unit, item=item, site=site, quantity=move.quantity
                    )
                ),
                index,
            )
        balance[key] = after
    _insert_ledger(batch, rows)
    return [m.id for m in rows if m.id]


def new_ids(count: int) -> list[str]:
    """``count`` UUIDv7 ids at once, in order (``new_id`` costs ~5 µs each; this well under 1 µs)."""
    import os
    import time as _time

    ms = _time.time_ns() // 1_000_000
    noise = os.urandom(8 * count).hex()
    out = []
    for k in range(count):
        head = f"{((ms + (k >> 12)) << 16) | (0x7 << 12) | (k & 0xFFF):016x}"
        tail = noise[16 * k : 16 * k + 16]
        # the variant (binary 10) in the top bits of the tail
        out.append(
            f"{head[:8]}-{head[8:12]}-{head[12:]}-{'89ab'[int(tail[0], 16) & 3]}{tail[1:4]}-{tail[4:]}"
        )
    return out


_LEDGER_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "hlc",
    "origin_site",
    "deleted",
    "classification",
    "releasable_to",
    "site_id",
    "item_id",
    "at",
    "kind",
    "quantity",
    "reason",
    "lot",
    "expiry",
    "shipment_id",
    "note",
)

# one ledger row before it is stored: site, item, kind, signed quantity, at, reason, lot,
# expiry, shipment, note, classification, releasability
LedgerRow = tuple[
    str, str, str, int, "datetime | None", str, str, "datetime | None", "str | None", str, str, Any
]


def _insert_ledger(batch: WriteBatch, rows: Sequence[MovementData]) -> None:
    """Insert checked movements (one executemany) and capture each as an insert."""
    missing = [m for m in rows if not m.id]
    for move, rid in zip(missing, new_ids(len(missing)), strict=True):
        move.id = rid
    if batch.session.connection().dialect.name != "sqlite":
        now, site = batch.now, batch.store.site.site_id
        records: list[dict[str, Any]] = []
        for move in rows:
            fields = _ledger_fields(move, move.at or now)
            records.append(
                {
                    "id": move.id,
                    "created_at": now,
                    "updated_at": now,
                    "hlc": batch.hlc,
                    "origin_site": site,
                    "deleted": False,
                    **fields,
                }
            )
            batch.capture(
                StockMovement.__tablename__,
                move.id or "",
                "insert",
                fields,
                None,
                move.classification,
                move.releasable_to,  # type: ignore[arg-type]
            )
            batch.note_added(RecordKind.STOCK, (move.id or "",))
        batch.session.execute(_LEDGER.insert(), records)
        return
    insert_ledger_rows(
        batch,
        [
            (
                m.site_id,
                m.item_id,
                m.kind,
                m.signed,
                m.at,
                m.reason,
                m.lot,
                m.expiry,
                m.shipment_id,
                m.note,
                m.classification,
                m.releasable_to,
            )
            for m in rows
        ],
        [m.id or "" for m in rows],
    )


def insert_ledger_rows(
    batch: WriteBatch, rows: Sequence[LedgerRow], ids: Sequence[str] | None = None
) -> list[str]:
    """Insert ledger rows that were already checked, and capture each as an insert.

    Ledger rows come by the hundred thousand from an import, so on SQLite the rows
    and their change-log JSON are built as plain tuples and text (the part of the
    JSON after the quantity is the same for a whole import, and made once).
    """
    ids = list(ids) if ids is not None else new_ids(len(rows))
    if not rows:
        return ids
    if batch.session.connection().dialect.name != "sqlite":
        moves = [
            MovementData(
                site_id=r[0],
                item_id=r[1],
                kind=r[2],
                quantity=r[3] if r[2] == "adjustment" else abs(r[3]),
                at=r[4],
                reason=r[5],
                lot=r[6],
                expiry=r[7],
                shipment_id=r[8],
                note=r[9],
                classification=r[10],
                releasable_to=r[11],
                id=rid,
            )
            for r, rid in zip(rows, ids, strict=True)
        ]
        _insert_ledger(batch, moves)
        return ids
    from app.core.common.times import sqlite_time

    dumps = json.dumps
    now = batch.now
    site, hlc = batch.store.site.site_id, batch.hlc
    times: dict[Any, tuple[str, str]] = {}
    tails: dict[tuple[Any, ...], tuple[str, str]] = {}
    keep: list[Any] = []  # the objects whose id() keys ``tails``

    def when(value: datetime | None) -> tuple[str, str]:
        pair = times.get(value)
        if pair is None:
            pair = times[value] = (sqlite_time(value), value.isoformat()) if value else ("", "")
        return pair

    now_text = sqlite_time(now)
    table = StockMovement.__tablename__
    tuples = []
    changes = batch.changes
    for rid, (
        site_id,
        item_id,
        kind,
        signed,
        at,
        reason,
        lot,
        expiry,
        shipment,
        note,
        level,
        rel,
    ) in zip(ids, rows, strict=True):
        key = (reason, lot, expiry, shipment, note, level, id(rel))
        tail = tails.get(key)
        if tail is None:
            parsed = rel if isinstance(rel, Releasability) else Releasability.parse(rel)
            keep.append(rel)
            exp_text, exp_iso = when(expiry)
            tail = tails[key] = (
                parsed.to_storage(),
                f'"reason":{dumps(reason)},"lot":{dumps(lot)},"expiry":{dumps(exp_iso) if exp_iso else "null"},'
                f'"shipment_id":{dumps(shipment) if shipment else "null"},"note":{dumps(note)},'
                f'"classification":{dumps(level)},"releasable_to":{dumps(parsed.codes_list())}}}',
                exp_text or None,
            )
        at = at or now
        pair = times.get(at)
        at_text, at_iso = pair if pair is not None else when(at)
        tuples.append(
            (
                rid,
                now_text,
                now_text,
                hlc,
                site,
                0,
                level,
                tail[0],
                site_id,
                item_id,
                at_text,
                kind,
                signed,
                reason,
                lot,
                tail[2],
                shipment,
                note,
            )
        )
        changes.append(
            (
                table,
                rid,
                "insert",
                None,
                f'{{"site_id":"{site_id}","item_id":"{item_id}","at":"{at_iso}","kind":"{kind}","quantity":{signed},'
                f"{tail[1]}",
                level,
                tail[0],
            )
        )
    batch.note_added(RecordKind.STOCK, ids)
    batch.session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(_LEDGER_COLUMNS)}) VALUES ({', '.join('?' * len(_LEDGER_COLUMNS))})",
        tuples,
    )
    return ids


def _ledger_fields(move: MovementData, at: datetime) -> dict[str, Any]:
    return {
        "site_id": move.site_id,
        "item_id": move.item_id,
        "at": at,
        "kind": move.kind,
        "quantity": move.signed,
        "reason": move.reason,
        "lot": move.lot,
        "expiry": move.expiry,
        "shipment_id": move.shipment_id,
        "note": move.note,
        "classification": move.classification,
        "releasable_to": move.releasable_to,
    }


def transfer_stock(
    store: Store,
    origin_site_id: str,
    destination_site_id: str,
    item_id: str,
    quantity: Any,
    at: datetime | None = None,
    note: str = "",
    initiator: str | None = None,
) -> list[str]:
    """Move stock between two sites at once (a transfer out and a transfer in, one transaction)."""
    if origin_site_id == destination_site_id:
        raise ValidationError(_("a transfer needs two different sites"))
    amount = parse_quantity(quantity)
    return add_movements(
        store,
        [
            MovementData(
                site_id=origin_site_id,
                item_id=item_id,
                kind="transfer_out",
                quantity=amount,
                at=at,
                note=note,
            ),
            MovementData(
                site_id=destination_site_id,
                item_id=item_id,
                kind="transfer_in",
                quantity=amount,
                at=at,
                note=note,
            ),
        ],
        initiator,
    )


def add_movements(
    store: Store, movements: Iterable[MovementData], initiator: str | None = None
) -> list[str]:
    """Append movements to the ledger in one transaction (see ``record_movements``)."""
    with writing(store, initiator) as batch:
        return record_movements(batch, movements)


# ------------------------------------------------------------------ shipments
def _marking(data: Any) -> dict[str, Any]:
    return {"classification": data.classification, "releasable_to": data.releasable_to}


def save_shipments(
    batch: WriteBatch, shipments: Iterable[ShipmentData], at: datetime | None = None
) -> list[str]:
    """Add shipments (or replace a planned one's details and lines).

    A new shipment given as in transit or arrived goes through the same steps as
    one moved there later (dispatch from the origin's stock, receipt at the
    destination), so the ledger always agrees with the shipments.
    """
    items = _validated(shipments)
    session = batch.session
    result: list[str] = []
    for index, data in enumerate(items):
        try:
            sites = [data.destination_site_id] + (
                [data.origin_site_id] if data.origin_site_id else []
            )
            _check_refs(session, [(s, line.item_id) for s in sites for line in data.lines])
            holder = session.scalar(select(Shipment.id).where(Shipment.waybill == data.waybill))
            if holder is not None and holder != data.id:
                raise ValidationError(
                    _("waybill '{waybill}' is already used").format(waybill=data.waybill)
                )
            old = session.get(Shipment, data.id) if data.id else None
            target = data.status
            if old is not None and old.status != "planned":
                raise ValidationError(
                    _(
                        "shipment {waybill} is {status}: only a planned shipment can be edited"
                    ).format(waybill=old.waybill, status=shipment_status_label(old.status))
                )
            values = data.columns()
            values["status"] = "planned"
            values["arrived_at"] = None
            shipment_id = _upsert(batch, Shipment, [(data.id, values)])[0]
            data.id = shipment_id
            if old is not None:
                old_lines = session.execute(
                    select(ShipmentLine.id, ShipmentLine.hlc).where(
                        ShipmentLine.shipment_id == shipment_id, ShipmentLine.deleted.is_(False)
                    )
                ).all()
                for line_id, line_hlc in old_lines:
                    batch.capture(
                        ShipmentLine.__tablename__,
                        line_id,
                        "delete",
                        {"deleted": True},
                        line_hlc,
                        data.classification,
                        data.releasable_to,  # type: ignore[arg-type]
                    )
                if old_lines:
                    session.execute(
                        update(ShipmentLine),
                        [
                            {"id": lid, "deleted": True, "updated_at": batch.now, "hlc": batch.hlc}
                            for lid, _h in old_lines
                        ],
                    )
            line_rows = [
                (
                    line.id,
                    {
                        "shipment_id": shipment_id,
                        "item_id": line.item_id,
                        "quantity": line.quantity,
                        "received": None,
                        "discrepancy_reason": "",
                        "lot": line.lot,
                        "expiry": line.expiry,
                        "request_id": line.request_id,
                        **_marking(data),
                    },
                )
                for line in data.lines
            ]
            for line, line_id in zip(
                data.lines, _upsert(batch, ShipmentLine, line_rows), strict=True
            ):
                line.id = line_id
            if target != "planned":
                received = {
                    line.id: line.received
                    for line in data.lines
                    if line.id and line.received is not None
                }
                reasons = {line.id: line.discrepancy_reason for line in data.lines if line.id}
                when = (data.arrived_at if target == "arrived" else None) or at or batch.now
                _transition(batch, shipment_id, target, when, received, reasons)
        except ValidationError as exc:
            raise _with_index(exc, index) from None
        result.append(shipment_id)
    return result


def add_shipments(
    store: Store, shipments: Iterable[ShipmentData], initiator: str | None = None
) -> list[str]:
    with writing(store, initiator) as batch:
        return save_shipments(batch, shipments)


ALLOWED_MOVES = {
    "planned": ("in_transit", "arrived", "cancelled"),
    "in_transit": ("arrived", "cancelled"),
    "arrived": (),
    "cancelled": (),
}


_SHIPMENT_LEDGER = uuid.UUID("6b1f4c0e-9a53-4f0e-8d0e-2f5c3a7b9e11")


def _shipment_move_id(shipment_id: str, line_id: str, event: str) -> str:
    """The ledger row a shipment event writes for one line has the same id at every
    site: two sites that both receive a shipment write one row, which sync merges,
    not two that would count the goods twice."""
    return str(uuid.uuid5(_SHIPMENT_LEDGER, f"{shipment_id}/{line_id}/{event}"))


def _transition(
    batch: WriteBatch,
    shipment_id: str,
    target: str,
    at: datetime,
    received: dict[str, int | None] | None = None,
    reasons: dict[str, str] | None = None,
) -> None:
    session = batch.session
    ship = session.get(Shipment, shipment_id)
    if ship is None or ship.deleted:
        raise ValidationError(_("there is no shipment '{id}'").format(id=shipment_id))
    if target == ship.status:
        return
    if target not in ALLOWED_MOVES.get(ship.status, ()):
        raise ValidationError(
            _("shipment {waybill} is {status}: it cannot become {target}").format(
                waybill=ship.waybill,
                status=shipment_status_label(ship.status),
                target=shipment_status_label(target),
            )
        )
    lines = list(
        session.scalars(
            select(ShipmentLine).where(
                ShipmentLine.shipment_id == shipment_id, ShipmentLine.deleted.is_(False)
            )
        )
    )
    marks = {"classification": ship.classification, "releasable_to": ship.releasable_to}
    moves: list[MovementData] = []
    changes: dict[str, Any] = {"status": target}
    departure = ship.departure or at
    if ship.status == "planned" and target in ("in_transit", "arrived") and ship.origin_site_id:
        moves += [
            MovementData(
                site_id=ship.origin_site_id,
                item_id=line.item_id,
                kind="transfer_out",
                quantity=line.quantity,
                at=departure,
                lot=line.lot,
                expiry=line.expiry,
                shipment_id=ship.id,
                note=ship.waybill,
                id=_shipment_move_id(ship.id, line.id, "dispatch"),
                **marks,
            )
            for line in lines
        ]
        if ship.departure is None:
            changes["departure"] = departure
    if target == "arrived":
        arrived = ship.arrived_at or at
        changes["arrived_at"] = arrived
        received = received or {}
        reasons = reasons or {}
        line_updates: list[tuple[ShipmentLine, dict[str, Any]]] = []
        for line in lines:
            got = received.get(line.id)
            got = line.quantity if got is None else parse_quantity(got, _("quantity received"))
            reason = (reasons.get(line.id) or "").strip()
            if got != line.quantity and not reason:
                reason = "short" if got < line.quantity else "over"
            line_updates.append(
                (
                    line,
                    {"received": got, "discrepancy_reason": reason if got != line.quantity else ""},
                )
            )
            if got:
                moves.append(
                    MovementData(
                        site_id=ship.destination_site_id,
                        item_id=line.item_id,
                        kind="transfer_in" if ship.origin_site_id else "receipt",
                        quantity=got,
                        at=arrived,
                        lot=line.lot,
                        expiry=line.expiry,
                        shipment_id=ship.id,
                        note=ship.waybill,
                        id=_shipment_move_id(ship.id, line.id, "receive"),
                        **marks,
                    )
                )
        for line, values in line_updates:
            _update(batch, ShipmentLine, line, values)
    if target == "cancelled" and ship.status == "in_transit" and ship.origin_site_id:
        moves += [
            MovementData(
                site_id=ship.origin_site_id,
                item_id=line.item_id,
                kind="transfer_in",
                quantity=line.quantity,
                at=at,
                lot=line.lot,
                expiry=line.expiry,
                shipment_id=ship.id,
                note=_("{waybill} cancelled").format(waybill=ship.waybill),
                id=_shipment_move_id(ship.id, line.id, "return"),
                **marks,
            )
            for line in lines
        ]
    if moves:
        try:
            record_movements(batch, moves)
        except LedgerError as exc:
            raise LedgerError(f"{ship.waybill}: {exc}") from None
    _update(batch, Shipment, ship, changes)
    if target == "arrived":
        _update_requests(batch, [line.request_id for line in lines if line.request_id])


def _update(batch: WriteBatch, model: Any, record: Any, values: dict[str, Any]) -> None:
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    if not changed:
        return
    batch.capture(
        model.__tablename__,
        record.id,
        "update",
        changed,
        record.hlc,
        record.classification,
        record.releasable_to,
    )
    batch.session.execute(
        update(model), [{"id": record.id, "updated_at": batch.now, "hlc": batch.hlc, **changed}]
    )
    batch.session.expire(record)
    batch.note_updated(KINDS[model], (record.id,))


def _update_requests(batch: WriteBatch, request_ids: Sequence[str]) -> None:
    """A request is fulfilled once the shipments made for it brought its quantity."""
    session = batch.session
    for request_id in sorted(set(request_ids)):
        request = session.get(SupplyRequest, request_id)
        if request is None or request.deleted or request.status == "cancelled":
            continue
        got = session.scalar(
            select(func.coalesce(func.sum(ShipmentLine.received), 0)).where(
                ShipmentLine.request_id == request_id, ShipmentLine.deleted.is_(False)
            )
        )
        status = "fulfilled" if got >= request.quantity else ("partial" if got else "open")
        _update(batch, SupplyRequest, request, {"status": status})


def set_shipment_status(
    store: Store,
    shipment_id: str,
    status: str,
    at: datetime | None = None,
    received: dict[str, int | None] | None = None,
    reasons: dict[str, str] | None = None,
    initiator: str | None = None,
) -> None:
    """Dispatch, receive or cancel a shipment in one transaction.

    Dispatch (planned -> in transit) takes the lines out of the origin's stock;
    arrival writes the received quantities (by line id; default: as sent) into
    the destination's stock and records any discrepancy; cancelling a shipment
    in transit puts its lines back at the origin.
    """
    with writing(store, initiator) as batch:
        _transition(batch, shipment_id, status, at or batch.now, received, reasons)


def receive_shipment(
    store: Store,
    shipment_id: str,
    received: dict[str, int | None] | None = None,
    reasons: dict[str, str] | None = None,
    at: datetime | None = None,
    initiator: str | None = None,
) -> None:
    set_shipment_status(store, shipment_id, "arrived", at, received, reasons, initiator)


def shipment_lines_data(store: Store, shipment_id: str) -> list[LineData]:
    with store.session() as session:
        return [
            LineData(
                item_id=line.item_id,
                quantity=line.quantity,
                received=line.received,
                lot=line.lot,
                expiry=line.expiry,
                request_id=line.request_id,
                id=line.id,
            )
            for line in session.scalars(
                select(ShipmentLine).where(
                    ShipmentLine.shipment_id == shipment_id, ShipmentLine.deleted.is_(False)
                )
            )
        ]


def delete_supply_records(
    store: Store, model: Any, ids: Iterable[str], initiator: str | None = None
) -> int:
    """Tombstone sites, items, requests or presence rows (never ledger rows)."""
    if model is StockMovement:
        raise ValidationError(_("the stock ledger is append-only: record an adjustment instead"))
    with writing(store, initiator) as batch:
        return len(tombstone(batch, model, ids, KINDS[model]))
