"""Build the running parts from the environment: configuration, database, store."""
import os

from .config import ConfigError, HallsConfig, load_config
from .domain.clock import Clock, SystemClock
from .services.context import HallContext
from .services.day_close import close_ended_days
from .services.leftovers import check_leftovers
from .storage import migrate
from .storage.db import make_engine
from .storage.store import Store


def load_environment_config() -> HallsConfig:
    return load_config(os.environ.get("HALL_CONFIG"))


def open_context(config: HallsConfig | None = None, url: str | None = None,
                 clock: Clock | None = None, migrate_schema: bool = True) -> HallContext:
    """Validate the configuration, bring the schema up to date and open the store."""
    config = config or load_environment_config()
    engine = make_engine(url)
    if migrate_schema:
        migrate.upgrade(engine)
    store = Store(engine)
    store.sync_halls(config)
    ctx = HallContext(config=config, store=store, clock=clock or SystemClock())
    try:
        # close the days that ended while the server was down, so that the check below
        # sees only what is still open today
        close_ended_days(ctx)
        # what the database still holds for counters, services or halls the file dropped
        check_leftovers(ctx)
    except ConfigError:
        engine.dispose()
        raise
    return ctx
