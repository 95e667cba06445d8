"""The store written at schema 0001 still opens, migrates (with a backup when behind) and keeps its data."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import inspect, text

from fzmediate.security.roles import Role
from fzmediate.services.workspace import Workspace
from fzmediate.store.migrate import current_revision, head_revision
from tests.cases_support import SHIPPED
from tests.support import FAST_KDF
from tests.synthetic import make_resident_id

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0001"


def test_schema_0001_store_opens_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    ws = Workspace(data, kdf=FAST_KDF)
    with ws.unlock("admin", "fixture-pass-1") as s:
        users = {u.login: u for u in s.users.list()}
        assert users["med1"].full_name == "王𠮷"
        assert s.maintenance.check().ok
    backups = list((data / "backups").glob("fzmediate.db.bak-0001-*")) if (data / "backups").exists() else []
    # Behind head means an upgrade happened, and an upgrade always leaves a backup of the old file first.
    assert bool(backups) == (head_revision() != "0001")


def test_upgrade_0001_to_0002_keeps_every_user_and_leaves_the_old_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    assert head_revision() >= "0002"
    ws = Workspace(data, kdf=FAST_KDF)
    with ws.unlock("admin", "fixture-pass-1") as s:
        assert current_revision(s.db.engine) == head_revision()
        users = {u.login: u for u in s.users.list()}
        assert set(users) == {"admin", "med1", "sup1"}
        assert users["admin"].role is Role.ADMIN and users["admin"].full_name == "测试管理员"
        med1 = users["med1"]
        assert med1.role is Role.MEDIATOR and med1.full_name == "王𠮷"
        assert (med1.phone, med1.id_type) == ("+8613900001111", "resident_id")
        assert med1.id_number == make_resident_id(region="440310", seq=11)
        assert med1.address == "坪山区坪山街道测试路1号"
        assert users["sup1"].role is Role.SUPERVISOR and users["sup1"].legally_qualified
        assert users["sup1"].full_name == "张䶮"
        with s.read() as r:
            tables = set(inspect(r.connection()).get_table_names())
            triggers = {row[0] for row in r.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert {"cases", "parties", "case_events", "outbox", "case_counters", "search_terms"} <= tables
        assert {"trg_case_events_no_update", "trg_case_events_no_delete"} <= triggers
        assert [b.version for b in s.catalogue.bundles()] == [SHIPPED]  # the shipped catalogue, imported on unlock
        assert s.cases.list() == []
        assert s.maintenance.check().ok
    with ws.unlock("med1", "fixture-pass-2") as s:  # the other users' key slots still open the upgraded store
        assert s.actor.role is Role.MEDIATOR
    [backup] = (data / "backups").glob("fzmediate.db.bak-0001-*")
    assert backup.read_bytes() == (FIXTURE / "fzmediate.db").read_bytes()
