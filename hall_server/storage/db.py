"""Engines: SQLite in WAL mode by default, PostgreSQL through HALL_DATABASE_URL."""
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ..config import REPO_ROOT

DEFAULT_SQLITE = REPO_ROOT / "var" / "hall.db"
#: execution option that makes a SQLite transaction a plain (deferred) reader
READ_ONLY = "hall_read_only"


def database_url() -> str:
    return os.environ.get("HALL_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str | None = None) -> Engine:
    url = make_url(url or database_url())
    if url.get_backend_name() == "postgresql":
        # psycopg 3 whatever driver the URL names by default
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)
    if url.get_backend_name() != "sqlite":
        raise ValueError(f"HALL_DATABASE_URL: unsupported database {url.get_backend_name()!r}")
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           pool_size=10, max_overflow=40)
    _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    """Writers begin IMMEDIATE so they queue on the write lock instead of failing to upgrade
    a read lock; readers begin deferred and read a snapshot beside them (WAL)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below decide
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
