"""Kiosk applications: sealed applications pushed by kiosks, waiting for a desk of the responsible unit.

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fzmediate.server.models import UTCDateTime

revision = "s0006"
down_revision = "s0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_applications",
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("kiosk_device_id", sa.String(64), nullable=False),
        sa.Column("kiosk_unit", sa.String(32), nullable=False),
        sa.Column("office_key_id", sa.String(64), nullable=False),
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("matter_code", sa.String(32), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("acked_at", UTCDateTime(), nullable=True),
        sa.Column("acked_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("application_id", name="pk_kiosk_applications"),
    )
    op.create_index("ix_kiosk_applications_unit_waiting", "kiosk_applications", ["unit", "acked_at"])


def downgrade() -> None:
    op.drop_index("ix_kiosk_applications_unit_waiting", table_name="kiosk_applications")
    op.drop_table("kiosk_applications")
