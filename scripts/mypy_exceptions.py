"""Count the mypy errors per module again and rewrite the list of exceptions.

    python scripts/mypy_exceptions.py           # print the new list
    python scripts/mypy_exceptions.py --write   # replace it at the end of pyproject.toml

The exceptions are the ``[[tool.mypy.overrides]]`` tables after the line starting
``# The exceptions to work down`` in pyproject.toml: one per module that still has
errors, disabling only the error codes it has, with the count in a comment. Run this
after fixing a module (its table goes away) or after a merge; never to hide a new
error in a module that had none without saying so in the commit.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
MARKER = "# The exceptions to work down"
ERROR = re.compile(r"^(app/[^:]+)\.py:\d+: error: .*\[([a-z-]+)\]$")


def _mypy(config: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyproject.toml"
        path.write_text(config, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "mypy", "app", "--config-file", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    return proc.stdout.splitlines()


def _errors(lines: list[str]) -> dict[str, collections.Counter[str]]:
    found: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in lines:
        if m := ERROR.match(line.strip()):
            module = m.group(1).replace("/", ".").removesuffix(".__init__")
            found[module][m.group(2)] += 1
    return found


def _block(errors: dict[str, collections.Counter[str]], keep_ignores: set[str]) -> str:
    total = sum(sum(c.values()) for c in errors.values())
    out = [
        f"{MARKER} ({total} errors in {len(errors)} modules, {date.today():%Y-%m-%d}): each module",
        "# below may still have errors of the codes listed, counted on the line above. Fix a module,",
        "# drop its codes and keep 'mypy app' at zero errors (scripts/mypy_exceptions.py counts",
        "# again). warn_unused_ignores is off where a disabled code made a '# type: ignore[code]'",
        "# in the module look unused.",
    ]
    for module in sorted(errors):
        counts = errors[module]
        n = sum(counts.values())
        detail = ", ".join(
            f"{code} {k}" for code, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        out += [
            "",
            "[[tool.mypy.overrides]]",
            f"# {n} error{'s' if n > 1 else ''}: {detail}",
            f'module = "{module}"',
            "disable_error_code = [" + ", ".join(f'"{c}"' for c in sorted(counts)) + "]",
        ]
        if module in keep_ignores:
            out.append("warn_unused_ignores = false")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite pyproject.toml")
    args = parser.parse_args(argv)
    text = PYPROJECT.read_text(encoding="utf-8")
    at = text.find("\n" + MARKER)
    base = text if at < 0 else text[: at + 1]
    errors = _errors(_mypy(base))
    unused = {
        m for m, c in _errors(_mypy(base + _block(errors, set()))).items() if c["unused-ignore"]
    }
    block = _block(errors, unused)
    if args.write:
        PYPROJECT.write_text(base.rstrip("\n") + "\n\n" + block, encoding="utf-8")
        print(f"pyproject.toml: {len(errors)} modules listed", file=sys.stderr)
    else:
        print(block, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
