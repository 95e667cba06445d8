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


def machine_speed() -> float:
    """Milliseconds this machine takes now for a fixed CPU-bound task (median of 5): JSON encoding and parsing of a
    page of 720 changes with rare characters, 20 times, one thread. These machines' speed changes by a third
    within an hour; a figure is comparable with another run's only beside this one."""
    from pydantic_core import from_json, to_json

    change = {
        "server_seq": 1,
        "device_id": "01a25150-49f5-72f6-8627-8fb00db7cb2e",
        "entity": "party",
        "payload": {"name": "王𠮷明", "address": "广东省深圳市坪山区坪山街道䶮路123号", "n": [1, 2.5, None, True]},
        "created_at": "2026-12-01T08:00:00Z",
    }
    page = {"changes": [dict(change, server_seq=n) for n in range(720)], "next_after": 720, "more": False}

    def task() -> None:
        for _ in range(20):
            from_json(to_json(page))

    return median([timed(task) for _ in range(5)])
