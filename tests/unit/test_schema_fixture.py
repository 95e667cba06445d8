"""The store written at schema 0001 still opens, migrates (with a backup when behind) and keeps its data."""

from __future__ import annotations

import shutil
from pathlib import Path

from fzmediate.security.roles import Role
from fzmediate.services.workspace import Workspace
from fzmediate.store.migrate import head_revision
from tests.support import FAST_KDF

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0001"


def test_schema_0001_store_opens_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    ws = Workspace(data, kdf=FAST_KDF)
    with ws.unlock("admin", "fixture-pass-1") as s:
        users = {u.login: u for u in s.users.list()}
        assert users["med1"].full_name == "王𠮷"
        assert users["sup1"].role is Role.SUPERVISOR and users["sup1"].legally_qualified
        assert s.maintenance.check().ok
    backups = list((data / "backups").glob("fzmediate.db.bak-0001-*")) if (data / "backups").exists() else []
    # Behind head means an upgrade happened, and an upgrade always leaves a backup of the old file first.
    assert bool(backups) == (head_revision() != "0001")
