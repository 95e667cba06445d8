"""Schema migrations at start-up: Alembic on the open encrypted connection, with a backup first.

A database stamped with a revision this build does not know was written by a newer fzmediate: it is
refused before anything is written. An older one is copied to ``backups/`` and then upgraded.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from fzmediate.alembic_support import alembic_config
from fzmediate.alembic_support import current_revision as current_revision
from fzmediate.alembic_support import head_revision as _head_revision
from fzmediate.errors import SchemaTooNewError
from fzmediate.i18n import _
from fzmediate.store.engine import execute_outside_transaction


def _alembic_config() -> Config:
    return alembic_config("fzmediate.store")


def head_revision() -> str:
    return _head_revision("fzmediate.store")


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def check_schema_not_newer(engine: Engine) -> str | None:
    """Refuse a DB from a newer build; return its current revision (None for an empty DB)."""
    current = current_revision(engine)
    if current is not None and current not in _known_revisions():
        raise SchemaTooNewError(
            _(
                "The database was written by a newer version of fzmediate (schema {current}); this version "
                "knows schemas up to {head}. Install the newer version; nothing was changed."
            ).format(current=current, head=head_revision())
        )
    return current


def upgrade_to_head(engine: Engine, db_path: Path, backup_dir: Path) -> Path | None:
    """Bring the schema to head. Returns the backup made before an upgrade, if one was needed."""
    current = check_schema_not_newer(engine)
    head = head_revision()
    if current == head:
        return None
    backup: Path | None = None
    with engine.connect() as conn:
        has_tables = bool(inspect(conn).get_table_names())
    if current is not None or has_tables:
        backup = backup_database_file(engine, db_path, backup_dir, label=current or "unversioned")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def backup_database_file(engine: Engine, db_path: Path, backup_dir: Path, *, label: str) -> Path:
    """Copy the (still encrypted) DB file after folding the WAL into it, so the copy is complete."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    execute_outside_transaction(engine, "PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / "{0}.bak-{1}-{2}".format(db_path.name, label, stamp)
    shutil.copy2(db_path, target)
    return target
