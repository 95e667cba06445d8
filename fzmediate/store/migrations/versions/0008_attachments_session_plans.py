"""Attachments (scans and photos filed with a case) and planned sessions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``attachments`` keeps the file's bytes in the encrypted store (never a file beside it); a wrong file is
marked removed, never deleted. ``session_plans`` holds the sessions a mediator plans (time, place, staff);
``hold_session`` remains the legal record of a session held. New tables only: no data changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("material", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by", sa.String(64), nullable=False),
        sa.Column("removed_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_attachments_case_id_cases"),
    )
    op.create_index("ix_attachments_case_id", "attachments", ["case_id"])
    op.create_table(
        "session_plans",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_plans"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_session_plans_case_id_cases"),
    )
    op.create_index("ix_session_plans_starts_at", "session_plans", ["starts_at"])
    op.create_index("ix_session_plans_case_id", "session_plans", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_session_plans_case_id", "session_plans")
    op.drop_index("ix_session_plans_starts_at", "session_plans")
    op.drop_table("session_plans")
    op.drop_index("ix_attachments_case_id", "attachments")
    op.drop_table("attachments")
