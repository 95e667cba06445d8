"""Signed roles and events, office keys wrapped for the roles that issue, certificate chains.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

- ``users`` gains the user's Ed25519 signing public key and an administrator's signed grant (role, flag,
  keys): a role is what a valid grant says, not what the ``role`` column says.
- ``audit_events`` gains the acting user's signature over the event hash.
- ``office_keys`` keeps its private key only as copies sealed to the slot keys of users who may issue
  (``key_shares``); ``private_key_pem`` is emptied by the first unlock that can seal it (see
  ``fzmediate.security.key_shares``). ``chain_pem`` holds the district's certificate chain once certified.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("signing_public_key", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("grant_json", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("grant_signature", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("granted_by", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("signer_key", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("signature", sa.String(128), nullable=False, server_default=""))
    with op.batch_alter_table("office_keys") as batch:
        batch.add_column(sa.Column("chain_pem", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "key_shares",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("key_kind", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(36), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("recipient_public_key", sa.String(64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_key_shares"),
        sa.UniqueConstraint("key_kind", "key_id", "login", name="uq_key_shares_key_kind"),
    )
    op.create_index("ix_key_shares_login", "key_shares", ["login"])


def downgrade() -> None:
    op.drop_index("ix_key_shares_login", table_name="key_shares")
    op.drop_table("key_shares")
    with op.batch_alter_table("office_keys") as batch:
        batch.drop_column("chain_pem")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("signature")
        batch.drop_column("signer_key")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("granted_by")
        batch.drop_column("grant_signature")
        batch.drop_column("grant_json")
        batch.drop_column("signing_public_key")
