"""The hall schema comes from its Alembic migrations, on SQLite and PostgreSQL, and matches the
tables the code queries (no drift between tables.py and the migrations)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backoffice.hall.store import HallStore
from backoffice.hall.tables import metadata


def test_migrations_build_the_schema_the_code_uses(db_url: str) -> None:
    store = HallStore(db_url)
    try:
        store.migrate()
        store.migrate()  # again: nothing to do
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": "hall_schema_version"})
            assert ctx.get_current_revision() == "0001"
            diff = [d for d in compare_metadata(ctx, metadata)
                    if not (isinstance(d, tuple) and d[0] == "remove_table")]
        assert diff == []
    finally:
        store.close()
