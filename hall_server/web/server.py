"""Serve the hall with gunicorn, in one process (Socket.IO keeps its clients in memory).

Two modes, chosen with HALL_SERVER_MODE; the default is the one `make bench` measured best:
- `threading`: gthread worker, one thread per open websocket;
- `gevent`: gevent worker with gevent-websocket, one greenlet per connection.
"""
import os

from gunicorn.app.base import BaseApplication

from ..bootstrap import open_context
from ..config import ConfigError
from ..services import accounts
from .app import create_app

DEFAULT_MODE = "threading"
CONNECTIONS = 2000
MODES = {
    "threading": {"worker_class": "gthread", "threads": CONNECTIONS // 2, "worker_connections": CONNECTIONS},
    "gevent": {"worker_class": "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
               "worker_connections": CONNECTIONS},
}


def server_mode() -> str:
    mode = os.environ.get("HALL_SERVER_MODE", DEFAULT_MODE)
    if mode not in MODES:
        raise ConfigError(f"HALL_SERVER_MODE: {mode!r} is not one of {', '.join(MODES)}")
    return mode


class HallServer(BaseApplication):
    def __init__(self, host: str, port: int, mode: str) -> None:
        self.host, self.port, self.mode = host, port, mode
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": f"{self.host}:{self.port}", "workers": 1, "timeout": 60, "graceful_timeout": 5,
            "keepalive": 30, "accesslog": None, "errorlog": "-", "loglevel": "warning",
            "when_ready": lambda _server: print(f"hall server on http://{self.host}:{self.port}/",
                                                flush=True),
            **MODES[self.mode],
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        ctx = open_context(migrate_schema=False)
        app, _socketio = create_app(ctx, async_mode=self.mode)
        return app


def serve(host: str, port: int) -> int:
    """Check the configuration, migrate, create the first admin, then serve."""
    mode = server_mode()
    ctx = open_context()
    password = accounts.ensure_first_admin(ctx)
    if password:
        print(f"created user admin with password {password} (shown once; change it)", flush=True)
    ctx.store.engine.dispose()
    HallServer(host, port, mode).run()
    return 0
