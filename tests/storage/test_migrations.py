"""The migrations build exactly the schema that tables.py describes, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hall_server.storage import migrate, tables
from hall_server.storage.db import make_engine


def test_migrated_schema_matches_the_tables(database_url):
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), tables.metadata) == []
    finally:
        engine.dispose()
