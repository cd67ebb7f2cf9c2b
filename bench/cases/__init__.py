"""Benchmark registry: each case returns a Result of medians."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    unit: str
    value: float
    baseline: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.value or not self.baseline:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit,
            "value": round(self.value, 3),
            "baseline": round(self.baseline, 3) if self.baseline is not None else None,
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
        }


def median(values: list[float]) -> float:
    return float(statistics.median(values))


REGISTRY: dict[str, Callable[[int | None], Result]] = {}


def bench(name: str) -> Callable[[Callable[[int | None], Result]], Callable[[int | None], Result]]:
    def register(fn: Callable[[int | None], Result]) -> Callable[[int | None], Result]:
        REGISTRY[name] = fn
        return fn

    return register


def _load_all() -> None:
    """Import every module of this package: each registers its cases (one file per area)."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"cases.{info.name}")


_load_all()
