"""Read-side queries returning plain rows (no ORM objects leave the store)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, or_, select, type_coerce

from app.core.common.markings import Classification, Releasability
from app.core.store.chunks import READ_CHUNK, chunked
from app.core.store.engine import Store
from app.core.store.models import CrisisZone, SyncChange, Unit

# Big reads fetch this many rows at a time: one fetchall of 20,000 rows holds
# the GIL in C long enough to stall the GUI thread for hundreds of ms.
YIELD_ROWS = 1000


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: str
    name: str
    callsign: str
    nation: str
    affiliation: str
    sidc: str
    echelon: str | None
    readiness: str
    strength: int
    lat: float
    lon: float
    course: float | None
    speed: float | None
    last_report: datetime | None
    stale_after: datetime | None
    remarks: str
    classification: str
    releasable_to: Releasability
    parent_id: str | None = None

    def is_stale(self, now: datetime) -> bool:
        return self.stale_after is not None and self.stale_after < now


@dataclass(frozen=True, slots=True)
class ZoneRow:
    id: str
    name: str
    kind: str
    severity: int
    geometry: dict[str, Any]
    valid_from: datetime | None
    valid_to: datetime | None
    description: str
    classification: str
    releasable_to: Releasability


UNIT_ROW_COLUMNS = (
    Unit.id,
    Unit.name,
    Unit.callsign,
    Unit.nation,
    Unit.affiliation,
    Unit.sidc,
    Unit.echelon,
    Unit.readiness,
    Unit.strength,
    Unit.lat,
    Unit.lon,
    Unit.course,
    Unit.speed,
    Unit.last_report,
    Unit.stale_after,
    Unit.remarks,
    Unit.classification,
    Unit.releasable_to,
    Unit.parent_id,
)


def releasable_clause(column: Any, partner: str) -> Any:
    """SQL filter: rows releasable to ``partner`` (directly, via a bloc, or PUBLIC).

    Checked again in Python by ``Releasability.allows`` wherever records leave.
    """
    from app.core.common.markings import BLOC_MEMBERS

    code = partner.upper()
    blocs = [bloc for bloc, members in BLOC_MEMBERS.items() if code in members]
    codes = {code, "PUBLIC", *blocs}
    text = type_coerce(column, String)
    return or_(*[text.like(f"%,{code},%") for code in sorted(codes)])


def list_units(
    store: Store, ids: Iterable[str] | None = None, partner: str | None = None
) -> list[UnitRow]:
    """Live (not deleted) units, optionally only ``ids`` or only those releasable to ``partner``."""
    base = select(*UNIT_ROW_COLUMNS).where(Unit.deleted.is_(False))
    if partner:
        base = base.where(releasable_clause(Unit.releasable_to, partner))
    rows: list[UnitRow] = []
    with store.session() as session:
        if ids is None:
            rows = [
                UnitRow(*r)
                for r in session.execute(
                    base.order_by(Unit.name).execution_options(yield_per=YIELD_ROWS)
                )
            ]
        else:
            for chunk in chunked(list(ids), READ_CHUNK):
                rows.extend(UnitRow(*r) for r in session.execute(base.where(Unit.id.in_(chunk))))
    if partner:
        rows = [r for r in rows if r.releasable_to.allows(partner)]
    return rows


def removed_ids(store: Store, model: type[Unit] | type[CrisisZone], ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are tombstoned (or gone)."""
    wanted = set(ids)
    alive: set[str] = set()
    with store.session() as session:
        for chunk in chunked(list(wanted), READ_CHUNK):
            alive.update(
                session.scalars(
                    select(model.id).where(model.id.in_(chunk), model.deleted.is_(False))
                )
            )
    return wanted - alive


def changed_units(store: Store, ids: Iterable[str]) -> tuple[list[UnitRow], set[str]]:
    """After a change: the rows of ``ids`` still alive and the ids now removed."""
    wanted = set(ids)
    return list_units(store, wanted), removed_ids(store, Unit, wanted)


def list_zones(
    store: Store, ids: Iterable[str] | None = None, partner: str | None = None
) -> list[ZoneRow]:
    cols = (
        CrisisZone.id,
        CrisisZone.name,
        CrisisZone.kind,
        CrisisZone.severity,
        CrisisZone.geometry,
        CrisisZone.valid_from,
        CrisisZone.valid_to,
        CrisisZone.description,
        CrisisZone.classification,
        CrisisZone.releasable_to,
    )
    base = select(*cols).where(CrisisZone.deleted.is_(False))
    if partner:
        base = base.where(releasable_clause(CrisisZone.releasable_to, partner))
    if ids is not None:
        base = base.where(CrisisZone.id.in_(list(ids)))
    with store.session() as session:
        result = session.execute(base.order_by(CrisisZone.severity.desc(), CrisisZone.name)).all()
    rows = [
        ZoneRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8], r[9])
        for r in result
    ]
    if partner:
        rows = [r for r in rows if r.releasable_to.allows(partner)]
    return rows


def counts(store: Store) -> dict[str, int]:
    with store.session() as session:
        return {
            "units": session.scalar(select(func.count()).where(Unit.deleted.is_(False))) or 0,
            "zones": session.scalar(select(func.count()).where(CrisisZone.deleted.is_(False))) or 0,
            "changes": session.scalar(select(func.count()).select_from(SyncChange)) or 0,
        }


def is_empty(store: Store) -> bool:
    c = counts(store)
    return c["units"] == 0 and c["zones"] == 0


def picture_marking(
    markings: Iterable[tuple[str, Releasability]],
) -> tuple[Classification, Releasability]:
    """The highest classification and the common releasability of what is shown."""
    items = list(markings)
    level = Classification.highest(Classification.parse(c) for c, _ in items)
    rel = Releasability.common(r for _, r in items)
    return level, rel
