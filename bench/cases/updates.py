"""Live updates at 20,000 units.

store_update_20k: every one of 20,000 units moved by the core operation
    (``move_units``: positions, history, change log), ms.
map_update_20k: the same moves, from the change event being published to the
    page having painted them, ms.
ui_stall_1k_moving: longest GUI event-loop stall while 1,000 units move every
    second for 10 s (ms; the median of three such runs, once the window has
    settled).
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from cases import Result, bench, median
from cases.map_cases import _app, _store, _wait


def _moves(store: Any, step: int) -> list[tuple[str, float, float]]:
    from sqlalchemy import select

    from app.core.store.models import Unit

    with store.session() as session:
        rows = session.execute(
            select(Unit.id, Unit.lat, Unit.lon).where(Unit.deleted.is_(False))
        ).all()
    rng = np.random.default_rng(step)
    jitter = rng.uniform(-0.01, 0.01, (len(rows), 2))
    return [
        (uid, lat + float(d[0]), lon + float(d[1]))
        for (uid, lat, lon), d in zip(rows, jitter, strict=True)
    ]


@bench("store_update_20k")
def store_update(repeat: int | None) -> Result:
    from app.core.picture.ops import move_units

    with tempfile.TemporaryDirectory() as tmp:
        store = _store(Path(tmp), 20_000)
        times = []
        for step in range(repeat or 5):
            moves = _moves(store, step)
            t = time.perf_counter()
            move_units(store, moves)
            times.append((time.perf_counter() - t) * 1000)
        store.close()
    return Result(
        "store_update_20k",
        "ms",
        median(times),
        note=f"target < 500 ms; {[round(t) for t in times]}",
    )


def _window(app: Any, store: Any, folder: Path) -> Any:
    from PySide6.QtCore import QSettings

    from app.ui.app import build_window

    window = build_window(store)
    window.ctx.settings = QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)
    window.resize(1600, 1000)
    window.show()
    _wait(
        app,
        lambda: window.map_controller.loaded and window.map_view.last_paint.get("total") == 20_000,
    )
    return window


@bench("map_update_20k")
def map_update(repeat: int | None) -> Result:
    from app.core.picture.ops import move_units

    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _store(folder, 20_000)
        window = _window(app, store, folder)
        times = []
        state: dict[str, float] = {}

        def published(_changes: object) -> None:
            state.setdefault("published", time.perf_counter())

        def delta_sent(_n: int) -> None:
            state["sent"] = 1.0

        unsubscribe = store.events.subscribe(published)
        window.map_controller.sig_delta_sent.connect(delta_sent)
        for step in range(repeat or 5):
            state.clear()
            frame = window.map_view.last_paint.get("frame", 0)
            move_units(store, _moves(store, 100 + step))
            _wait(
                app,
                lambda f=frame: "sent" in state and window.map_view.last_paint.get("frame", 0) > f,
            )
            times.append((time.perf_counter() - state["published"]) * 1000)
        unsubscribe()
        window.close()
        store.close()
    return Result(
        "map_update_20k", "ms", median(times), note=f"target < 150 ms; {[round(t) for t in times]}"
    )


@bench("ui_stall_1k_moving")
def ui_stall(repeat: int | None) -> Result:
    from PySide6.QtCore import QTimer

    from app.core.picture.ops import move_units

    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _store(folder, 20_000)
        window = _window(app, store, folder)
        # measured once the window has settled (panels filled, no job queued):
        # the stalls of loading itself belong to cold_start
        _wait(
            app,
            lambda: window.panels["units"].model.rowCount() == 20_000 and window.ctx.runner.idle(),
        )
        ids = [m[0] for m in _moves(store, 0)][:1000]
        runs: list[list[float]] = []
        for run in range(repeat or 3):
            stop = threading.Event()

            def mover(
                run: int = run, stop: threading.Event = stop
            ) -> None:  # 1,000 units moving every second
                step = 0
                while not stop.is_set():
                    rng = np.random.default_rng((run, step))
                    d = rng.uniform(-0.01, 0.01, (len(ids), 2))
                    move_units(
                        store,
                        [
                            (u, -12.0 + float(a), 40.0 + float(b))
                            for u, (a, b) in zip(ids, d, strict=True)
                        ],
                    )
                    step += 1
                    stop.wait(1.0)

            gaps: list[float] = []
            last = [time.perf_counter()]

            def tick(gaps: list[float] = gaps, last: list[float] = last) -> None:
                now = time.perf_counter()
                gaps.append((now - last[0]) * 1000 - 5)
                last[0] = now

            timer = QTimer()
            timer.timeout.connect(tick)
            timer.start(5)
            thread = threading.Thread(target=mover, name="bench-mover")
            thread.start()
            end = time.perf_counter() + 10
            while time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.001)
            stop.set()
            thread.join()
            timer.stop()
            runs.append(gaps)
        window.close()
        store.close()
    worst = [max(gaps) for gaps in runs]
    big = [[round(g) for g in gaps if g > 50] for gaps in runs]
    return Result(
        "ui_stall_1k_moving",
        "ms",
        median(worst),
        note=(
            "target < 50 ms: median over 10 s runs of the longest gap between 5 ms timer ticks, minus 5; "
            f"per run {[round(w) for w in worst]}; gaps over 50 ms: {big}"
        ),
    )
