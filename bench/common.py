"""Timing helpers: medians and percentiles of several runs on a noisy 2-CPU machine."""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    import os

    return "{0} {1}, {2} CPUs, Python {3}".format(
        platform.system(), platform.machine(), os.cpu_count(), platform.python_version()
    )


def header(title: str) -> str:
    return "## {0}\n\nMeasured {1} on {2}.\n".format(title, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine())
