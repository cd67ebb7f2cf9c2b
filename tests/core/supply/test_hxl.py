"""HXL in and out, the LOGSITREP report and the supply CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core.formats.errors import InteropError
from app.core.store.engine import open_store
from app.core.store.models import Presence, StockMovement, SupplyRequest, SupplySite, SyncChange
from app.core.supply.hxl import export_hxl, import_hxl
from app.core.supply.indicators import logsitrep
from app.core.supply.ops import add_items, add_movements, add_sites
from app.core.supply.queries import list_items, list_presence, list_requests, list_sites
from app.core.supply.records import ItemData, MovementData, SiteData


def _catalogue(store: Any) -> None:
    add_items(
        store,
        [
            ItemData(code="WAT", name="Water", category="water", unit="L", standard="water"),
            ItemData(
                code="TARP",
                name="Tarpaulin",
                category="shelter",
                unit="each",
                pack_name="bale",
                pack_size=50,
            ),
        ],
    )


def _counts(store: Any) -> tuple[int, ...]:
    with store.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (StockMovement, SupplyRequest, Presence, SupplySite, SyncChange)
        )


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


STOCK = """Stock report, Cabo Delgado,,,,
prepared by the logistics cluster,,,,,
Warehouse,Item,Unit,Qty,Date,Remarks
#loc+name,#item+code,#item+unit,#quantity,#date,
Pemba hub,WAT,L,"12,000",1 March 2015,ok
Pemba hub,TARP,bale,3,2015-03-01,three bales
Camp North,WAT,L,,01/03/2015,not counted
,,,,,
Camp North,TARP,each,40,"March 2, 2015",
"""


def test_stock_import_with_junk_rows_untagged_columns_packs_and_dates(
    store: Any, tmp_path: Path
) -> None:
    _catalogue(store)
    result = import_hxl(store, _write(tmp_path / "stock.csv", STOCK))
    assert result.kind == "stock" and result.rows == 3
    rows = {(r.site, r.item): r.on_hand for r in logsitrep(store)}
    assert rows[("Pemba hub", "Water")] == 12_000
    assert rows[("Pemba hub", "Tarpaulin")] == 150  # 3 bales of 50
    assert rows[("Camp North", "Tarpaulin")] == 40
    assert ("Camp North", "Water") not in rows  # an empty cell is a missing value
    assert {s.name for s in list_sites(store)} == {"Pemba hub", "Camp North"}
    # a stock count: importing it again changes nothing
    before = _counts(store)
    import_hxl(store, tmp_path / "stock.csv")
    assert _counts(store) == before


def test_latin1_file(store: Any, tmp_path: Path) -> None:
    _catalogue(store)
    text = "#loc,#item,#value\nMocímboa da Praia,Water,500\n"
    import_hxl(store, _write(tmp_path / "latin.csv", text, "latin-1"))
    assert [s.name for s in list_sites(store)] == ["Mocímboa da Praia"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Pemba,WAT,-5\n", "row 3: quantity cannot be negative"),
        ("Pemba,WAT,lots\n", "row 3: quantity must be a whole number, not 'lots'"),
        ("Pemba,WAT,2.5\n", "row 3: quantity must be a whole number of base units"),
        ("Pemba,SOAP,5\n", "row 3: unknown item 'SOAP'"),
        ("Pemba,WAT,5,kg\n", "row 3: unit 'kg' does not match Water, counted in L"),
    ],
)
def test_bad_rows_are_refused_with_their_row_number_and_nothing_is_stored(
    store: Any, tmp_path: Path, body: str, message: str
) -> None:
    _catalogue(store)
    before = _counts(store)
    text = "#loc,#item+code,#quantity,#item+unit\nPemba,TARP,5\n" + body
    with pytest.raises(InteropError, match=message.replace("(", r"\(")):
        import_hxl(store, _write(tmp_path / "bad.csv", text))
    assert _counts(store) == before


def test_a_file_without_a_tag_row_is_refused(store: Any, tmp_path: Path) -> None:
    _catalogue(store)
    before = _counts(store)
    with pytest.raises(InteropError, match="no HXL tag row"):
        import_hxl(store, _write(tmp_path / "plain.csv", "site,item,qty\nPemba,WAT,5\n"))
    assert _counts(store) == before


def test_kind_from_the_tags_or_given(store: Any, tmp_path: Path) -> None:
    _catalogue(store)
    needs = _write(
        tmp_path / "needs.csv",
        "#loc,#item,#quantity+needed,#date\nCamp North,TARP,300,2026-12-05\n",
    )
    assert import_hxl(store, needs).kind == "needs"
    presence = _write(
        tmp_path / "3w.csv", "#org,#sector,#adm1,#loc\nWFP,Food,Cabo Delgado,Metuge\n"
    )
    assert import_hxl(store, presence).kind == "presence"
    as_needs = _write(tmp_path / "plain-needs.csv", "#loc,#item,#quantity\nCamp North,WAT,9000\n")
    assert import_hxl(store, as_needs, kind="needs").kind == "needs"
    requests = list_requests(store)
    assert sorted((r.item, r.quantity) for r in requests) == [("Tarpaulin", 300), ("Water", 9_000)]
    with pytest.raises(InteropError, match="cannot tell"):
        import_hxl(store, _write(tmp_path / "odd.csv", "#date,#meta\n2026-01-01,x\n"))


def test_presence_with_disaggregated_people(store: Any, tmp_path: Path) -> None:
    text = (
        "Who,What,Province,Place,Targeted women,Targeted men,Reached,\n"
        "#org,#sector,#adm1,#loc,#targeted+f,#targeted+m,#reached,\n"
        'WFP,Food Security,Cabo Delgado,Metuge,"24,000",21000,41000,\n'
        "UNICEF,WASH,Cabo Delgado,Metuge,,,,\n"
    )
    result = import_hxl(store, _write(tmp_path / "3w.csv", text))
    assert result.kind == "presence" and result.rows == 2
    rows = {p.organisation: p for p in list_presence(store)}
    assert rows["WFP"].targeted == 45_000 and rows["WFP"].reached == 41_000
    assert rows["UNICEF"].targeted is None
    with pytest.raises(InteropError, match="row 3: reached must be a whole number"):
        import_hxl(store, _write(tmp_path / "bad3w.csv", text.replace("41000", "many")))


def test_round_trips(store: Any, tmp_path: Path) -> None:
    _catalogue(store)
    add_sites(
        store,
        [
            SiteData(
                name="Camp North",
                kind="distribution point",
                lat=-12.8,
                lon=40.3,
                people_targeted=900,
            )
        ],
    )
    import_hxl(store, _write(tmp_path / "s.csv", STOCK))
    import_hxl(
        store,
        _write(
            tmp_path / "n.csv",
            "#loc,#item,#quantity+needed,#date\nCamp North,TARP,300,2026-12-05\n",
        ),
    )
    import_hxl(
        store,
        _write(
            tmp_path / "p.csv",
            "#org,#sector,#loc,#targeted,#reached\nMSF,Health,Camp North,800,700\n",
        ),
    )
    for kind in ("stock", "needs", "presence"):
        export_hxl(store, tmp_path / f"{kind}.hxl.csv", kind)
    other = open_store(tmp_path / "other.sqlite", operator="t", site_name="OTHER")
    try:
        _catalogue(other)
        for kind in ("stock", "needs", "presence"):
            assert import_hxl(other, tmp_path / f"{kind}.hxl.csv").kind == kind

        def view(s: Any) -> Any:
            return (
                sorted((r.site, r.item, r.on_hand) for r in logsitrep(s) if r.on_hand),
                sorted((r.site, r.item, r.quantity, r.required_by) for r in list_requests(s)),
                sorted(
                    (p.organisation, p.sector, p.place, p.targeted, p.reached)
                    for p in list_presence(s)
                ),
                sorted((x.name, x.lat, x.lon) for x in list_sites(s) if x.name in ("Camp North",)),
            )

        assert view(other) == view(store)
    finally:
        other.close()


def test_cli_import_export_and_logsitrep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.sqlite"
    store = open_store(db, operator="t", site_name="CLI")
    try:
        _catalogue(store)
        [camp] = add_sites(
            store, [SiteData(name="Camp North", kind="distribution point", people_targeted=100)]
        )
    finally:
        store.close()
    stock = _write(tmp_path / "stock.hxl", "#loc,#item+code,#quantity\nCamp North,WAT,3000\n")
    assert main(["--db", str(db), "import", "--format", "hxl", str(stock)]) == 0
    assert "Imported 1 rows of stock" in capsys.readouterr().out
    out = tmp_path / "needs.csv"
    assert (
        main(["--db", str(db), "export", "--format", "hxl", "--kind", "stock", "--out", str(out)])
        == 0
    )
    assert list(csv.reader(out.open()))[1][0] == "#loc+name"
    store = open_store(db, operator="t")
    try:
        item = {i.code: i for i in list_items(store)}["WAT"]
        add_movements(
            store, [MovementData(site_id=camp, item_id=item.id, kind="issue", quantity=700)]
        )
    finally:
        store.close()
    for fmt in ("json", "csv", "hxl"):
        target = tmp_path / f"sitrep.{fmt}"
        assert (
            main(["--db", str(db), "report", "logsitrep", "--format", fmt, "--out", str(target)])
            == 0
        )
    rows = json.loads((tmp_path / "sitrep.json").read_text())
    assert isinstance(rows, list)
    [water] = [r for r in rows if r["item"] == "Water"]
    assert set(water) == {
        "site",
        "item",
        "unit",
        "on_hand",
        "in_transit",
        "daily_consumption",
        "days_of_supply",
        "requirement",
        "shortfall",
        "stockout_date",
    }
    assert (water["site"], water["unit"], water["on_hand"], water["requirement"]) == (
        "Camp North",
        "L",
        2300,
        45000,
    )
    assert water["daily_consumption"] == pytest.approx(50.0)
    assert water["days_of_supply"] == pytest.approx(46.0)
    lines = list(csv.reader((tmp_path / "sitrep.csv").open()))
    assert lines[0] == [
        "site",
        "item",
        "unit",
        "on_hand",
        "in_transit",
        "daily_consumption",
        "days_of_supply",
        "requirement",
        "shortfall",
        "stockout_date",
    ]
    tagged = list(csv.reader((tmp_path / "sitrep.hxl").open()))
    assert tagged[1][0] == "#loc+name" and len(tagged) == len(rows) + 2
    # errors: one line, exit 1, nothing changed
    bad = _write(tmp_path / "bad.hxl", "#loc,#item+code,#quantity\nCamp North,WAT,-1\n")
    assert main(["--db", str(db), "import", "--format", "hxl", str(bad)]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("coalition-cop: error: row 2: quantity cannot be negative")
        and err.count("\n") == 1
    )
    assert main(["--db", str(db), "export", "--format", "hxl", "--out", str(out)]) == 2


def test_geojson_export_has_sites_and_shipments_and_reads_back(store: Any, tmp_path: Path) -> None:
    from app.core.demo.supply import load_supply
    from app.core.exchange.files import export_file, import_file
    from app.core.store.writing import writing

    with writing(store) as batch:
        load_supply(batch)
    out = tmp_path / "picture.geojson"
    export_file(store, out, "geojson")
    features = json.loads(out.read_text())["features"]
    sites = [f for f in features if f["properties"]["kind"] == "supply_site"]
    ships = [f for f in features if f["properties"]["kind"] == "shipment"]
    assert len(sites) == 8 and all(f["geometry"]["type"] == "Point" for f in sites)
    assert {f["properties"]["status"] for f in ships} == {
        "planned",
        "in_transit",
        "arrived",
        "cancelled",
    }
    assert all(f["geometry"]["type"] == "LineString" for f in ships)
    assert import_file(store, out).units == 0  # supply features are skipped on import, not refused


def test_file_import_recognises_an_hxl_csv(store: Any, tmp_path: Path) -> None:
    from app.core.exchange.files import import_file

    _catalogue(store)
    result = import_file(store, _write(tmp_path / "stock.csv", STOCK))
    assert "3 rows of stock" in str(result)


def test_exports_hold_only_what_the_partner_may_see(store: Any, tmp_path: Path) -> None:
    _catalogue(store)
    nato_only, public = add_sites(
        store,
        [
            SiteData(
                name="Forward log base",
                kind="warehouse",
                classification="NATO RESTRICTED",
                releasable_to="NATO",
            ),
            SiteData(name="Camp North", kind="distribution point"),
        ],
    )
    item = {i.code: i for i in list_items(store)}["WAT"]
    add_movements(
        store,
        [
            MovementData(site_id=s, item_id=item.id, kind="receipt", quantity=10)
            for s in (nato_only, public)
        ],
    )
    assert {r.site for r in logsitrep(store, partner="WFP")} == {"Camp North"}
    assert {r.site for r in logsitrep(store, partner="NATO")} == {"Forward log base", "Camp North"}
    export_hxl(store, tmp_path / "wfp.csv", "stock", partner="WFP")
    assert "Forward log base" not in (tmp_path / "wfp.csv").read_text()
    db = store.path
    out = tmp_path / "sitrep.json"
    assert (
        main(
            [
                "--db",
                str(db),
                "report",
                "logsitrep",
                "--format",
                "json",
                "--out",
                str(out),
                "--releasable-to",
                "WFP",
            ]
        )
        == 0
    )
    assert [r["site"] for r in json.loads(out.read_text())] == ["Camp North"]


def test_a_count_dated_in_the_past_keeps_what_moved_since(store: Any, tmp_path: Path) -> None:
    """1,000 L received, 300 L issued two days ago; a count of 1,000 L taken five days
    ago is right: on hand today is 700, not 1,000."""
    from datetime import UTC, datetime, timedelta

    _catalogue(store)
    [site] = add_sites(store, [SiteData(name="Camp North", kind="distribution point")])
    water = next(i.id for i in list_items(store) if i.code == "WAT")
    now = datetime.now(UTC)
    add_movements(
        store,
        [
            MovementData(
                site_id=site,
                item_id=water,
                kind="receipt",
                quantity=1_000,
                at=now - timedelta(days=10),
            ),
            MovementData(
                site_id=site, item_id=water, kind="issue", quantity=300, at=now - timedelta(days=2)
            ),
        ],
    )
    day = (now - timedelta(days=5)).date().isoformat()
    import_hxl(
        store,
        _write(
            tmp_path / "count.csv",
            f"#loc+name,#item+code,#quantity,#date\nCamp North,WAT,1000,{day}\n",
        ),
    )
    [line] = [r for r in logsitrep(store) if r.site == "Camp North" and r.item == "Water"]
    assert line.on_hand == 700
    before = _counts(store)
    import_hxl(store, tmp_path / "count.csv")  # the same count again changes nothing
    assert _counts(store) == before
