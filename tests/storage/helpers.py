"""Helpers for tests that look at the whole database."""
import sqlalchemy as sa

from hall_server.storage import tables


def snapshot(ctx) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    result = {}
    with ctx.store.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            result[table.name] = [tuple(row) for row in rows]
    return result
