"""Alembic environment of the district server: runs on the connection :func:`fzmediate.server.db.migrate`
hands over (never from a URL or alembic.ini)."""

from __future__ import annotations

from alembic import context

from fzmediate.server.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
