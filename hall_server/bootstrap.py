"""Build the running parts from the environment: configuration, database, store."""
import os

from .config import HallsConfig, load_config
from .domain.clock import Clock, SystemClock
from .services.context import HallContext
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
    return HallContext(config=config, store=store, clock=clock or SystemClock())
