#!/usr/bin/env python3
"""Coalition COP benchmarks: ``python bench/run.py [NAME ...] [--json]``.

Prints a table of medians (name, median, unit, baseline, ratio); with
``--json`` one JSON object per line with the keys ``name``, ``unit``,
``value`` (median), ``baseline`` (median of the baseline measured in the same
run, or null) and ``ratio`` (how many times better than the baseline:
baseline / value for times, value / baseline for rates; above 1 is better).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from cases import REGISTRY, Result  # noqa: E402


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "names", nargs="*", help="benchmarks to run (default: all): " + ", ".join(REGISTRY)
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per measurement")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    names = args.names or list(REGISTRY)
    results: list[Result] = []
    if not args.json:
        print(f"{'name':<24} {'median':>12} {'unit':<10} {'baseline':>12} {'ratio':>8}")
    for name in names:
        result = REGISTRY[name](args.repeat)
        results.append(result)
        if args.json:
            print(json.dumps(result.as_json()), flush=True)
        else:
            ratio = f"{result.ratio:.1f}" if result.ratio is not None else "-"
            print(
                f"{result.name:<24} {_fmt(result.value):>12} {result.unit:<10} "
                f"{_fmt(result.baseline):>12} {ratio:>8}",
                flush=True,
            )
            if result.note:
                print(f"    {result.note}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
