"""The district server's first schema: units, enrollment, devices, nonces, change log, entities, conflicts,
the commit sequence counter and audit anchors.

Revision ID: s0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fzmediate.server.models import UTCDateTime

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("parent", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_units"),
    )
    op.create_table(
        "enroll_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name="pk_enroll_codes"),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("device_code", sa.String(8), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("acked_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_devices"),
        sa.UniqueConstraint("device_code", name="uq_devices_device_code"),
    )
    op.create_index("ix_devices_unit", "devices", ["unit"])
    op.create_table(
        "nonces",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "nonce", name="pk_nonces"),
    )
    op.create_index("ix_nonces_created_at", "nonces", ["created_at"])
    op.create_table(
        "change_log",
        sa.Column("server_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.String(64), nullable=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("server_seq", name="pk_change_log"),
        sa.UniqueConstraint("device_id", "device_seq", name="uq_change_log_device_seq"),
        sa.UniqueConstraint("change_id", name="uq_change_log_change_id"),
    )
    op.create_index("ix_change_log_unit_seq", "change_log", ["unit", "server_seq"])
    op.create_table(
        "entities",
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("last_server_seq", sa.BigInteger(), nullable=True),
        sa.Column("last_device", sa.String(64), nullable=False),
        sa.Column("last_actor", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", name="pk_entities"),
    )
    op.create_table(
        "conflicts",
        sa.Column("conflict_id", sa.String(36), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("base_value", sa.JSON(), nullable=True),
        sa.Column("server_value", sa.JSON(), nullable=True),
        sa.Column("client_value", sa.JSON(), nullable=True),
        sa.Column("server_device", sa.String(64), nullable=True),
        sa.Column("client_device", sa.String(64), nullable=False),
        sa.Column("server_actor", sa.String(64), nullable=True),
        sa.Column("client_actor", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("conflict_id", name="pk_conflicts"),
    )
    op.create_index("ix_conflicts_unit", "conflicts", ["unit"])
    seq_counter = op.create_table(
        "seq_counter",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_seq_counter"),
    )
    op.bulk_insert(seq_counter, [{"name": "change_log", "value": 0}])
    op.create_table(
        "anchors",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(128), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_anchors"),
    )


def downgrade() -> None:
    for table in (
        "anchors",
        "seq_counter",
        "conflicts",
        "entities",
        "change_log",
        "nonces",
        "devices",
        "enroll_codes",
        "units",
    ):
        op.drop_table(table)
