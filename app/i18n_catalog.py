"""Finding every translatable string in the source (used by the translation
check in the tests and by ``python -m app.i18n_catalog`` to update the .po files).

Besides ``_()``, ``N_()`` and ``pgettext()`` calls with literal arguments in the Python
source, the demo's data files hold user-facing texts (the briefing's slides) that the
generator passes through ``_()``; ``app.core.demo.data.translatable_messages`` lists them.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

from app import paths
from app.i18n import catalogue_files

SOURCE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Message:
    msgid: str
    context: str | None
    where: str


def extract(root: Path = SOURCE) -> list[Message]:
    found: dict[tuple[str | None, str], Message] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = node.args
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            if (
                node.func.id in ("_", "N_")
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                found.setdefault((None, args[0].value), Message(args[0].value, None, where))
            elif (
                node.func.id == "pgettext"
                and len(args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2])
            ):
                ctx, msg = args[0].value, args[1].value  # type: ignore[attr-defined]
                found.setdefault((ctx, msg), Message(msg, ctx, where))
    if root == SOURCE:
        from app.core.demo.data import translatable_messages

        for msgid, where in translatable_messages():
            found.setdefault((None, msgid), Message(msgid, None, where))
    return list(found.values())


def _new_catalogue(lang: str) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "coalition-cop",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    return po


def update(lang: str = "fr", into: str | None = None) -> tuple[int, int]:
    """Bring the catalogues of ``lang`` up to date with the source.

    An entry stays in whichever file already holds it (``<lang>.po`` or
    ``<lang>/<area>.po``); new msgids go to ``<lang>/<into>.po`` when ``into``
    is given, else to ``<lang>.po``.  Returns (total, untranslated).
    """
    root = paths.resource("i18n")
    target = root / lang / f"{into}.po" if into else root / f"{lang}.po"
    files = {p: polib.pofile(str(p)) for p in catalogue_files(lang)}
    if target not in files:
        files[target] = _new_catalogue(lang)
    messages = extract()
    wanted = {(m.context, m.msgid) for m in messages}
    existing = {(e.msgctxt, e.msgid): e for po in files.values() for e in po}
    for m in messages:
        entry = existing.get((m.context, m.msgid))
        if entry is None:
            entry = polib.POEntry(msgid=m.msgid, msgstr="", msgctxt=m.context)
            files[target].append(entry)
            existing[(m.context, m.msgid)] = entry
        entry.occurrences = [
            (m.where.rsplit(":", 1)[0], "")
        ]  # no line numbers: fewer merge conflicts
        entry.obsolete = False
    for key, entry in existing.items():
        if key not in wanted:
            entry.obsolete = True
    for path, po in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    untranslated = sum(1 for e in existing.values() if not e.obsolete and not e.msgstr)
    return len(messages), untranslated


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m app.i18n_catalog")
    parser.add_argument("lang", nargs="?", default="fr")
    parser.add_argument("--into", help="area file for new strings: resources/i18n/<lang>/<INTO>.po")
    args = parser.parse_args(argv)
    total, missing = update(args.lang, args.into)
    print(f"{total} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
