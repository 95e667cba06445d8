"""Office certificates: desks' certificate requests for their office keys and the district's certificates.

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fzmediate.server.models import UTCDateTime

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_requests",
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("request_pem", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("certificate_pem", sa.Text(), nullable=True),
        sa.Column("certified_at", UTCDateTime(), nullable=True),
        sa.Column("not_after", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_office_requests"),
        sa.UniqueConstraint("device_id", "key_sha256", name="uq_office_requests_device_key"),
    )
    op.create_index("ix_office_requests_device_id", "office_requests", ["device_id"])
    op.create_index("ix_office_requests_unit", "office_requests", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_office_requests_unit", table_name="office_requests")
    op.drop_index("ix_office_requests_device_id", table_name="office_requests")
    op.drop_table("office_requests")
