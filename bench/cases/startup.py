"""cold_start: process start to the demo map loaded and idle, in ms."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cases import Result, bench, median


def _prepare(folder: Path) -> Path:
    from app.core.demo.picture import load_demo
    from app.core.store.engine import open_store

    db = folder / "demo.sqlite"
    store = open_store(db, operator="bench")
    load_demo(store)
    store.close()
    return db


def _one_start(db: Path, folder: Path) -> float:
    """One start with the user's settings and page cache as a second start has them."""
    env = dict(os.environ)
    env.update(
        COP_EXIT_WHEN_IDLE="1",
        QT_QPA_PLATFORM="offscreen",
        COP_SETTINGS=str(folder / "settings.ini"),
        COP_CACHE=str(folder / "cache"),
        COP_LANG="en",
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(db), "gui"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ready"):
            elapsed = (time.perf_counter() - start) * 1000
            break
    else:
        proc.wait()
        raise RuntimeError("the app exited before the map was ready")
    proc.wait(timeout=60)
    return elapsed


@bench("cold_start")
def cold_start(repeat: int | None) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = _prepare(folder)
        _one_start(db, folder)  # warm the OS file cache once, as a workstation would be
        times = [_one_start(db, folder) for _ in range(repeat or 5)]
    return Result(
        "cold_start",
        "ms",
        median(times),
        note=f"target < 2,000 ms; runs: {[round(t) for t in times]}",
    )
