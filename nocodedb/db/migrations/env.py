"""Alembic environment: nocodedb runs migrations itself, on a connection it passes in."""

from alembic import context

from nocodedb.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
