"""Every user-facing string is translated; French works end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polib
import pytest

from app.i18n import _, catalogue_files, set_language
from app.i18n_catalog import extract

PLACEHOLDER = re.compile(r"\{[a-z_]+[^}]*\}")


@pytest.fixture
def french() -> Iterator[None]:
    set_language("fr")
    yield
    set_language("en")


def _catalogue() -> dict[tuple[str | None, str], polib.POEntry]:
    return {
        (e.msgctxt, e.msgid): e
        for path in catalogue_files("fr")
        for e in polib.pofile(str(path))
        if not e.obsolete
    }


def test_every_user_facing_string_has_a_french_translation() -> None:
    catalogue = _catalogue()
    missing = [
        f"{m.where}: {m.msgid!r}"
        for m in extract()
        if not (entry := catalogue.get((m.context, m.msgid)))
        or not entry.msgstr
        or "fuzzy" in entry.flags
    ]
    assert not missing, (
        "untranslated (run: python -m app.i18n_catalog fr [--into AREA], then translate):\n"
        + "\n".join(missing)
    )


def test_translations_keep_every_placeholder_and_mnemonic() -> None:
    for entry in _catalogue().values():
        if not entry.msgstr:
            continue
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ), entry.msgid
        assert entry.msgid.count("&") == entry.msgstr.count("&"), entry.msgid


def test_french_is_used_when_chosen(french: None) -> None:
    assert _("Units") != "Units"
    assert _("{shown} of {total} units").format(shown=1, total=2).startswith("1")


def test_the_command_line_speaks_french(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    try:
        code = main(
            [
                "--lang",
                "fr",
                "--db",
                str(tmp_path / "s.sqlite"),
                "import",
                str(tmp_path / "none.geojson"),
            ]
        )
    finally:
        set_language("en")
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("coalition-cop: error:")
    assert "no such file" not in err  # the French text, not the English one
