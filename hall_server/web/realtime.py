"""Socket.IO: one room per hall; committed events go out in `seq` order.

The store calls `EventRelay.committed` after each commit, from the request's thread. Two
requests of one hall commit in `seq` order (the hall lock) but may reach the relay in the
other order, so the relay holds an event back until the ones before it went out. Every
POLL_S the relay also reads the log for events committed elsewhere (another process such
as `demo`, or one never handed over), so a subscriber never waits long and misses none.

With several server processes (HALL_MESSAGE_QUEUE), each relay reads the one shared log and
sends to its own clients only: were events also passed through the queue, every process
would deliver each event once more.
"""
import logging
import threading

from flask import request
from flask_socketio import SocketIO, join_room

from ..domain.errors import HallError
from ..domain.events import Event
from ..services import accounts
from ..services.context import HallContext
from .serialize import event_json

log = logging.getLogger(__name__)
POLL_S = 0.5


def room(hall: str) -> str:
    return f"hall:{hall}"


class EventRelay:
    def __init__(self, socketio: SocketIO, ctx: HallContext) -> None:
        self.socketio, self.ctx = socketio, ctx
        self.lock = threading.Lock()
        with ctx.store.read() as reader:
            self.last_sent = {hall.id: reader.last_seq(hall.id) for hall in ctx.config.halls}
        self.pending: dict[str, dict[int, Event]] = {hall: {} for hall in self.last_sent}

    def committed(self, events: list[Event]) -> None:
        with self.lock:
            for event in events:
                if event.seq > self.last_sent[event.hall]:
                    self.pending[event.hall][event.seq] = event
            for hall in {event.hall for event in events}:
                self._drain(hall)

    def subscribe(self, hall: str) -> int:
        """Join the caller to the hall's room; returns the last seq it will not receive."""
        with self.lock:
            join_room(room(hall))
            return self.last_sent[hall]

    def poll_forever(self) -> None:
        while True:
            self.socketio.sleep(POLL_S)
            try:
                self.catch_up()
            except Exception:  # the relay must outlive a database hiccup
                log.exception("reading the event log failed; retrying")

    def catch_up(self) -> None:
        """Send what the log holds beyond what went out."""
        with self.ctx.store.read() as reader:
            for hall, sent in list(self.last_sent.items()):
                if reader.last_seq(hall) > sent:
                    self.committed(reader.events(hall, sent))

    def _drain(self, hall: str) -> None:
        pending = self.pending[hall]
        while (self.last_sent[hall] + 1) in pending:
            event = pending.pop(self.last_sent[hall] + 1)
            self.socketio.emit("hall_event", event_json(event), to=room(hall), ignore_queue=True)
            self.last_sent[hall] = event.seq


def register(socketio: SocketIO, ctx: HallContext, relay: EventRelay) -> None:
    actors: dict[str, object] = {}

    @socketio.on("connect")
    def _connect(auth: dict | None = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            actors[request.sid] = accounts.authenticate(ctx, token or "")
        except accounts.Unauthorized:
            raise ConnectionRefusedError("unauthorized") from None

    @socketio.on("disconnect")
    def _disconnect(*_args) -> None:
        actors.pop(request.sid, None)

    @socketio.on("subscribe")
    def _subscribe(data: dict | None = None) -> dict:
        hall = data.get("hall") if isinstance(data, dict) else None
        try:
            ctx.hall(str(hall), actors[request.sid])
        except HallError as error:
            return {"error": {"code": error.code, "message": error.message}}
        return {"last_seq": relay.subscribe(hall)}
