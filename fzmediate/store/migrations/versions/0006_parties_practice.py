"""Parties as practice has them: an organisation's 法定代表人/负责人, an agent's authority and its scope.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Four columns on ``parties``, empty for the rows already there: an organisation registered before this
revision has no representative on file (documents leave the line to be filled in by hand), and an agent has
no recorded authority, which the procedure treats as general authority (it cannot consent or sign for the
party) until the authority is corrected with a reason.

Batch mode: SQLite adds columns in place (no table copy), so the append-only triggers of ``case_events`` and
everything else stay untouched. Corrections, voids and late entries need no new columns: they are case
events (``correct``, ``void``) and fields of an event's payload.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("legal_representative", sa.Text()),
    ("representative_title", sa.String(16)),
    ("authority", sa.String(16)),
    ("authority_scope", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
