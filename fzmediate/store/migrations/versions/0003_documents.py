"""Documents: issued PDFs (append-only, versioned) and the office signing key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

``documents`` is append-only like ``case_events``: two triggers refuse every UPDATE and DELETE, so the bytes
of an issued document can never change; a re-issue is a new row that ``supersedes`` the old one.
``office_keys`` holds the private key of the office seal; it lives in the encrypted database only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY_TRIGGERS = {
    "trg_documents_no_update": "UPDATE",
    "trg_documents_no_delete": "DELETE",
}


def create_append_only_triggers() -> None:
    for name, verb in APPEND_ONLY_TRIGGERS.items():
        op.execute(
            "CREATE TRIGGER {0} BEFORE {1} ON documents "
            "BEGIN SELECT RAISE(ABORT, 'documents is append-only'); END".format(name, verb)
        )


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes", sa.String(36), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("device", sa.String(36), nullable=False),
        sa.Column("based_on_seq", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("signer", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("case_id", "kind", "version", name="uq_documents_case_id"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_documents_case_id_cases"),
        sa.ForeignKeyConstraint(["supersedes"], ["documents.id"], name="fk_documents_supersedes_documents"),
    )
    op.create_index("ix_documents_case_id", "documents", ["case_id"])
    create_append_only_triggers()
    op.create_table(
        "office_keys",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("common_name", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_office_keys"),
        sa.UniqueConstraint("fingerprint", name="uq_office_keys_fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("office_keys")
    for name in APPEND_ONLY_TRIGGERS:
        op.execute("DROP TRIGGER IF EXISTS {0}".format(name))
    op.drop_index("ix_documents_case_id", table_name="documents")
    op.drop_table("documents")
