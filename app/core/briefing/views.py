"""Saved views: the slides of a briefing, stored and synced like any record.

A view is a name, a map extent, what the Layers dock showed (affiliations, zone
kinds, labels...), an optional "as at" time, a speaker note and the tables to
show beside the map.  Every write is one ``writing()`` transaction with change
capture, so sync and the audit view see it; ``Changed(kind="view")`` follows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.core.common.markings import Classification, Releasability, validate_marking
from app.core.events import RecordKind
from app.core.picture.queries import releasable_clause
from app.core.picture.records import ValidationError
from app.core.store.engine import Store, new_id
from app.core.store.models import SavedView
from app.core.store.writing import WriteBatch, tombstone, writing
from app.i18n import _

KIND = RecordKind.VIEW
SUMMARIES = ("tasks", "supply")
"""Tables a slide may show beside its map: tasks by status, supply traffic lights."""
_FIELDS = (
    "name",
    "position",
    "south",
    "west",
    "north",
    "east",
    "layers",
    "as_at",
    "note",
    "summary",
)


@dataclass(frozen=True)
class ViewData:
    """One saved view (slide).  ``layers`` is the Layers dock's state (a dict)."""

    name: str
    south: float
    west: float
    north: float
    east: float
    layers: dict[str, Any] = field(default_factory=dict)
    as_at: datetime | None = None
    note: str = ""
    summary: tuple[str, ...] = ("tasks",)
    position: int | None = None
    classification: str = "UNCLASSIFIED"
    releasable_to: Releasability = field(default_factory=Releasability.public)
    id: str | None = None

    @property
    def bounds(self) -> list[list[float]]:
        return [[self.south, self.west], [self.north, self.east]]

    def validate(self) -> ViewData:
        name = " ".join(str(self.name or "").split())
        if not name:
            raise ValidationError(_("a view needs a name"))
        if len(name) > 200:
            raise ValidationError(_("a view's name is at most 200 characters"))
        for value in (self.south, self.north):
            if not -90.0 <= float(value) <= 90.0:
                raise ValidationError(_("latitude {value} is out of range").format(value=value))
        for value in (self.west, self.east):
            if not -180.0 <= float(value) <= 180.0:
                raise ValidationError(_("longitude {value} is out of range").format(value=value))
        if self.south >= self.north:
            raise ValidationError(_("the view's south edge must be below its north edge"))
        if self.west >= self.east:
            raise ValidationError(_("the view's west edge must be left of its east edge"))
        unknown = [s for s in self.summary if s not in SUMMARIES]
        if unknown:
            raise ValidationError(_("unknown summary '{value}'").format(value=unknown[0]))
        if not isinstance(self.layers, dict):
            raise ValidationError(_("the view's layers must be an object"))
        as_at = self.as_at
        if as_at is not None:
            as_at = as_at.replace(tzinfo=UTC) if as_at.tzinfo is None else as_at.astimezone(UTC)
        cls = str(Classification.parse(self.classification))
        rel = Releasability.parse(self.releasable_to)
        validate_marking(cls, rel)
        return replace(
            self,
            name=name,
            as_at=as_at,
            classification=cls,
            releasable_to=rel,
            south=float(self.south),
            west=float(self.west),
            north=float(self.north),
            east=float(self.east),
        )

    def columns(self) -> dict[str, Any]:
        layers = {k: v for k, v in self.layers.items() if k not in ("op", "labelsText")}
        return {
            "name": self.name,
            "south": self.south,
            "west": self.west,
            "north": self.north,
            "east": self.east,
            "layers": json.dumps(layers, sort_keys=True, separators=(",", ":")),
            "as_at": self.as_at,
            "note": self.note or "",
            "summary": ",".join(self.summary),
            "classification": self.classification,
            "releasable_to": self.releasable_to,
        }


def _row(record: Any) -> ViewData:
    try:
        layers = json.loads(record.layers or "{}")
    except ValueError:
        layers = {}
    return ViewData(
        id=record.id,
        name=record.name,
        position=record.position,
        south=record.south,
        west=record.west,
        north=record.north,
        east=record.east,
        layers=layers if isinstance(layers, dict) else {},
        as_at=record.as_at,
        note=record.note,
        summary=tuple(s for s in (record.summary or "").split(",") if s),
        classification=record.classification,
        releasable_to=record.releasable_to,
    )


