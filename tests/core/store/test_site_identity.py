"""Site identity: a person names the site and gives its partner; the partner is fixed
once the site has exchanged anything (a new site is a new store)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.cli import main
from app.core.common.markings import MarkingError
from app.core.picture.ops import add_units
from app.core.picture.queries import list_units
from app.core.store.engine import StoreError, open_store
from app.core.store.identity import (
    SiteChangeRefused,
    has_exchanged,
    key_fingerprint,
    set_site,
)
from app.core.sync.bundle import export_bundle, import_bundle
from app.core.sync.keys import site_keys, trust_sender, write_site_key
from tests.core.sync.helpers import unit


def test_a_new_store_is_not_confirmed_and_set_site_confirms_it(tmp_path: Path) -> None:
    path = tmp_path / "cop.sqlite"
    store = open_store(path, operator="tester")
    assert store.site.confirmed is False
    assert store.site.partner == "NATO"
    site = set_site(store, name="  Kigoma Forward  ", partner=" un ")
    assert (site.site_name, site.partner, site.confirmed) == ("Kigoma Forward", "UN", True)
    assert store.site == site  # the open store sees it at once
    site_id = store.site.site_id
    store.close()
    again = open_store(path, operator="tester")  # and it survives reopening
    try:
        assert again.site.site_id == site_id
        assert (again.site.site_name, again.site.partner, again.site.confirmed) == (
            "Kigoma Forward",
            "UN",
            True,
        )
    finally:
        again.close()


def test_renaming_alone_keeps_the_partner(tmp_path: Path) -> None:
    store = open_store(tmp_path / "cop.sqlite", site_name="Alpha", partner="UN")
    try:
        set_site(store, name="Alpha Main")
        assert (store.site.site_name, store.site.partner) == ("Alpha Main", "UN")
        set_site(store, partner="FRA")
        assert (store.site.site_name, store.site.partner) == ("Alpha Main", "FRA")
    finally:
        store.close()


def test_an_invalid_partner_or_empty_name_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cop.sqlite"
    store = open_store(path, site_name="Alpha")
    try:
        with pytest.raises(MarkingError):
            set_site(store, name="Bravo", partner="XXQ")
        with pytest.raises(StoreError):
            set_site(store, name="   ")
        assert (store.site.site_name, store.site.partner, store.site.confirmed) == (
            "Alpha",
            "NATO",
            False,
        )
    finally:
        store.close()
    again = open_store(path)
    try:
        assert (again.site.site_name, again.site.partner, again.site.confirmed) == (
            "Alpha",
            "NATO",
            False,
        )
    finally:
        again.close()


def test_the_partner_is_fixed_after_a_real_bundle_exchange(tmp_path: Path) -> None:
    a = open_store(tmp_path / "a.sqlite", site_name="Alpha")
    b = open_store(tmp_path / "b.sqlite", site_name="Bravo")
    try:
        for s in (a, b):
            write_site_key(s, tmp_path / f"{s.site.site_name}.key")
        trust_sender(a, tmp_path / "Bravo.key", "Bravo")
        trust_sender(b, tmp_path / "Alpha.key", "Alpha")
        assert not has_exchanged(a) and not has_exchanged(b)  # trusting a key is not an exchange
        add_units(a, [unit("1st Coy")])
        export_bundle(a, "NATO", tmp_path / "a-to-b.zip")
        assert has_exchanged(a)  # a bundle made: partners hold it under NATO
        assert not has_exchanged(b)
        import_bundle(b, tmp_path / "a-to-b.zip")
        assert [u.name for u in list_units(b)] == ["1st Coy"]
        assert has_exchanged(b)  # a bundle imported
        for s in (a, b):
            with pytest.raises(SiteChangeRefused, match="new site"):
                set_site(s, name="Renamed", partner="UN")
            assert s.site.partner == "NATO"
            assert s.site.site_name in ("Alpha", "Bravo")  # nothing written, not even the name
            set_site(s, name=f"{s.site.site_name} Main", partner="nato")  # same partner: allowed
            assert s.site.partner == "NATO" and s.site.confirmed
        assert (a.site.site_name, b.site.site_name) == ("Alpha Main", "Bravo Main")
    finally:
        a.close()
        b.close()
    reopened = open_store(tmp_path / "b.sqlite")
    try:
        assert (reopened.site.site_name, reopened.site.partner) == ("Bravo Main", "NATO")
    finally:
        reopened.close()


def test_the_key_fingerprint_is_the_sha256_of_the_raw_public_key(tmp_path: Path) -> None:
    store = open_store(tmp_path / "cop.sqlite")
    try:
        raw = site_keys(store).public_key
        assert len(raw) == 32
        fp = key_fingerprint(raw)
        assert fp.replace(" ", "") == hashlib.sha256(raw).hexdigest().upper()
        assert [len(g) for g in fp.split(" ")] == [4] * 16
    finally:
        store.close()


# --- the command line ---


def _show(db: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["--db", str(db), "site", "show"]) == 0
    return capsys.readouterr().out.splitlines()


def test_site_set_and_show_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cop.sqlite"
    assert (
        main(["--db", str(db), "site", "set", "--name", "Kigoma Forward", "--partner", "un"]) == 0
    )
    capsys.readouterr()
    lines = _show(db, capsys)
    assert "Name: Kigoma Forward" in lines
    assert "Partner: UN" in lines
    store = open_store(db)
    try:
        assert f"Site id: {store.site.site_id}" in lines
        fp = key_fingerprint(site_keys(store).public_key)
        assert f"Key fingerprint: {fp}" in lines
        assert store.site.confirmed
    finally:
        store.close()
    assert main(["--db", str(db), "site", "set", "--name", "Kigoma Main"]) == 0
    assert "Name: Kigoma Main" in capsys.readouterr().out.splitlines()
    assert "Partner: UN" in _show(db, capsys)


def test_site_set_refuses_a_bad_partner_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cop.sqlite"
    assert main(["--db", str(db), "site", "set", "--name", "Alpha"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "site", "set", "--name", "Bravo", "--partner", "XXQ"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "coalition-cop: error: --partner: unknown partner code 'XXQ'"
    assert main(["--db", str(db), "site", "set"]) == 2
    capsys.readouterr()
    lines = _show(db, capsys)
    assert "Name: Alpha" in lines and "Partner: NATO" in lines


def test_site_set_refuses_a_partner_change_after_an_exchange(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cop.sqlite"
    store = open_store(db, site_name="Alpha")
    try:
        add_units(store, [unit("1st Coy")])
        export_bundle(store, "NATO", tmp_path / "out.zip")
    finally:
        store.close()
    assert main(["--db", str(db), "site", "set", "--partner", "UN"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "new site" in err[0] and "NATO" in err[0], err
    assert main(["--db", str(db), "site", "set", "--name", "Alpha Main"]) == 0
    capsys.readouterr()
    lines = _show(db, capsys)
    assert "Name: Alpha Main" in lines and "Partner: NATO" in lines


def test_the_partner_is_fixed_after_a_server_sync(tmp_path: Path) -> None:
    from app.core.sync.central import sync_with_server
    from tests.core.sync.helpers import server_database

    with server_database() as url:
        store = open_store(tmp_path / "cop.sqlite", site_name="Alpha")
        try:
            set_site(store, partner="UN")  # before any exchange: allowed
            assert not has_exchanged(store)
            sync_with_server(store, url)  # nothing to send: a sync all the same
            assert has_exchanged(store)
            with pytest.raises(SiteChangeRefused):
                set_site(store, partner="NATO")
            assert store.site.partner == "UN"
        finally:
            store.close()
