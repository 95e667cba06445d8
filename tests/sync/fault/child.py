"""A desk's sync in a child process, for the crash tests: ``python -m tests.sync.fault.child STORE SKEW_S``.

The test sets ``FZMEDIATE_CRASHPOINT`` (``fzmediate.security.crashpoints``): the process kills itself with
SIGKILL at that point of ``fzmediate.sync.client``, leaving the store as a power cut would. Pull pages are
small (``PAGE``), so that a crash can land between two of them. Without a crash it prints the sync's report.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fzmediate.services.workspace import Workspace
from fzmediate.sync import client
from tests.support import ADMIN_PW, FAST_KDF

PAGE = 3


def main(store: str, skew_s: str) -> int:
    vars(client)["MAX_PULL_LIMIT"] = vars(client)["BASE_PULL_LIMIT"] = PAGE  # small pages: crashes between them

    def clock() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=float(skew_s))

    with Workspace(Path(store), kdf=FAST_KDF, clock=clock).unlock("admin", ADMIN_PW) as s:
        report = client.sync(s)
    print(json.dumps(report.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
