"""The translation layer: every user-facing string goes through ``_()``.

Qt-free so the core, the CLI and the UI share one catalogue.  Catalogues are
gettext ``.po`` files read with ``polib`` (no compile step, translators use
their usual tools): ``resources/i18n/<lang>.po`` plus one file per area in
``resources/i18n/<lang>/*.po`` (supply, sync, briefing...), merged.  English is the source
language.  The language comes from ``set_language()``, else ``COP_LANG``, else
the system locale.

Use named placeholders filled *after* translation so the msgid is constant::

    _("row {row}: unknown status '{value}'").format(row=4, value="x")
"""

from __future__ import annotations

import locale
import os
from functools import cache
from pathlib import Path

from app import paths

SUPPORTED = ("en", "fr")
_current: dict[str, str] = {}
_language = "en"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    import polib

    table: dict[str, str] = {}
    for po_path in catalogue_files(lang):
        for entry in polib.pofile(str(po_path)):
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags:
                key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
                table[key] = entry.msgstr
    return table


def catalogue_files(lang: str) -> list[Path]:
    """The .po files of one language: ``<lang>.po`` then ``<lang>/*.po`` by name."""
    root = paths.resource("i18n")
    files = [root / f"{lang}.po"] if (root / f"{lang}.po").is_file() else []
    folder = root / lang
    if folder.is_dir():
        files.extend(sorted(folder.glob("*.po")))
    return files


def _system_language() -> str:
    env = os.environ.get("COP_LANG")
    if env:
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return value
    try:
        return locale.getlocale()[0] or "en"
    except ValueError:
        return "en"


def set_language(lang: str | None = None) -> str:
    """Switch the active catalogue; returns the language actually used."""
    global _current, _language
    wanted = (lang or _system_language()).split(".")[0].split("_")[0].lower()
    _language = wanted if wanted in SUPPORTED else "en"
    _current = _catalogue(_language)
    return _language


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate a user-facing message."""
    return _current.get(message, message)


def pgettext(context: str, message: str) -> str:
    """Translate a message that needs a context to disambiguate it."""
    return _current.get(f"{context}\x04{message}", message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate at use)."""
    return message


set_language()
