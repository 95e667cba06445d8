"""Alembic environment: runs on the connection the store hands over (never from a URL or alembic.ini)."""

from __future__ import annotations

from alembic import context

from fzmediate.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
