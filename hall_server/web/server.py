"""Serve the hall with gunicorn, in one process (Socket.IO keeps its clients in memory),
with the scheduled jobs (scheduler.py) beside it.

The worker per mode (modes.py):
- `gevent`: gevent worker with gevent-websocket, one greenlet per connection;
- `threading`: gthread worker, one thread per open websocket.
"""
from gunicorn.app.base import BaseApplication

from devices.supervisor import ServerPrinters

from ..bootstrap import open_context
from ..scheduler import HallScheduler
from ..services import accounts
from .app import create_app
from .modes import server_mode

CONNECTIONS = 2000
WORKERS = {
    "gevent": {"worker_class": "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
               "worker_connections": CONNECTIONS},
    "threading": {"worker_class": "gthread", "threads": CONNECTIONS // 2, "worker_connections": CONNECTIONS},
}


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
            **WORKERS[self.mode],
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        ctx = open_context(migrate_schema=False)
        app, _socketio = create_app(ctx, async_mode=self.mode)
        scheduler = HallScheduler(ctx)
        app.extensions["relay"].followers.append(scheduler.poke)
        scheduler.start()
        ServerPrinters(ctx.config, self.host, self.port).start()
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
