"""Serve the hall with gunicorn (one process: Socket.IO keeps its clients in memory)."""
from gunicorn.app.base import BaseApplication

from ..bootstrap import open_context
from ..services import accounts
from .app import create_app

#: each websocket holds a thread of the worker for its whole life
THREADS = 1000


class HallServer(BaseApplication):
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        super().__init__()

    def load_config(self) -> None:
        for key, value in {
            "bind": f"{self.host}:{self.port}", "workers": 1, "worker_class": "gthread",
            "threads": THREADS, "worker_connections": 2 * THREADS,
            "timeout": 60, "graceful_timeout": 5, "keepalive": 30,
            "accesslog": None, "errorlog": "-", "loglevel": "warning",
            "when_ready": lambda _server: print(f"hall server on http://{self.host}:{self.port}/",
                                                flush=True),
        }.items():
            self.cfg.set(key, value)

    def load(self):
        ctx = open_context(migrate_schema=False)
        app, _socketio = create_app(ctx)
        return app


def serve(host: str, port: int) -> int:
    """Check the configuration, migrate, create the first admin, then serve."""
    ctx = open_context()
    password = accounts.ensure_first_admin(ctx)
    if password:
        print(f"created user admin with password {password} (shown once; change it)", flush=True)
    ctx.store.engine.dispose()
    HallServer(host, port).run()
    return 0
