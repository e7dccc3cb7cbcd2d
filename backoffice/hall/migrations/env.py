"""Alembic environment of the hall schema: run on the connection the caller hands over
(:meth:`backoffice.hall.store.HallStore.migrate`), never on a URL of its own."""

from __future__ import annotations

from alembic import context

from backoffice.hall.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only HallStore.migrate runs migrations
    raise RuntimeError("run the hall migrations through `backoffice hall migrate`")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite",
                  version_table="hall_schema_version")
with context.begin_transaction():
    context.run_migrations()
