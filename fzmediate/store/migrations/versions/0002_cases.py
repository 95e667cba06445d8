"""Cases: imported catalogue bundles, cases, parties, append-only case events, numbering, search, outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

``case_events`` is append-only: two triggers refuse every UPDATE and DELETE. A later batch-mode migration
that rebuilds ``case_events`` drops its triggers with the old table and must create them again
(``create_append_only_triggers`` below).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TRIGGERS = {
    "trg_case_events_no_update": "UPDATE",
    "trg_case_events_no_delete": "DELETE",
}


def create_append_only_triggers() -> None:
    for name, verb in APPEND_ONLY_TRIGGERS.items():
        op.execute(
            "CREATE TRIGGER {0} BEFORE {1} ON case_events "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END".format(name, verb)
        )


def upgrade() -> None:
    op.create_table(
        "catalogue_bundles",
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", "version", name="pk_catalogue_bundles"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("matter_code", sa.String(32), nullable=False),
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("bundle_version", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("assigned_mediator", sa.String(64), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("next_due_name", sa.String(64), nullable=False),
        sa.Column("next_due_provisional", sa.Boolean(), nullable=False),
        sa.Column("next_due_as_of", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("number", name="uq_cases_number"),
        sa.ForeignKeyConstraint(
            ["bundle_id", "bundle_version"],
            ["catalogue_bundles.bundle_id", "catalogue_bundles.version"],
            name="fk_cases_bundle_catalogue_bundles",
        ),
    )
    op.create_index("ix_cases_next_due", "cases", ["next_due"])
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_table(
        "parties",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("id_type", sa.String(32), nullable=False),
        sa.Column("id_number", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("represents", sa.String(36), nullable=True),
        sa.Column("power_of_attorney", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parties"),
        sa.UniqueConstraint("case_id", "position", name="uq_parties_case_id"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_parties_case_id_cases"),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("device", sa.String(36), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_id"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
    )
    create_append_only_triggers()
    op.create_table(
        "case_counters",
        sa.Column("device_code", sa.String(16), nullable=False),
        sa.Column("series", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_code", "series", "year", name="pk_case_counters"),
    )
    op.create_table(
        "search_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("term", "case_id", name="pk_search_terms"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_search_terms_case_id_cases"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_terms_case_id", "search_terms", ["case_id"])
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("device_seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("change_id", name="uq_outbox_change_id"),
        sa.UniqueConstraint("device_id", "device_seq", name="uq_outbox_device_id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("search_terms")
    op.drop_table("case_counters")
    for name in APPEND_ONLY_TRIGGERS:
        op.execute("DROP TRIGGER IF EXISTS {0}".format(name))
    op.drop_table("case_events")
    op.drop_table("parties")
    op.drop_table("cases")
    op.drop_table("catalogue_bundles")
