"""The application factory: one Flask app and one Socket.IO server per hall context."""
import os

from apiflask import APIFlask
from flask_socketio import SocketIO

from display import display
from kiosk import kiosk

from ..services.context import HallContext
from . import auth, errors, i18n, realtime
from .admin_devices import admin_devices
from .admin_hall import admin_hall
from .admin_users import admin_users
from .alerts_api import alerts_api
from .api import api
from .appointments import appointments_api
from .board import board_api, board_pages
from .complaints_api import complaints_api
from .counter import counter_pages
from .devices import devices_api
from .displays_api import displays_api
from .evaluator import evaluator
from .pages import pages
from .pairing import pairing
from .reports_api import reports_api
from .reports_page import reports_pages
from .schemas import ErrorOut
from .signin import signin
from .start import start
from .tracking import tracking_api
from .voice import voice_api

#: how Socket.IO runs in-process (tools, tests); the server passes its own mode (modes.py)
ASYNC_MODE = "threading"


def create_app(ctx: HallContext, async_mode: str = ASYNC_MODE) -> tuple[APIFlask, SocketIO]:
    app = APIFlask(__name__, title="Hall queue server", version="1.0.0",
                   spec_path="/api/v1/openapi.json", docs_path=None)
    app.config.update(
        HTTP_ERROR_SCHEMA=ErrorOut, VALIDATION_ERROR_SCHEMA=ErrorOut,
        VALIDATION_ERROR_STATUS_CODE=422, JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        SERVERS=[{"url": "/", "description": "this hall server"}],
    )
    app.extensions["hall"] = ctx
    errors.register(app)
    auth.register(app)
    i18n.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(appointments_api)
    app.register_blueprint(tracking_api)
    app.register_blueprint(pairing)
    app.register_blueprint(signin)
    app.register_blueprint(start)
    app.register_blueprint(counter_pages)
    app.register_blueprint(board_pages)
    app.register_blueprint(board_api)
    app.register_blueprint(reports_pages)
    app.register_blueprint(pages)
    app.register_blueprint(kiosk)
    app.register_blueprint(display)
    app.register_blueprint(devices_api)
    app.register_blueprint(evaluator)
    app.register_blueprint(voice_api)
    app.register_blueprint(displays_api)
    app.register_blueprint(alerts_api)
    app.register_blueprint(reports_api)
    app.register_blueprint(complaints_api)
    app.register_blueprint(admin_devices)
    app.register_blueprint(admin_hall)
    app.register_blueprint(admin_users)

    # browsers may connect from this server's own pages only (the default origin check)
    socketio = SocketIO(app, async_mode=async_mode, message_queue=os.environ.get("HALL_MESSAGE_QUEUE"))
    relay = realtime.EventRelay(socketio, ctx)
    app.extensions["relay"] = relay
    ctx.store.listeners.append(relay.committed)
    realtime.register(socketio, ctx, relay)
    socketio.start_background_task(relay.poll_forever)
    return app, socketio
