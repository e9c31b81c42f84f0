"""Which server mode runs: `gevent` (the default, measured best by `make bench`: see
bench/README.md) or `threading`, chosen with HALL_SERVER_MODE.

This module imports nothing heavy, so the command line can read the mode and let gevent
patch the standard library before anything else is loaded.
"""
import os

DEFAULT_MODE = "gevent"
MODES = ("gevent", "threading")


def server_mode() -> str:
    mode = os.environ.get("HALL_SERVER_MODE", DEFAULT_MODE)
    if mode not in MODES:
        from ..config import ConfigError

        raise ConfigError(f"HALL_SERVER_MODE: {mode!r} is not one of {', '.join(MODES)}")
    return mode