def list_views(store: Store, partner: str | None = None) -> list[ViewData]:
    """Live views in slide order; with ``partner`` only those releasable to it."""
    stmt = select(SavedView).where(SavedView.deleted.is_(False))
    if partner:
        stmt = stmt.where(releasable_clause(SavedView.releasable_to, partner))
    with store.session() as session:
        views = [
            _row(r) for r in session.scalars(stmt.order_by(SavedView.position, SavedView.name))
        ]
    if partner:
        views = [v for v in views if v.releasable_to.allows(partner)]
    return views


def find_view(store: Store, name: str) -> ViewData:
    """The live view called ``name`` (case and spacing ignored), or a clear error."""
    wanted = " ".join(name.split()).casefold()
    for view in list_views(store):
        if view.name.casefold() == wanted:
            return view
    raise ValidationError(_("no saved view is called '{name}'").format(name=name))


def save_views(batch: WriteBatch, views: Iterable[ViewData]) -> list[str]:
    """Add or update views (by id) inside an open write batch; each is validated."""
    session = batch.session
    site = batch.store.site.site_id
    ids: list[str] = []
    taken = {
        n.casefold(): i
        for i, n in session.execute(
            select(SavedView.id, SavedView.name).where(SavedView.deleted.is_(False))
        )
    }
    next_position = (
        session.scalar(select(func.max(SavedView.position)).where(SavedView.deleted.is_(False)))
        or 0
    )
    for raw in views:
        view = raw.validate()
        owner = taken.get(view.name.casefold())
        if owner is not None and owner != view.id:
            raise ValidationError(_("a view called '{name}' exists already").format(name=view.name))
        values = view.columns()
        old = session.get(SavedView, view.id) if view.id else None
        if old is None:
            row_id = view.id or new_id()
            if view.position is None:
                next_position += 1
                values["position"] = next_position
            else:
                values["position"] = view.position
                next_position = max(next_position, view.position)
            session.add(
                SavedView(
                    id=row_id,
                    created_at=batch.now,
                    updated_at=batch.now,
                    hlc=batch.hlc,
                    origin_site=site,
                    deleted=False,
                    **values,
                )
            )
            batch.capture(
                SavedView.__tablename__,
                row_id,
                "insert",
                values,
                None,
                values["classification"],
                values["releasable_to"],
            )
            batch.note_added(KIND, (row_id,))
        else:
            row_id = old.id
            if view.position is not None:
                values["position"] = view.position
            changed = {k: v for k, v in values.items() if getattr(old, k) != v}
            if old.deleted:
                changed["deleted"] = False
            if not changed:
                ids.append(row_id)
                continue
            base_hlc = old.hlc
            for key, value in changed.items():
                setattr(old, key, value)
            old.updated_at, old.hlc = batch.now, batch.hlc
            batch.capture(
                SavedView.__tablename__,
                row_id,
                "update",
                changed,
                base_hlc,
                values["classification"],
                values["releasable_to"],
            )
            batch.note_updated(KIND, (row_id,))
        taken[view.name.casefold()] = row_id
        ids.append(row_id)
    session.flush()
    return ids


def add_views(store: Store, views: Iterable[ViewData], initiator: str | None = None) -> list[str]:
    with writing(store, initiator) as batch:
        return save_views(batch, views)


def delete_views(store: Store, ids: Iterable[str], initiator: str | None = None) -> int:
    """Tombstone views (kept for sync, hidden everywhere else)."""
    with writing(store, initiator) as batch:
        return len(tombstone(batch, SavedView, ids, KIND))


def reorder_views(store: Store, ordered_ids: Sequence[str], initiator: str | None = None) -> int:
    """Put the views in this order (1, 2, 3...); only positions that change are written."""
    with writing(store, initiator) as batch:
        changed = 0
        for position, view_id in enumerate(ordered_ids, start=1):
            record = batch.session.get(SavedView, view_id)
            if record is None or record.deleted or record.position == position:
                continue
            base = record.hlc
            record.position = position
            record.updated_at, record.hlc = batch.now, batch.hlc
            batch.capture(
                SavedView.__tablename__,
                view_id,
                "update",
                {"position": position},
                base,
                record.classification,
                record.releasable_to,
            )
            batch.note_updated(KIND, (view_id,))
            changed += 1
        return changed
