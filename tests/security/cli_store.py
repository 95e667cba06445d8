"""One initialized store for the bad-input tests, and the real ``fzmediate`` command run in-process on it.

The store is set up with the fast test KDF (the key slots record their cost, so the command unlocks it
quickly too) and holds one registered and one accepted case of synthetic people.
"""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fzmediate import cli
from fzmediate.services.cases import CHINA
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Case, CaseCounter, CaseEventRow, OutboxEntry, PartyRow, SearchTerm
from tests.cases_support import intake
from tests.support import ADMIN_PW, FAST_KDF

#: What refused input must leave unchanged (audit events are left out: unlocking may record one).
CASE_TABLES = {
    "cases": Case,
    "parties": PartyRow,
    "case_events": CaseEventRow,
    "outbox": OutboxEntry,
    "search_terms": SearchTerm,
    "case_counters": CaseCounter,
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def line(self) -> str:
        """The one line on stderr (asserts there is exactly one, and no traceback)."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert "Traceback" not in self.err and "\x1b" not in self.err
        return lines[0]


@dataclass(frozen=True)
class CliStore:
    data: Path
    #: Case ids: one registered (``accept`` possible), one accepted (``accept`` always refused).
    registered: str
    accepted: str

    def counts(self) -> dict[str, int]:
        with Workspace(self.data).unlock("admin", ADMIN_PW) as s, s.read() as db:
            return {name: int(db.scalar(select(func.count()).select_from(m)) or 0) for name, m in CASE_TABLES.items()}

    def audit_events(self, action: str) -> int:
        with Workspace(self.data).unlock("admin", ADMIN_PW) as s, s.read() as db:
            query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            return int(db.scalar(query) or 0)


def received_on() -> str:
    """Three days ago in China: the command counts dates on the real clock, in China time."""
    return (datetime.now(CHINA).date() - timedelta(days=3)).isoformat()


def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliStore]:
    """Body of a module-scoped fixture: ``yield from cli_store(tmp_path_factory)``."""
    data = tmp_path_factory.mktemp("bad-input") / "data"
    ws = Workspace(data, kdf=FAST_KDF)
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit="PS-JD-PS")
    with ws.unlock("admin", ADMIN_PW) as s:
        registered = s.cases.create(intake(received_on=received_on())).id
        accepted = s.cases.create(intake(received_on=received_on(), summary="已受理的案件"), confirm_duplicate=True).id
        s.cases.act(accepted, "accept")
    yield CliStore(data, registered, accepted)
    # The command attached a log handler for this data directory to the root logger: take it off again.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler) and str(data) in handler.baseFilename:
            root.removeHandler(handler)
            handler.close()


def run(capsys: pytest.CaptureFixture[str], store: CliStore, *args: str, user: bool = True) -> Result:
    """``fzmediate --lang en ARGS --data-dir STORE [--user admin]`` in this process (password from the env)."""
    argv = ["--lang", "en", *args, "--data-dir", str(store.data)]
    if user:
        argv += ["--user", "admin"]
    capsys.readouterr()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return Result(code, out, err)
