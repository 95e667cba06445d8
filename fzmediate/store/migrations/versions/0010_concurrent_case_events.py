"""Case events numbered on two desks at once: the event number is unique per case *and device*.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Two desks working offline on one case each number their next event from what they hold, so both may append
event 7. Both acts happened; neither may be dropped or renumbered (events are append-only and anchored in the
audit chain). Until now ``(case_id, seq)`` was unique, so the pulled event could not be stored and was parked
whole in ``sync_conflicts``. The constraint becomes ``(case_id, seq, device)``: one desk still never numbers
two events alike, and the other desk's event is stored beside it (the timeline orders equal numbers by when
they were recorded). That the case moved on two desks at once shows as a conflict on the case's state.

Batch mode rebuilds ``case_events`` and drops its append-only triggers with the old table, so they are made
again (revision 0002).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TRIGGERS = {"trg_case_events_no_update": "UPDATE", "trg_case_events_no_delete": "DELETE"}


def _triggers() -> None:
    # Revision 0002's triggers, restated: a migration must not import another (alembic loads them by path).
    for name, verb in _TRIGGERS.items():
        op.execute("DROP TRIGGER IF EXISTS {0}".format(name))
        op.execute(
            "CREATE TRIGGER {0} BEFORE {1} ON case_events "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END".format(name, verb)
        )


def upgrade() -> None:
    with op.batch_alter_table("case_events", recreate="always") as batch:
        batch.drop_constraint("uq_case_events_case_id", type_="unique")
        batch.create_unique_constraint("uq_case_events_case_id", ["case_id", "seq", "device"])
    _triggers()


def downgrade() -> None:
    with op.batch_alter_table("case_events", recreate="always") as batch:
        batch.drop_constraint("uq_case_events_case_id", type_="unique")
        batch.create_unique_constraint("uq_case_events_case_id", ["case_id", "seq"])
    _triggers()
