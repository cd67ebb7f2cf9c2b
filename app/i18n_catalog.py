"""Finding every translatable string in the source (used by the translation
check in the tests and by ``python -m app.i18n_catalog`` to update the .po files)."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

from app import paths

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
            if node.func.id in ("_", "N_") and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.setdefault((None, args[0].value), Message(args[0].value, None, where))
            elif node.func.id == "pgettext" and len(args) >= 2 and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2]
            ):
                ctx, msg = args[0].value, args[1].value  # type: ignore[union-attr]
                found.setdefault((ctx, msg), Message(msg, ctx, where))  # type: ignore[arg-type]
    return list(found.values())


def update(lang: str = "fr") -> tuple[int, int]:
    """Add new msgids to ``resources/i18n/<lang>.po``; returns (total, untranslated)."""
    po_path = paths.resource("i18n", f"{lang}.po")
    po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    if not po_path.exists():
        po.metadata = {
            "Project-Id-Version": "coalition-cop",
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
    messages = extract()
    wanted = {(m.context, m.msgid) for m in messages}
    existing = {(e.msgctxt, e.msgid): e for e in po}
    for m in messages:
        entry = existing.get((m.context, m.msgid))
        if entry is None:
            entry = polib.POEntry(msgid=m.msgid, msgstr="", msgctxt=m.context)
            po.append(entry)
        entry.occurrences = [(m.where.rsplit(":", 1)[0], m.where.rsplit(":", 1)[1])]
        entry.obsolete = False
    for key, entry in existing.items():
        if key not in wanted:
            entry.obsolete = True
    po_path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(po_path))
    untranslated = sum(1 for e in po if not e.obsolete and not e.msgstr)
    return len(messages), untranslated


if __name__ == "__main__":
    total, missing = update(sys.argv[1] if len(sys.argv) > 1 else "fr")
    print(f"{total} messages, {missing} untranslated")
