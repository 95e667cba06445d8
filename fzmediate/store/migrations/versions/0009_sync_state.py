"""Sync with the district server: the device's enrollment and cursors, and conflicts kept for a person.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

``sync_state`` (one row, written at enrollment) holds the server's address, the device's Ed25519 private key
(inside the encrypted store only), the unit and device code the server assigned, the pull cursor, the highest
acknowledged outbox ``device_seq`` and the learned clock offset. ``sync_conflicts`` keeps both values of a field
changed on two devices. New tables only: no data changes, and nothing is rebuilt (the append-only triggers
of ``case_events`` stay as they are).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("device_key", sa.LargeBinary(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("device_code", sa.String(16), nullable=False),
        sa.Column("after", sa.Integer(), nullable=False),
        sa.Column("acked_through", sa.Integer(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("last_report", sa.JSON(), nullable=True),
        sa.Column("ca_pem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_state"),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("conflict_id", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("base_value", sa.JSON(), nullable=True),
        sa.Column("server_value", sa.JSON(), nullable=True),
        sa.Column("client_value", sa.JSON(), nullable=True),
        sa.Column("server_device", sa.String(64), nullable=False),
        sa.Column("client_device", sa.String(64), nullable=False),
        sa.Column("server_actor", sa.String(64), nullable=False),
        sa.Column("client_actor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=False),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("conflict_id", name="pk_sync_conflicts"),
    )
    op.create_index("ix_sync_conflicts_entity_id", "sync_conflicts", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_conflicts_entity_id", "sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_state")
