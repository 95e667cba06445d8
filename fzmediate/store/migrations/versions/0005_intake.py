"""Kiosk intake: the office intake key, the desk's inbox of sealed applications, the kiosk's own tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Desk: ``intake_keys`` (public halves; the private half lives only in ``key_shares``) and ``intake_inbox``
(applications imported still sealed, with what became of them). Kiosk: ``kiosk_office_keys`` (public keys
from signed key files) and ``kiosk_outbox`` (sealed applications). Both kinds of store share one schema;
each uses its own tables (a kiosk store's case tables stay empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_keys",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("office", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_intake_keys"),
        sa.UniqueConstraint("fingerprint", name="uq_intake_keys_fingerprint"),
    )
    op.create_table(
        "intake_inbox",
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("office_key_id", sa.String(36), nullable=False),
        sa.Column("kiosk_device_id", sa.String(36), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name="pk_intake_inbox"),
        sa.ForeignKeyConstraint(
            ["office_key_id"], ["intake_keys.id"], name="fk_intake_inbox_office_key_id_intake_keys"
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_intake_inbox_case_id_cases"),
    )
    op.create_index("ix_intake_inbox_status", "intake_inbox", ["status"])
    op.create_table(
        "kiosk_office_keys",
        sa.Column("key_id", sa.String(36), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("office", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("signer_fingerprint", sa.String(64), nullable=False),
        sa.Column("trust", sa.String(16), nullable=False),
        sa.Column("key_file", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_kiosk_office_keys"),
    )
    op.create_table(
        "kiosk_outbox",
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("office_key_id", sa.String(36), nullable=False),
        sa.Column("matter_code", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
        sa.Column("exports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name="pk_kiosk_outbox"),
        sa.UniqueConstraint("number", name="uq_kiosk_outbox_number"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_outbox")
    op.drop_table("kiosk_office_keys")
    op.drop_index("ix_intake_inbox_status", table_name="intake_inbox")
    op.drop_table("intake_inbox")
    op.drop_table("intake_keys")
