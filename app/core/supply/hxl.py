"""HXL in and out (libhxl): stock, needs and 3W presence tables, and the LOGSITREP.

Import reads what partners send: junk rows above the hashtag row, untagged
columns, attributes (``#targeted+f``), UTF-8 or Latin-1, dates in any common
form.  The kind of table comes from its tags (``#item`` makes it stock, or
needs when the quantity is ``+needed``/``+required`` or people in need are
given; organisations and places without ``#item`` make it presence) or is
given.  An empty cell is a missing value; a cell holding something invalid
refuses the whole file with its row number (the spreadsheet row), and nothing
is stored.

* stock: ``#loc`` (site), ``#item`` (``+code`` or ``+name``), ``#quantity`` or
  ``#value`` (counted on hand, in the item's unit or in its packs), optional
  ``#item+unit``, ``#date``, ``#geo+lat``/``#geo+lon``, ``#adm1``, ``#country``,
  ``#org``.  Each row is a stock count: the ledger gets an adjustment (reason
  ``count``) of the difference, so importing the same file twice changes nothing.
* needs: ``#loc``, ``#item``, ``#quantity+needed``, ``#date`` (required by),
  ``#meta+priority``: requests, matched by site, item and date.
* presence: ``#org``, ``#sector``, ``#loc``, ``#adm1``, ``#country``,
  ``#inneed``, ``#affected``, ``#targeted``, ``#reached``, ``#date``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.common.markings import Releasability
from app.core.formats.cells import escape_cell
from app.core.formats.errors import InteropError, read_limited
from app.core.picture.records import ValidationError
from app.core.store.chunks import chunked
from app.core.store.engine import Store, new_id
from app.core.store.models import Presence, SupplyItem, SupplyRequest, SupplySite
from app.core.store.writing import writing
from app.core.supply.ops import (
    insert_ledger_rows,
    on_hand,
    save_presence,
    save_requests,
    save_sites,
)
from app.core.supply.records import (
    PresenceData,
    RequestData,
    SiteData,
    parse_date,
    parse_quantity,
)
from app.i18n import _

KINDS = ("stock", "needs", "presence")
MAX_BYTES = 256 * 1024 * 1024
_NEED_ATTRS = frozenset({"needed", "need", "required", "requested", "req"})


@dataclass(frozen=True)
class HxlImportResult:
    path: Path
    kind: str
    rows: int
    records: int

    def __str__(self) -> str:
        return _("Imported {rows} rows of {kind} from {name} ({records} records written)").format(
            rows=self.rows, kind=kind_label(self.kind), name=self.path.name, records=self.records
        )


def kind_label(kind: str) -> str:
    return {"stock": _("stock"), "needs": _("needs"), "presence": _("presence")}.get(kind, kind)


# ------------------------------------------------------------------ reading
@dataclass
class Table:
    tags: list[tuple[str | None, frozenset[str]]]  # per column: tag, attributes
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cell values)

    def columns(self, tag: str) -> list[tuple[int, frozenset[str]]]:
        return [(n, attrs) for n, (t, attrs) in enumerate(self.tags) if t == tag]

    def find(self, tag: str, want: Sequence[str] = (), avoid: Sequence[str] = ()) -> int | None:
        """The column of ``tag`` having all ``want`` attributes and none of ``avoid``."""
        for n, attrs in self.columns(tag):
            if all(a in attrs for a in want) and not any(a in attrs for a in avoid):
                return n
        return None

    def has(self, tag: str) -> bool:
        return any(t == tag for t, _a in self.tags)


def _encoding(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def read_table(path: Path) -> Table:
    """The tag row and every data row of an HXL file; InteropError when it has no tag row."""
    import hxl
    import hxl.input
    import hxl.model
    from hxl.input import HXLTagsNotFoundException

    raw = read_limited(path, MAX_BYTES)
    encoding = _encoding(raw)
    del raw
    # libhxl reads the file and finds the hashtag row (Column.parse_list, as hxl.data
    # does); the data rows are then taken as the plain lists libhxl's input yields,
    # without a Row object each (that alone halves the time of a 100,000-row file)
    try:
        with hxl.input.make_input(
            str(path), hxl.InputOptions(allow_local=True, encoding=encoding)
        ) as source:
            rows_in = iter(source)
            previous: list[str] = []
            columns = None
            tag_line = 0
            for number in range(1, 26):
                try:
                    raw_row = next(rows_in)
                except StopIteration:
                    break
                columns = hxl.model.Column.parse_list(raw_row, previous)
                if columns is not None:
                    tag_line = number
                    break
                previous = raw_row
            if columns is None:
                raise HXLTagsNotFoundException()
            tags = [
                ((c.tag or None), frozenset(a.lower() for a in (c.attributes or ())))
                for c in columns
            ]
            rows = list(enumerate(rows_in, start=tag_line + 1))
    except HXLTagsNotFoundException:
        raise InteropError(
            _(
                "{name}: no HXL tag row (a row of hashtags such as #loc, #item, #org) in the first 25 rows"
            ).format(name=path.name)
        ) from None
    except (hxl.HXLException, UnicodeDecodeError, csv.Error) as exc:
        raise InteropError(
            _("{name} cannot be read as HXL: {error}").format(name=path.name, error=exc)
        ) from exc
    return Table([(t.lower() if t else None, a) for t, a in tags], rows)


def detect_kind(table: Table, given: str | None = None) -> str:
    if given:
        kind = given.lower()
        if kind not in KINDS:
            raise InteropError(
                _("unknown kind of table '{kind}'; use one of: {kinds}").format(
                    kind=given, kinds=", ".join(KINDS)
                )
            )
        return kind
    if table.has("#item"):
        for tag in ("#quantity", "#value"):
            if any(attrs & _NEED_ATTRS for _n, attrs in table.columns(tag)):
                return "needs"
        return "stock"
    places = table.has("#loc") or table.has("#adm1") or table.has("#country") or table.has("#adm2")
    if (table.has("#org") or table.has("#sector")) and places:
        return "presence"
    raise InteropError(
        _(
            "cannot tell what this HXL table holds from its tags (no #item, no #org with a place); give --kind"
        )
    )


def _cell(values: list[str], col: int | None) -> str:
    if col is None or col >= len(values):
        return ""
    value = values[col]
    return "" if value is None else str(value).strip()


class _RowError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(_("row {row}: {error}").format(row=line, error=message))


def _people(table: Table, tag: str) -> Callable[[list[str]], Any]:
    """A reader of a people column: the total if there is one, else +f plus +m."""
    cols = table.columns(tag)
    if not cols:
        return lambda values: None
    total = next((n for n, a in cols if not a or "total" in a or a <= {"ind", "hh"}), None)
    if total is not None:
        return lambda values: _cell(values, total) or None
    f = next((n for n, a in cols if "f" in a), None)
    m = next((n for n, a in cols if "m" in a), None)
    if f is not None and m is not None:

        def both(values: list[str]) -> Any:
            a, b = _cell(values, f), _cell(values, m)
            if not a and not b:
                return None
            return parse_quantity(a or 0, tag) + parse_quantity(b or 0, tag)

        return both
    first = cols[0][0]
    return lambda values: _cell(values, first) or None


class _Catalogue:
    """Items by code and by name, sites by name; new sites created on the way."""

    def __init__(self, session: Any) -> None:
        self.by_code: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        for item in session.scalars(select(SupplyItem).where(SupplyItem.deleted.is_(False))):
            self.by_code[item.code.lower()] = item
            self.by_name[item.name.lower()] = item
        self.sites: dict[str, str] = {}
        for sid, name in session.execute(
            select(SupplySite.id, SupplySite.name).where(SupplySite.deleted.is_(False))
        ):
            self.sites.setdefault(name.strip().lower(), sid)
        self.new_sites: list[SiteData] = []

    def item(self, text: str, use: str | None) -> Any:
        key = text.lower()
        if use == "code":
            return self.by_code.get(key)
        if use == "name":
            return self.by_name.get(key)
        return self.by_code.get(key) or self.by_name.get(key)

    def site(self, name: str, values: list[str], cols: dict[str, int | None]) -> str:
        key = name.lower()
        sid = self.sites.get(key)
        if sid is not None:
            return sid
        lat, lon = _cell(values, cols["lat"]), _cell(values, cols["lon"])
        try:
            site = SiteData(
                name=name,
                kind="distribution_point",
                lat=float(lat) if lat else None,
                lon=float(lon) if lon else None,
                admin1=_cell(values, cols["adm1"]),
                country=_cell(values, cols["country"]),
                organisation=_cell(values, cols["org"]),
                id=new_id(),
            ).validate()
        except ValueError as exc:
            raise ValidationError(_("site '{name}': {error}").format(name=name, error=exc)) from exc
        self.new_sites.append(site)
        self.sites[key] = site.id or ""
        return site.id or ""


def _item_column(table: Table) -> tuple[int | None, str | None]:
    code = table.find("#item", ("code",))
    if code is not None:
        return code, "code"
    name = table.find("#item", ("name",), ("unit",))
    if name is not None:
        return name, "name"
    return table.find("#item", (), ("unit", "type", "category")), None


def _quantity_column(table: Table, kind: str) -> int | None:
    for tag in ("#quantity", "#value"):
        cols = table.columns(tag)
        if kind == "needs":
            for n, attrs in cols:
                if attrs & _NEED_ATTRS:
                    return n
        for n, _attrs in cols:
            return n
    return None


def _site_columns(table: Table) -> dict[str, int | None]:
    return {
        "loc": table.find("#loc", ("name",))
        if table.find("#loc", ("name",)) is not None
        else table.find("#loc", (), ("code",)),
        "lat": table.find("#geo", ("lat",)),
        "lon": table.find("#geo", ("lon",)),
        "adm1": table.find("#adm1", (), ("code",)),
        "country": table.find("#country", (), ("code",)),
        "org": table.find("#org", (), ("code",)),
    }


def _dates() -> Callable[[str], datetime | None]:
    cache: dict[str, datetime | None] = {}

    def parse(text: str) -> datetime | None:
        if text not in cache:
            cache[text] = parse_date(text)
        return cache[text]

    return parse


def _quantity(text: str, item: Any, unit: str) -> int:
    try:
        value = int(text)
        if value < 0:
            raise ValueError
    except ValueError:
        value = parse_quantity(text)
    if unit and unit != item.unit and unit.lower() != item.unit.lower():
        if item.pack_name and unit.lower() in (
            item.pack_name.lower(),
            item.pack_name.lower() + "s",
        ):
            return value * item.pack_size
        raise ValidationError(
            _("unit '{unit}' does not match {item}, counted in {base}").format(
                unit=unit, item=item.name, base=item.unit
            )
        )
    return value


def import_hxl(store: Store, path: Path, kind: str | None = None) -> HxlImportResult:
    """Import an HXL stock, needs or presence table in one transaction."""
    table = read_table(path)
    kind = detect_kind(table, kind)
    try:
        if kind == "presence":
            return _import_presence(store, path, table)
        return _import_items_table(store, path, table, kind)
    except _RowError as exc:
        raise InteropError(str(exc)) from None


def _require(table: Table, col: int | None, what: str) -> int:
    if col is None:
        raise InteropError(_("this table has no {what} column").format(what=what))
    return col


def _import_items_table(store: Store, path: Path, table: Table, kind: str) -> HxlImportResult:
    item_col, item_by = _item_column(table)
    _require(table, item_col, "#item")
    qty_col = _require(table, _quantity_column(table, kind), "#quantity / #value")
    cols = _site_columns(table)
    _require(table, cols["loc"], "#loc")
    unit_col = table.find("#item", ("unit",))
    if unit_col is None:
        unit_col = table.find("#meta", ("unit",))
    date_col = table.find("#date")
    prio_col = table.find("#meta", ("priority",))
    parse = _dates()
    public = Releasability.parse("PUBLIC")
    with writing(store, initiator="import") as batch:
        catalogue = _Catalogue(batch.session)
        counts: list[tuple[str, str, int, datetime | None]] = []
        requests: list[tuple[int, RequestData]] = []
        rows = 0
        width = len(table.tags)
        pad = [""] * (width + 1)
        cols_wanted = [item_col, cols["loc"], qty_col, unit_col, date_col, prio_col]
        getter = itemgetter(*[width if c is None else c for c in cols_wanted])
        # exact-text lookups first (most rows), the catalogue's case-insensitive ones after
        by_key = catalogue.by_code if item_by == "code" else {}
        by_key = {i.code: i for i in by_key.values()}
        site_ids: dict[str, str] = {}
        for line, values in table.rows:
            cells = getter(values if len(values) > width else values + pad)
            try:
                item_text, site_text, qty_text, unit_text, date_text, prio_text = [
                    c.strip() for c in cells
                ]
            except AttributeError:  # a spreadsheet's numbers and empty cells
                item_text, site_text, qty_text, unit_text, date_text, prio_text = [
                    "" if c is None else str(c).strip() for c in cells
                ]
            if not qty_text and not item_text:
                continue  # an empty row, or one with nothing to count
            try:
                if not item_text:
                    raise ValidationError(_("no item"))
                item = by_key.get(item_text) or catalogue.item(item_text, item_by)
                if item is None:
                    raise ValidationError(_("unknown item '{value}'").format(value=item_text))
                if not site_text:
                    raise ValidationError(_("no site (#loc)"))
                if not qty_text:
                    continue  # a missing value, not an error
                quantity = _quantity(qty_text, item, unit_text)
                when = parse(date_text)
                site_id = site_ids.get(site_text)
                if site_id is None:
                    site_id = site_ids[site_text] = catalogue.site(site_text, values, cols)
            except ValidationError as exc:
                raise _RowError(line, str(exc)) from None
            rows += 1
            if kind == "stock":
                counts.append((site_id, item.id, quantity, when))
            else:
                requests.append(
                    (
                        line,
                        RequestData(
                            site_id=site_id,
                            item_id=item.id,
                            quantity=quantity,
                            required_by=when,
                            priority=prio_text or "medium",
                            releasable_to=public,
                        ),
                    )
                )
        try:
            save_sites(batch, catalogue.new_sites)
        except ValidationError as exc:
            raise InteropError(str(exc)) from None
        if kind == "stock":
            return HxlImportResult(path, kind, rows, _write_counts(batch, counts, path.name))
        written = _write_requests(batch, requests)
        return HxlImportResult(path, kind, rows, written)


def _latest_movements(session: Any, site_ids: set[str]) -> dict[tuple[str, str], datetime]:
    from app.core.store.models import StockMovement

    found: dict[tuple[str, str], datetime] = {}
    ids = sorted(site_ids)
    for chunk in chunked(ids):
        stmt = (
            select(StockMovement.site_id, StockMovement.item_id, func.max(StockMovement.at))
            .where(StockMovement.site_id.in_(chunk))
            .group_by(StockMovement.site_id, StockMovement.item_id)
        )
        for site, item, at in session.execute(stmt):
            if at is not None:
                found[(site, item)] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return found


def _moved_after(session: Any, key: tuple[str, str], when: datetime) -> int:
    from app.core.store.models import StockMovement

    stmt = select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
        StockMovement.site_id == key[0], StockMovement.item_id == key[1], StockMovement.at > when
    )
    return int(session.scalar(stmt) or 0)


def _write_counts(
    batch: Any, counts: list[tuple[str, str, int, datetime | None]], note: str
) -> int:
    """Each count becomes an adjustment (reason ``count``) of the difference from the stock on hand.

    Adjustments are free of the no-negative rule and the sites and items were
    resolved from the catalogue, so the rows go straight into the ledger.
    """
    balance = on_hand(batch.session, {c[0] for c in counts})
    latest = _latest_movements(batch.session, {c[0] for c in counts})
    public = Releasability.parse("PUBLIC")
    rows = []
    running = dict(balance)  # the stock now, after the counts so far
    for site_id, item_id, quantity, when in counts:
        key = (site_id, item_id)
        # a count is what was there on its date: compare it with the stock as it was
        # then, so movements recorded after that date still count on top of it
        held = running.get(key, 0)
        if when is not None:
            last = latest.get(key)
            if last is not None and last > when:
                held -= _moved_after(batch.session, key, when)
        delta = quantity - held
        if delta:
            running[key] = running.get(key, 0) + delta
            rows.append(
                (
                    site_id,
                    item_id,
                    "adjustment",
                    delta,
                    when,
                    "count",
                    "",
                    None,
                    None,
                    note,
                    "UNCLASSIFIED",
                    public,
                )
            )
    insert_ledger_rows(batch, rows)
    return len(rows)


def _write_requests(batch: Any, requests: list[tuple[int, RequestData]]) -> int:
    existing: dict[tuple[str, str, Any], str] = {}
    for rid, site, item, due in batch.session.execute(
        select(
            SupplyRequest.id,
            SupplyRequest.site_id,
            SupplyRequest.item_id,
            SupplyRequest.required_by,
        ).where(SupplyRequest.deleted.is_(False), SupplyRequest.status.in_(("open", "partial")))
    ):
        existing[(site, item, due.date() if due else None)] = rid
    datas = []
    for _line, req in requests:
        req.id = existing.get(
            (req.site_id, req.item_id, req.required_by.date() if req.required_by else None)
        )
        datas.append(req)
    try:
        return len(save_requests(batch, datas))
    except ValidationError as exc:
        index = getattr(exc, "record_index", None)
        if index is None:
            raise InteropError(str(exc)) from None
        raise _RowError(requests[index][0], str(exc)) from None


def _import_presence(store: Store, path: Path, table: Table) -> HxlImportResult:
    org = table.find("#org", ("name",))
    org = org if org is not None else table.find("#org", (), ("code", "type"))
    _require(table, org, "#org")
    cols = {
        "sector": table.find("#sector", (), ("code",)),
        "place": table.find("#loc", ("name",))
        if table.find("#loc", ("name",)) is not None
        else table.find("#loc", (), ("code",)),
        "adm1": table.find("#adm1", (), ("code",)),
        "country": table.find("#country", (), ("code",)),
        "date": table.find("#date"),
    }
    people = {
        name: _people(table, "#" + name.replace("_", ""))
        for name in ("in_need", "affected", "targeted", "reached")
    }
    parse = _dates()
    public = Releasability.parse("PUBLIC")
    datas: list[tuple[int, PresenceData]] = []
    for line, values in table.rows:
        name = _cell(values, org)
        if not name and not any(_cell(values, c) for c in cols.values()):
            continue
        try:
            data = PresenceData(
                organisation=name,
                sector=_cell(values, cols["sector"]),
                place=_cell(values, cols["place"]),
                admin1=_cell(values, cols["adm1"]),
                country=_cell(values, cols["country"]),
                as_of=parse(_cell(values, cols["date"])),
                releasable_to=public,
                **{k: reader(values) for k, reader in people.items()},
            ).validate()
        except ValidationError as exc:
            raise _RowError(line, str(exc)) from None
        datas.append((line, data))
    with writing(store, initiator="import") as batch:
        existing = {
            (p.organisation.lower(), p.sector.lower(), p.place.lower(), p.admin1.lower()): p.id
            for p in batch.session.scalars(select(Presence).where(Presence.deleted.is_(False)))
        }
        for _line, data in datas:
            key = (
                data.organisation.lower(),
                data.sector.lower(),
                data.place.lower(),
                data.admin1.lower(),
            )
            data.id = existing.get(key)
            if data.id is None:
                data.id = new_id()
                existing[key] = data.id
        written = save_presence(batch, [d for _l, d in datas])
    return HxlImportResult(path, "presence", len(datas), len(written))


# ------------------------------------------------------------------ writing
def _out(value: Any) -> Any:
    """A CSV cell: names typed by partners are never written as a spreadsheet formula."""
    if value is None:
        return ""
    return escape_cell(value) if isinstance(value, str) else value


def _write(path: Path, header: list[str], tags: list[str], rows: list[list[Any]]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(tags)
    for row in rows:
        writer.writerow([_out(v) for v in row])
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)
    return len(rows)


def _day(value: datetime | None) -> str:
    return value.astimezone(UTC).date().isoformat() if value else ""


def export_hxl(store: Store, path: Path, kind: str, partner: str | None = None) -> int:
    """Write a stock, needs or presence table; returns the number of rows."""
    from app.core.supply.indicators import logsitrep
    from app.core.supply.queries import list_items, list_presence, list_requests, list_sites

    kind = (kind or "").lower()
    if kind not in KINDS:
        raise InteropError(
            _("unknown kind of table '{kind}'; use one of: {kinds}").format(
                kind=kind, kinds=", ".join(KINDS)
            )
        )
    if kind == "presence":
        rows = [
            [
                p.organisation,
                p.sector,
                p.place,
                p.admin1,
                p.country,
                p.in_need,
                p.affected,
                p.targeted,
                p.reached,
                _day(p.as_of),
            ]
            for p in list_presence(store, partner)
        ]
        return _write(
            path,
            [
                "Organisation",
                "Sector",
                "Place",
                "Admin 1",
                "Country",
                "People in need",
                "Affected",
                "Targeted",
                "Reached",
                "Date",
            ],
            [
                "#org",
                "#sector",
                "#loc",
                "#adm1",
                "#country",
                "#inneed",
                "#affected",
                "#targeted",
                "#reached",
                "#date",
            ],
            rows,
        )
    sites = {s.id: s for s in list_sites(store, partner)}
    items = {i.id: i for i in list_items(store, partner)}
    today = datetime.now(UTC).date().isoformat()
    if kind == "stock":
        rows = []
        for line in logsitrep(store, partner=partner):
            site, item = sites.get(line.site_id), items.get(line.item_id)
            if site is None or item is None or not line.on_hand:
                continue
            rows.append(
                [
                    site.name,
                    site.admin1,
                    site.country,
                    site.lat,
                    site.lon,
                    item.code,
                    item.name,
                    item.unit,
                    line.on_hand,
                    today,
                ]
            )
        return _write(
            path,
            [
                "Site",
                "Admin 1",
                "Country",
                "Latitude",
                "Longitude",
                "Item code",
                "Item",
                "Unit",
                "On hand",
                "Date",
            ],
            [
                "#loc+name",
                "#adm1+name",
                "#country+name",
                "#geo+lat",
                "#geo+lon",
                "#item+code",
                "#item+name",
                "#item+unit",
                "#quantity+onhand",
                "#date",
            ],
            rows,
        )
    rows = []
    for req in list_requests(store, partner):
        site, item = sites.get(req.site_id), items.get(req.item_id)
        if site is None or item is None or req.status not in ("open", "partial"):
            continue
        rows.append(
            [
                site.name,
                site.admin1,
                site.lat,
                site.lon,
                item.code,
                item.name,
                item.unit,
                max(0, req.quantity - req.received),
                _day(req.required_by),
                req.priority,
            ]
        )
    return _write(
        path,
        [
            "Site",
            "Admin 1",
            "Latitude",
            "Longitude",
            "Item code",
            "Item",
            "Unit",
            "Quantity needed",
            "Required by",
            "Priority",
        ],
        [
            "#loc+name",
            "#adm1+name",
            "#geo+lat",
            "#geo+lon",
            "#item+code",
            "#item+name",
            "#item+unit",
            "#quantity+needed",
            "#date+required",
            "#meta+priority",
        ],
        rows,
    )


LOGSITREP_TAGS = (
    "#loc+name",
    "#item+name",
    "#item+unit",
    "#quantity+onhand",
    "#quantity+intransit",
    "#value+consumption+daily",
    "#value+days_of_supply",
    "#quantity+required",
    "#quantity+shortfall",
    "#date+stockout",
)


def write_logsitrep(path: Path, rows: list[dict[str, Any]], fmt: str) -> int:
    """The LOGSITREP as JSON (a list of objects), CSV or HXL (the same columns, tagged)."""
    import json

    from app.core.supply.indicators import REPORT_KEYS

    fmt = fmt.lower()
    tmp = path.with_name(path.name + ".part")
    if fmt == "json":
        tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
        return len(rows)
    if fmt not in ("csv", "hxl"):
        raise InteropError(_("unknown report format '{fmt}'; use json, csv or hxl").format(fmt=fmt))
    table = [[row[k] for k in REPORT_KEYS] for row in rows]
    if fmt == "hxl":
        return _write(path, list(REPORT_KEYS), list(LOGSITREP_TAGS), table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_KEYS)
    for row in table:
        writer.writerow([_out(v) for v in row])
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)
    return len(rows)


def export_logsitrep(
    store: Store,
    path: Path,
    fmt: str,
    window_days: int = 14,
    horizon_days: int = 30,
    partner: str | None = None,
) -> int:
    """The LOGSITREP of the store written to ``path`` (JSON, CSV or HXL); the rows
    written. The CLI's ``report logsitrep`` and the Supply dock both write it here."""
    from app.core.supply.queries import logsitrep_report

    rows = logsitrep_report(
        store, window_days=window_days, horizon_days=horizon_days, partner=partner
    )
    return write_logsitrep(path, rows, fmt)
