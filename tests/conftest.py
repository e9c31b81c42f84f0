"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL tests get a schema of their own in the `test` database, so they run in
parallel. Without a reachable server they skip, unless HALL_REQUIRE_SERVICES=1 (as in CI),
where they fail.
"""
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from hall_server.bootstrap import open_context
from hall_server.config import HallsConfig, load_config
from hall_server.domain.actors import Actor, Role
from hall_server.domain.clock import FixedClock

from .running_hall import hall_config_text

REDIS_URL = os.environ.get("HALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("HALL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("HALL_REQUIRE_SERVICES") == "1"
# the reports the scheduler saves go to a folder of the test run, never the repository's var/
os.environ.setdefault("HALL_REPORTS_DIR", tempfile.mkdtemp(prefix="hall-reports-"))
BACKENDS = ["sqlite", "postgresql"]

MANAGER = Actor("manager-li", Role.MANAGER, frozenset({"demo"}))
KIOSK = Actor("kiosk-1", Role.KIOSK, frozenset({"demo"}))


def postgres_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def redis_available() -> str | None:
    """None if Redis answers, else why not."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"


def require_postgres() -> None:
    require_service("PostgreSQL", POSTGRES_URL, "HALL_TEST_POSTGRES_URL", postgres_available())


def require_redis() -> None:
    require_service("Redis", REDIS_URL, "HALL_TEST_REDIS_URL", redis_available())


def require_service(name: str, url: str, variable: str, problem: str | None) -> None:
    if problem is None:
        return
    message = f"{name} not reachable at {url} ({problem}); start it or set {variable} to run these tests"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (HALL_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path):
    """A URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hall.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield sa.engine.make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The demo hall and a second one, "north" (a copy of it), open all day: every query a test
    runs in "demo" must leave the other hall's tickets and counters alone."""
    path = tmp_path / "halls.toml"
    path.write_text(hall_config_text(extra_hall="north"), encoding="utf-8")
    return path


@pytest.fixture
def config(config_path: Path):
    return load_config(config_path)


@pytest.fixture
def clock():
    """Tuesday 2026-11-24, 09:00 in Shanghai."""
    return FixedClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))


@pytest.fixture
def ctx(database_url, config, clock):
    context = open_context(config, database_url, clock)
    yield context
    context.store.engine.dispose()


@pytest.fixture
def make_ctx(database_url, config, clock):
    """A context on the demo hall with some of its settings changed."""
    made = []

    def make(**changes):
        raw = config.model_dump()
        raw["halls"][0].update(changes)
        made.append(open_context(HallsConfig.model_validate(raw), database_url, clock))
        return made[-1]

    yield make
    for ctx in made:
        ctx.store.engine.dispose()


def clerk(name: str = "clerk-wang") -> Actor:
    return Actor(name, Role.CLERK, frozenset({"demo"}))
