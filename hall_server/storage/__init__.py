"""Storage adapter: SQLAlchemy Core over SQLite (default) or PostgreSQL."""
