"""Indexes for the case list's keyset pages, and for finding the next deadlines time alone made stale.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

``ix_cases_next_due_name_next_due`` on (next_due_name, next_due): the background deadline refresh
(``services/deadline_refresh.py``) asks for the cases whose stored next deadline is a conditional limit
(e.g. ``transfer``) that has passed — a range on this index per limit name, a handful of rows, where the
single-column ``ix_cases_next_due`` would walk every overdue case.

``ix_cases_<column>_id`` on (column, id) for each column the list sorts by (``case_listing.SortColumn``):
a keyset page is then a range on one index, never a sort of every case. ``number`` is unique and ``id``
is the primary key: they need none. Rows without a next deadline are listed last both ways, read as a
second range of the same index (``next_due IS NULL``). No data changes.

Batch mode for consistency with the other revisions (SQLite creates an index in place, no table copy).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_cases_next_due_name_next_due"
SORTED = ("received_on", "next_due", "state", "matter_code", "assigned_mediator", "kind", "updated_at")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.create_index(INDEX, ["next_due_name", "next_due"])
        for column in SORTED:
            batch.create_index("ix_cases_{0}_id".format(column), [column, "id"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in reversed(SORTED):
            batch.drop_index("ix_cases_{0}_id".format(column))
        batch.drop_index(INDEX)
