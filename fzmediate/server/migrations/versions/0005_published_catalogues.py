"""Published catalogues: the district's signed catalogue bundles, which desks and kiosks pull.

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fzmediate.server.models import UTCDateTime

revision = "s0005"
down_revision = "s0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_catalogues",
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("published_on", sa.String(10), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", "version", name="pk_published_catalogues"),
    )


def downgrade() -> None:
    op.drop_table("published_catalogues")
