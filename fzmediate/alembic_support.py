"""Alembic set-up shared by the two databases that migrate with it: the desk's encrypted store
(``fzmediate.store``) and the district server's database (``fzmediate.server``), each with its own scripts."""

from __future__ import annotations

from importlib import resources

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(package: str) -> Config:
    """The configuration whose scripts are the ``migrations`` folder of ``package``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files(package) / "migrations"))
    return cfg


def head_revision(package: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(package)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
