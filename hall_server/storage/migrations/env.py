"""Alembic environment: the URL and connection come from hall_server.storage.migrate."""
from alembic import context

from hall_server.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
