"""Serve the hall (placeholder page until the API lands)."""
from flask import Flask

from ..bootstrap import open_context


def create_app(ctx) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        names = ", ".join(f"{h.name} ({h.name_en})" for h in ctx.config.halls)
        return f"<h1>营业厅排队系统 Hall queue server</h1><p>{names}</p>"

    return app


def serve(host: str, port: int) -> int:
    ctx = open_context()
    app = create_app(ctx)
    print(f"hall server on http://{host}:{port}/", flush=True)
    app.run(host=host, port=port)
    return 0
