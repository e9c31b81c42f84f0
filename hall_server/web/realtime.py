"""Socket.IO: one room per hall; committed events go out in `seq` order.

The store calls `EventRelay.committed` after each commit, from the request's thread. Two
requests of one hall commit in `seq` order (the hall lock) but may reach the relay in the
other order, so the relay holds an event back until the ones before it went out. Every
POLL_S the relay also reads the log for events committed elsewhere (another process such
as `demo`, or one never handed over), so a subscriber never waits long and misses none.

With several server processes (HALL_MESSAGE_QUEUE), each relay reads the one shared log and
sends to its own clients only: were events also passed through the queue, every process
would deliver each event once more.

Every SESSION_CHECK_S each process also re-checks the tokens of its connections in the
database (one query) and closes those whose token died: logged out, revoked by a password
change, a disabled user, a revoked device, or expired. The token state is in the database,
so this holds whichever process changed it.
"""
import logging
import threading
import time
from collections.abc import Callable

from flask import request
from flask_socketio import SocketIO, join_room

from ..domain.actors import Actor
from ..domain.errors import HallError
from ..domain.events import Event
from ..services import accounts, tracking
from ..services.context import HallContext
from .auth import cookie_token
from .serialize import event_json

log = logging.getLogger(__name__)
POLL_S = 0.5
SESSION_CHECK_S = 2.0
#: how often the connected devices are recorded as heard from (well within the shortest
#: `device_offline_after_s` of the alerts, 10 s)
DEVICES_HEARD_S = 5.0


def room(hall: str) -> str:
    return f"hall:{hall}"


def tracking_room(hall: str) -> str:
    """The customers' phone pages of a hall: told that something changed, never what."""
    return f"track:{hall}"


class EventRelay:
    def __init__(self, socketio: SocketIO, ctx: HallContext) -> None:
        self.socketio, self.ctx = socketio, ctx
        self.lock = threading.Lock()
        with ctx.store.read() as reader:
            self.last_sent = {hall.id: reader.last_seq(hall.id) for hall in ctx.config.halls}
        self.pending: dict[str, dict[int, Event]] = {hall: {} for hall in self.last_sent}
        #: told of every event sent (the scheduler judges the alerts of its hall)
        self.followers: list[Callable[[list[Event]], None]] = []

    def committed(self, events: list[Event]) -> None:
        with self.lock:
            for event in events:
                if event.seq > self.last_sent[event.hall]:
                    self.pending[event.hall][event.seq] = event
            for hall in {event.hall for event in events}:
                self._drain(hall)
        for follower in self.followers:
            follower(events)

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
            if event.ticket is not None:
                self.socketio.emit("hall_ping", {"seq": event.seq}, to=tracking_room(hall), ignore_queue=True)
            self.last_sent[hall] = event.seq


class Sessions:
    """Who each connection (sid) of this process is, and the session key of its token."""

    def __init__(self, socketio: SocketIO, ctx: HallContext) -> None:
        self.socketio, self.ctx = socketio, ctx
        self.actors: dict[str, Actor] = {}
        self.keys: dict[str, str] = {}

    def add(self, sid: str, token: str) -> None:
        """Authenticate a new connection; Unauthorized if its token is not live."""
        actor = self.actors[sid] = accounts.authenticate(self.ctx, token)
        self.keys[sid] = accounts.session_key(token)
        accounts.devices_heard(self.ctx, [actor])

    def remove(self, sid: str) -> None:
        self.keys.pop(sid, None)
        actor = self.actors.pop(sid, None)
        if actor is not None:  # a device going away was heard from until now
            accounts.devices_heard(self.ctx, [actor])

    def check_forever(self) -> None:
        heard_at = time.monotonic()
        while True:
            self.socketio.sleep(SESSION_CHECK_S)
            try:
                self.end_dead()
                if time.monotonic() - heard_at >= DEVICES_HEARD_S:
                    heard_at = time.monotonic()
                    accounts.devices_heard(self.ctx, list(self.actors.values()))
            except Exception:  # like the relay: outlive a database hiccup
                log.exception("checking the connections' tokens failed; retrying")

    def end_dead(self) -> list[str]:
        """Disconnect the connections whose token died; returns their sids."""
        keys = dict(self.keys)
        if not keys:
            return []
        live = accounts.live_sessions(self.ctx, keys.values())
        dead = [sid for sid, key in keys.items() if key not in live]
        for sid in dead:
            self.remove(sid)
            self.socketio.server.disconnect(sid, namespace="/")
        return dead


def register(socketio: SocketIO, ctx: HallContext, relay: EventRelay) -> Sessions:
    sessions = Sessions(socketio, ctx)

    @socketio.on("connect")
    def _connect(auth: dict | None = None) -> None:
        """A bearer token (`token`), a page's cookie with its CSRF token (`csrf`, auth.py), or a
        customer's tracking token (`track`): that one only hears that its hall changed."""
        auth = auth if isinstance(auth, dict) else {}
        if "track" in auth:
            try:
                ticket = tracking.tracked_ticket(ctx, str(auth["track"])).ticket
            except HallError:
                raise ConnectionRefusedError("unknown ticket") from None
            join_room(tracking_room(ticket.hall))
            return
        token = auth.get("token") or cookie_token(request.cookies, auth.get("csrf"))
        try:
            sessions.add(request.sid, token or "")
        except accounts.Unauthorized:
            raise ConnectionRefusedError("unauthorized") from None

    @socketio.on("disconnect")
    def _disconnect(*_args) -> None:
        sessions.remove(request.sid)

    @socketio.on("subscribe")
    def _subscribe(data: dict | None = None) -> dict:
        hall = data.get("hall") if isinstance(data, dict) else None
        actor = sessions.actors.get(request.sid)
        if actor is None:  # its token died a moment ago; the connection is closing
            return {"error": {"code": "unauthorized", "message": "the token is no longer valid"}}
        try:
            ctx.hall(str(hall), actor)
        except HallError as error:
            return {"error": {"code": error.code, "message": error.message}}
        return {"last_seq": relay.subscribe(hall)}

    socketio.start_background_task(sessions.check_forever)
    return sessions
