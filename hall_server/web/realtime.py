"""Socket.IO: one room per hall; committed events go out in `seq` order.

The store calls `EventRelay.committed` after each commit, from the request's thread. Two
requests of one hall commit in `seq` order (the hall lock) but may reach the relay in the
other order, so the relay holds an event back until the ones before it went out. Should a
gap outlive GAP_WAIT_S (an event committed but never handed over), the relay reads it from
the log, so a subscriber never waits forever and never misses one.
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
GAP_WAIT_S = 0.5


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
                self.pending[event.hall][event.seq] = event
            for hall in {event.hall for event in events}:
                self._drain(hall)

    def subscribe(self, hall: str) -> int:
        """Join the caller to the hall's room; returns the last seq it will not receive."""
        with self.lock:
            join_room(room(hall))
            return self.last_sent[hall]

    def _drain(self, hall: str) -> None:
        pending = self.pending[hall]
        while (self.last_sent[hall] + 1) in pending:
            event = pending.pop(self.last_sent[hall] + 1)
            self.socketio.emit("hall_event", event_json(event), to=room(hall))
            self.last_sent[hall] = event.seq
        if pending:
            timer = threading.Timer(GAP_WAIT_S, self._fill_gap, (hall,))
            timer.daemon = True
            timer.start()

    def _fill_gap(self, hall: str) -> None:
        with self.lock:
            pending = self.pending[hall]
            if not pending:
                return
            missing_to = min(pending) - 1
            if missing_to <= self.last_sent[hall]:
                return self._drain(hall)
            with self.ctx.store.read() as reader:
                found = reader.events(hall, self.last_sent[hall], missing_to - self.last_sent[hall])
            log.warning("hall %s: %d events reached the relay only from the log", hall, len(found))
            for event in found:
                pending.setdefault(event.seq, event)
            self._drain(hall)


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
