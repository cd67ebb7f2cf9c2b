"""Bundles: signed, verified before anything is staged, filtered by releasability, relayed."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.core.common.markings import Releasability
from app.core.picture.ops import add_units
from app.core.picture.queries import list_units
from app.core.store.engine import Store, open_store
from app.core.sync.bundle import BundleError, export_bundle, import_bundle
from app.core.sync.keys import trust_sender, write_site_key
from app.core.tasks.ops import _load, add_tasks
from app.core.tasks.records import TaskData
from tests.core.sync.helpers import count, make_stores, snapshot, unit


def _trust_each_other(tmp_path: Path, *stores: Store) -> None:
    for s in stores:
        write_site_key(s, tmp_path / f"{s.site.site_id}.key")
    for s in stores:
        for other in stores:
            if other is not s:
                trust_sender(s, tmp_path / f"{other.site.site_id}.key", other.site.site_name)


def _state(path: Path) -> str:
    """A digest of everything a store holds (to show an import changed nothing)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
        ):
            for row in conn.execute(f"SELECT * FROM {name} ORDER BY 1"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


@pytest.fixture
def pair(tmp_path: Path) -> object:
    a, b = make_stores(tmp_path, 2)
    _trust_each_other(tmp_path, a, b)
    add_units(a, [unit("1st Coy"), unit("Recce Pl")])
    yield a, b
    a.close()
    b.close()


def test_a_bundle_carries_the_changes_and_a_replay_changes_nothing(
    tmp_path: Path, pair: tuple[Store, Store]
) -> None:
    a, b = pair
    out = tmp_path / "a.zip"
    assert export_bundle(a, "NATO", out).changes == 2
    with zipfile.ZipFile(out) as zf:
        assert set(zf.namelist()) == {"manifest.json", "manifest.sig", "changes.jsonl.gz"}
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["target_partner"] == "NATO" and manifest["source_site"] == a.site.site_id
    report = import_bundle(b, out)
    assert (report.new, report.already) == (2, False)
    assert snapshot(a) == snapshot(b)
    before = _state(b.path)
    again = import_bundle(b, out)
    assert again.already and "already applied" in again.summary()
    assert _state(b.path) == before


@pytest.mark.parametrize(
    "damage", ["payload", "manifest", "signature", "unsigned", "truncated", "untrusted"]
)
def test_a_damaged_or_untrusted_bundle_changes_nothing_and_says_why(
    tmp_path: Path, pair: tuple[Store, Store], damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = pair
    good = tmp_path / "good.zip"
    export_bundle(a, "NATO", good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    if damage == "payload":
        import gzip

        lines = gzip.decompress(parts["changes.jsonl.gz"]).replace(b"1st Coy", b"1st Cox")
        parts["changes.jsonl.gz"] = gzip.compress(lines)
    elif damage == "manifest":
        parts["manifest.json"] = parts["manifest.json"].replace(b'"NATO"', b'"UN"')
    elif damage == "signature":
        parts["manifest.sig"] = bytes(64)
    elif damage == "unsigned":
        del parts["manifest.sig"]
    if damage == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        with zipfile.ZipFile(bad, "w") as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
    target = b
    if damage == "untrusted":
        bad = good
        target = open_store(tmp_path / "stranger.sqlite", site_name="Stranger")
    path = target.path
    before = _state(path)
    with pytest.raises(BundleError) as err:
        import_bundle(target, bad)
    assert "nothing changed" in str(err.value)
    expected = {
        "payload": "tampered",
        "manifest": "not signed by",
        "signature": "not signed by",
        "unsigned": "not signed",
        "truncated": "truncated",
        "untrusted": "does not trust",
    }[damage]
    assert expected in str(err.value)
    target.close()
    assert _state(path) == before
    assert main(["--db", str(path), "bundle", "import", str(bad)]) == 1
    assert capsys.readouterr().err.startswith("coalition-cop: error:")
    assert _state(path) == before


def test_an_encrypted_bundle_opens_only_at_its_receiver(
    tmp_path: Path, pair: tuple[Store, Store]
) -> None:
    a, b = pair
    c = open_store(tmp_path / "c.sqlite", site_name="Charlie")
    try:
        _trust_each_other(tmp_path, a, c)
        out = tmp_path / "secret.zip"
        export_bundle(a, "NATO", out, encrypt_for="Bravo")
        with zipfile.ZipFile(out) as zf:
            assert "changes.jsonl.gz.enc" in zf.namelist()
            blob = zf.read("changes.jsonl.gz.enc")
        assert b"1st Coy" not in blob
        with pytest.raises(BundleError, match="encrypted for another site"):
            import_bundle(c, out)
        assert import_bundle(b, out).new == 2
    finally:
        c.close()


def test_acknowledgements_advance_the_sender_and_bundles_relay_through_a_third_site(
    tmp_path: Path,
) -> None:
    a, b, c = make_stores(tmp_path, 3)
    try:
        _trust_each_other(tmp_path, a, b, c)
        add_units(a, [unit("1st Coy")])
        first = export_bundle(a, "NATO", tmp_path / "1.zip")
        assert first.changes == 1
        import_bundle(b, tmp_path / "1.zip")
        # without an acknowledgement the next bundle sends it again (a stick may be lost)
        assert export_bundle(a, "NATO", tmp_path / "2.zip").changes == 1
        export_bundle(b, "NATO", tmp_path / "ack.zip")
        import_bundle(a, tmp_path / "ack.zip")
        assert export_bundle(a, "NATO", tmp_path / "3.zip").changes == 0
        # B relays A's change to C, who never met A
        export_bundle(b, "NATO", tmp_path / "relay.zip")
        assert import_bundle(c, tmp_path / "relay.zip").new >= 1
        assert [u.name for u in list_units(c)] == ["1st Coy"]
        assert snapshot(a) == snapshot(b) == snapshot(c)
    finally:
        for s in (a, b, c):
            s.close()


def test_a_task_goes_without_its_nato_only_unit_and_is_linked_when_the_unit_arrives(
    tmp_path: Path,
) -> None:
    a, b = make_stores(tmp_path, 2)
    try:
        _trust_each_other(tmp_path, a, b)
        nato, public = add_units(a, [unit("Recce Pl", rel="NATO"), unit("MSF team", rel="PUBLIC")])
        (task,) = add_tasks(a, [TaskData(title="Escort convoy", assigned_units=[nato, public])])
        report = export_bundle(a, "WFP", tmp_path / "wfp.zip")
        assert report.withheld == 1
        import_bundle(b, tmp_path / "wfp.zip")
        assert [u.name for u in list_units(b)] == ["MSF team"]
        with b.session() as s:
            assert _load(s, task).assigned_units == [public]
        # a task that names a unit the receiver does not hold is kept, and linked later
        (later,) = add_tasks(
            a,
            [
                TaskData(
                    title="Resupply",
                    assigned_units=[public, "01890000-0000-7000-8000-00000000abcd"],
                )
            ],
        )
        export_bundle(a, "WFP", tmp_path / "wfp2.zip")
        import_bundle(b, tmp_path / "wfp2.zip")
        with b.session() as s:
            assert _load(s, later).assigned_units == [
                public,
                "01890000-0000-7000-8000-00000000abcd",
            ]
    finally:
        a.close()
        b.close()


def test_an_import_refuses_a_record_not_releasable_to_the_declared_partner(tmp_path: Path) -> None:
    a, b = make_stores(tmp_path, 2)
    try:
        _trust_each_other(tmp_path, a, b)
        add_units(a, [unit("Recce Pl", rel="NATO")])
        # a forged bundle: signed with A's key, declaring UN, holding a NATO-only record
        import gzip

        from app.core.sync import bundle as bundle_mod

        monkey = bundle_mod._releasable_changes
        bundle_mod._releasable_changes = lambda store, partner, after: monkey(store, "NATO", after)  # type: ignore[assignment]
        try:
            with pytest.raises(BundleError, match="refusing"):
                export_bundle(a, "UN", tmp_path / "x.zip")
        finally:
            bundle_mod._releasable_changes = monkey  # type: ignore[assignment]
        good = tmp_path / "nato.zip"
        export_bundle(a, "NATO", good)
        with zipfile.ZipFile(good) as zf:
            parts = {n: zf.read(n) for n in zf.namelist()}
        manifest = json.loads(parts["manifest.json"])
        manifest["target_partner"] = "UN"
        from app.core.sync.keys import site_keys

        body = json.dumps(manifest, indent=1, sort_keys=True).encode()
        parts["manifest.json"], parts["manifest.sig"] = body, site_keys(a).signing.sign(body)
        assert gzip.decompress(parts["changes.jsonl.gz"])
        with zipfile.ZipFile(tmp_path / "forged.zip", "w") as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
        before = _state(b.path)
        with pytest.raises(BundleError, match="not releasable to UN"):
            import_bundle(b, tmp_path / "forged.zip")
        assert _state(b.path) == before
    finally:
        a.close()
        b.close()


PARTNERS = ["NATO", "UN", "EU", "FRA", "PRT", "WFP", "MSF", "PUBLIC"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    markings=st.lists(
        st.lists(st.sampled_from(PARTNERS), min_size=0, max_size=3), min_size=1, max_size=8
    ),
    target=st.sampled_from([p for p in PARTNERS if p != "PUBLIC"]),
)
def test_no_exported_record_is_unreleasable_to_its_target(
    tmp_path_factory: pytest.TempPathFactory, markings: list[list[str]], target: str
) -> None:
    tmp = tmp_path_factory.mktemp("rel")
    a = open_store(tmp / "a.sqlite", site_name="Alpha")
    try:
        ids = add_units(a, [unit(f"U{i}", rel=m or "PUBLIC") for i, m in enumerate(markings)])
        add_tasks(a, [TaskData(title="T", assigned_units=ids)])
        out = tmp / "b.zip"
        report = export_bundle(a, target, out)
        import gzip

        with zipfile.ZipFile(out) as zf:
            lines = gzip.decompress(zf.read("changes.jsonl.gz")).decode().splitlines()
        allowed = {
            uid
            for uid, m in zip(ids, markings, strict=True)
            if Releasability.parse(m or "PUBLIC").allows(target)
        }
        assert report.changes == len(lines) == len(allowed) + 1
        for line in lines:
            change = json.loads(line)
            assert Releasability.from_storage(change["releasable_to"]).allows(target)
            fields = json.loads(change["fields"])
            if change["table_name"] == "unit":
                assert change["row_id"] in allowed
            else:
                assert set(fields["assigned_units"]) == allowed
    finally:
        a.close()


def test_a_copied_store_is_a_new_site(tmp_path: Path) -> None:
    a = open_store(tmp_path / "a.sqlite", site_name="Alpha")
    add_units(a, [unit("1st Coy")])
    site = a.site.site_id
    a.close()
    shutil.copy(tmp_path / "a.sqlite", tmp_path / "copy.sqlite")
    again = open_store(tmp_path / "a.sqlite")
    copy = open_store(tmp_path / "copy.sqlite")
    try:
        assert again.site.site_id == site
        assert copy.site.site_id != site
        add_units(copy, [unit("Made in the copy")])
        assert count(copy, "sync_change") == 2
    finally:
        again.close()
        copy.close()


def test_cli_site_key_trust_export_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    assert main(["--db", a, "demo", "--units", "20", "--zones", "2"]) == 0
    assert main(["--db", a, "site", "key", "--out", str(tmp_path / "a.key")]) == 0
    assert main(["--db", b, "bundle", "trust", str(tmp_path / "a.key"), "--name", "alpha"]) == 0
    assert (
        main(["--db", a, "bundle", "export", "--to", "UN", "--out", str(tmp_path / "x.zip")]) == 0
    )
    assert main(["--db", b, "bundle", "import", str(tmp_path / "x.zip")]) == 0
    assert main(["--db", b, "bundle", "import", str(tmp_path / "x.zip")]) == 0
    out = capsys.readouterr().out
    assert "already applied" in out
    store = open_store(Path(b))
    try:
        assert list_units(store) and all(u.releasable_to.allows("UN") for u in list_units(store))
    finally:
        store.close()


def test_a_change_claiming_to_come_from_the_receiving_site_is_ignored(
    tmp_path: Path, pair: tuple[Store, Store]
) -> None:
    """A forged change under the receiver's own site id would take a number its next
    edit needs: every later edit would fail. It is dropped, and editing goes on."""
    from app.core.sync.merge import Change, apply_changes

    a, b = pair
    forged = Change(
        b.site.site_id,
        50,
        "unit",
        "01890a5d-ac96-774b-bcce-b302099a8099",
        "insert",
        a.clock.tick(),
        None,
        "mallory",
        "2026-11-28T00:00:00",
        '{"name":"Ghost","sidc":"10031000001211000000","lat":-12.0,"lon":40.0}',
        "UNCLASSIFIED",
        ",PUBLIC,",
    )
    assert apply_changes(b, [forged]).new == 0
    for n in range(60):  # b's own change numbers pass 50 without a clash
        add_units(b, [unit(f"Unit {n}")])
    assert count(b, "unit") == 60


def test_an_oversized_or_empty_change_bundle_is_refused_unread(
    tmp_path: Path, pair: tuple[Store, Store]
) -> None:
    a, b = pair
    out = tmp_path / "a.zip"
    export_bundle(a, "NATO", out)
    before = _state(b.path)
    huge = tmp_path / "huge.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "manifest.json":
                data = data + b" " * (
                    200 * 1024
                )  # far more than a manifest needs; compresses to nothing
            dst.writestr(item.filename, data)
    with pytest.raises(BundleError, match="more than a bundle may hold"):
        import_bundle(b, huge)
    assert _state(b.path) == before


def test_a_public_stock_movement_at_a_restricted_site_goes_without_the_site(tmp_path: Path) -> None:
    import gzip

    from app.core.supply.ops import add_items, add_movements, add_sites
    from app.core.supply.records import ItemData, MovementData, SiteData

    [a] = make_stores(tmp_path, 1)
    try:
        [item] = add_items(a, [ItemData(code="WAT", name="Water", category="water", unit="L")])
        [site] = add_sites(
            a,
            [
                SiteData(
                    name="Forward cache", kind="warehouse", lat=-12, lon=40, releasable_to="GBR"
                )
            ],
        )
        add_movements(a, [MovementData(site_id=site, item_id=item, kind="receipt", quantity=500)])
        out = tmp_path / "un.zip"
        export_bundle(a, "UN", out)
        with zipfile.ZipFile(out) as zf:
            lines = [
                json.loads(x)
                for x in gzip.decompress(zf.read("changes.jsonl.gz")).decode().splitlines()
                if x
            ]
        moves = [json.loads(x["fields"]) for x in lines if x["table_name"] == "stock_movement"]
        assert moves and all(m["site_id"] is None and m["item_id"] == item for m in moves)
        assert not any(x["row_id"] == site for x in lines)
    finally:
        a.close()
