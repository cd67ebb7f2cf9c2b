"""The tools that hold the shape of the house (DESIGN §2 and §6), run with the suite
so CI fails when the shape breaks:

- the import-linter contracts in ``pyproject.toml`` (``lint-imports``): a Qt-free
  core, pure codecs, the order of the record families, no SQL in the UI;
- ``mypy app`` with the config in ``pyproject.toml`` (strict; the exceptions are listed
  there per module, with their error counts);
- ``ruff check`` and ``ruff format --check`` on the whole tree;
- ``tests/core`` collects and passes where PySide6 and shiboken6 cannot be imported.

Each prints the tool's own report when it fails. mypy (20-80 s from a cold cache) and
the run of tests/core without Qt (as long as tests/core itself) are marked ``slow``:
``-m "not slow"`` leaves them out of a quick local run; CI runs them. Run one by hand from the top of the
repository: ``lint-imports``, ``mypy app``, ``ruff check . && ruff format --check .``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_TREES = ["app", "tests", "bench", "packaging", "scripts"]

# put first on sys.path of the child interpreter (and of every process it starts):
# PySide6 and shiboken6 then cannot be imported, as if they were not installed
NO_QT_SITECUSTOMIZE = '''\
import sys


class _NoQt:
    """Refuses PySide6 and shiboken6, as on a machine without them."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("PySide6", "shiboken6"):
            raise ModuleNotFoundError(f"No module named {name!r} (no Qt here)", name=name)
        return None


sys.meta_path.insert(0, _NoQt())
'''


def _run(args: list[str], timeout: float, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def test_the_import_contracts_are_kept() -> None:
    """``lint-imports``: the contracts in ``[tool.importlinter]`` of pyproject.toml."""
    code, out = _run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        timeout=300,
    )
    assert code == 0, f"lint-imports found broken contracts:\n{out}"
    assert "0 broken" in out, out


@pytest.mark.slow
def test_mypy_finds_no_errors_in_app() -> None:
    """``mypy app``: strict, with the per-module exceptions listed in pyproject.toml."""
    code, out = _run(
        [sys.executable, "-m", "mypy", "app", "--cache-dir", str(ROOT / ".mypy_cache")],
        timeout=900,
    )
    assert code == 0, f"mypy app:\n{out}"


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check"]], ids=["ruff-check", "ruff-format"]
)
def test_ruff_is_clean_on_the_whole_tree(command: list[str]) -> None:
    trees = [tree for tree in PYTHON_TREES if (ROOT / tree).is_dir()]
    code, out = _run([sys.executable, "-m", "ruff", *command, *trees], timeout=300)
    assert code == 0, f"ruff {' '.join(command)} {' '.join(trees)}:\n{out}"


@pytest.mark.slow
def test_the_core_tests_run_without_qt(tmp_path: Path) -> None:
    """``pytest tests/core`` collects and passes where PySide6 cannot be imported.

    The child has a ``sitecustomize`` that refuses PySide6 and shiboken6 (in it and
    in every process it starts); the root conftest then leaves out tests/ui,
    tests/packaging and pytest-qt. A core test that needs Qt skips cleanly.
    """
    site = tmp_path / "no_qt"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_QT_SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(site), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_PLUGINS", None)
    code, out = _run([sys.executable, "-c", "import PySide6"], timeout=60, env=env)
    assert code != 0 and "no Qt here" in out, f"the Qt blocker does not work:\n{out}"
    code, out = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/core"],
        timeout=3600,
        env=env,
    )
    tail = "\n".join(out.splitlines()[-80:])
    assert code == 0, f"tests/core without PySide6 (exit {code}):\n{tail}"
    assert " passed" in out and "error" not in out.splitlines()[-1], tail
