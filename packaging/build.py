#!/usr/bin/env python3
"""Build the one-folder bundle of Coalition COP (no Python needed to run it).

    python packaging/build.py                 # -> dist/coalition-cop/
    python packaging/build.py --archive       # and dist/coalition-cop-<version>-linux-x86_64.tar.gz
    python packaging/build.py --dist /tmp/out --work /tmp/work
    python packaging/build.py --windowed      # Windows: no console window beside the GUI

Run it with the Python that has the app's dependencies and the ``bundle`` extra
(``pip install -e ".[bundle]"``).  It runs PyInstaller on
``packaging/coalition-cop.spec``, then adds what a desktop needs next to the
executable: ``share/applications`` (the .desktop file), ``share/icons``,
``share/metainfo`` (AppStream) and ``install.sh``.  It prints the build time,
the size and the number of files.  The same command builds on Windows (the
desktop files are then simply not used).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
NAME = "coalition-cop"
APP_ID = "org.coalitioncop.CoalitionCOP"


def version() -> str:
    for line in (ROOT / "app" / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("build.py: no __version__ in app/__init__.py")


def run_pyinstaller(dist: Path, work: Path, windowed: bool = False) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(PACKAGING / f"{NAME}.spec"),
    ]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", COP_BUNDLE_WINDOWED="1" if windowed else "")
    done = subprocess.run(command, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"build.py: PyInstaller failed (exit {done.returncode})")


def add_desktop_files(bundle: Path) -> None:
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy2(PACKAGING / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    shutil.copy2(
        PACKAGING / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"
    )
    shutil.copytree(PACKAGING / "icons", share / "icons", dirs_exist_ok=True)
    install = bundle / "install.sh"
    shutil.copy2(PACKAGING / "install.sh", install)
    install.chmod(0o755)


def measure(bundle: Path) -> tuple[int, int]:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def archive(bundle: Path) -> Path:
    """A .tar.gz of the bundle (a .zip on Windows), named for the version and platform."""
    machine = platform.machine().lower() or "unknown"
    stem = f"{NAME}-{version()}-{sys.platform.replace('32', '')}-{machine}"
    if sys.platform == "win32":
        return Path(shutil.make_archive(str(bundle.parent / stem), "zip", bundle.parent, NAME))
    out = bundle.parent / f"{stem}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=NAME)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder",
    )
    parser.add_argument(
        "--archive", action="store_true", help="also write a .tar.gz (Windows: .zip) of the bundle"
    )
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="no console window (Windows desktop shortcut); the CLI then prints nothing",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    run_pyinstaller(args.dist.resolve(), args.work.resolve(), windowed=args.windowed)
    bundle = args.dist.resolve() / NAME
    add_desktop_files(bundle)
    seconds = time.perf_counter() - start
    size, count = measure(bundle)
    print(f"bundle: {bundle}")
    print(f"build time: {seconds:.0f} s; size: {size / 1e6:.0f} MB in {count} files")
    if args.archive:
        out = archive(bundle)
        print(f"archive: {out} ({out.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
