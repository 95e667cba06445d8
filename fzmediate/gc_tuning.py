"""The garbage collector of a process that does bulk work: the district server's processes, the desk's store
process, a command-line sync.

A 1 MB push makes some 100,000 short-lived container objects on the server (the parsed changes, rows, answers),
and a desk pulling or pushing 10,000 cases makes millions. With CPython's default thresholds (a young
collection every 700 new objects, the older generations after 10 of the younger, a full one subject to the
25 % rule) the server ran about 300 young and 2 full collections per push, the full ones traversing everything
the process built at start-up too (modules, the app, its schemas: ~150,000 objects), on the push's critical
path (a device's pushes are taken one after the other); a desk syncing 10,000 cases spent over a second in
the collector, most of it in 8 full collections of ~110 ms (each holding the GIL: the store process answers
nothing meanwhile). So, once the process is ready for its work:

- :func:`gc.freeze` moves what exists into the permanent generation, never traversed again (modules, the app,
  the catalogue are not garbage);
- the young generation is collected every YOUNG new objects instead of 700. Reference cycles still get
  collected, only later: the code makes few, and YOUNG objects are a few megabytes at most.

Measured (``bench/bench_sync.py``; the collector's own time through :data:`gc.callbacks`) in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

#: New container objects between two collections of the youngest generation (CPython's default: 700).
YOUNG: Final = 50_000
#: Collections of a generation between two of the next one (CPython's default).
OLDER: Final = 10


def tune_for_bulk_work() -> None:
    """Free start-up garbage, freeze what the process holds now, collect the young generation less often
    (module docstring). Call once the process is ready for its work; calling again freezes what came since."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, OLDER, OLDER)


@contextmanager
def bulk_work() -> Iterator[None]:
    """:func:`tune_for_bulk_work` for a while (a command-line sync in a process that goes on afterwards, such as
    a test's), the collector as it was afterwards."""
    thresholds = gc.get_threshold()
    tune_for_bulk_work()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
