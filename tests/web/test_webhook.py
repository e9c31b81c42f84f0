"""The alert webhook: the outbox's items reach a real HTTP receiver signed, in order, retried
with backoff while it is down, and given up after a day; the sender never hangs."""
import json
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from hall_server.bootstrap import open_context
from hall_server.config import ConfigError, load_config
from hall_server.domain.clock import FixedClock
from hall_server.services.context import HallContext
from hall_server.services.webhook import Delivery, backoff_s, deliver_due, receiver_check, sign
from hall_server.storage import outbox
from hall_server.storage import tables as t

from ..running_hall import free_port, hall_config_text

SECRET_ENV = "HALL_TEST_WEBHOOK_SECRET"
SECRET = "the secret of the hall's chat bridge"
PAYLOAD = {"kind": "alert.raised", "hall": "demo", "message": {"zh": "等候超时：3人", "en": "Waiting too long: 3"}}


@dataclass(frozen=True)
class Received:
    delivery: int
    body: bytes
    content_type: str
    signed: bool


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks each request's signature as a hall's chat
    bridge would, keeps what it got, and answers `answer` (a status, or "hang": no answer
    until it is stopped)."""

    def __init__(self, clock: FixedClock, port: int = 0, answer: int | str = 200) -> None:
        self.clock, self.answer = clock, answer
        self.got: list[Received] = []
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signed = receiver_check(SECRET.encode(), self.headers["X-Hall-Timestamp"], body,
                                        self.headers["X-Hall-Signature"], receiver.clock.now())
                receiver.got.append(Received(int(self.headers["X-Hall-Delivery"]), body,
                                             self.headers["Content-Type"], signed))
                if receiver.answer == "hang":
                    receiver.released.wait(30)
                self.send_response(receiver.answer if signed and receiver.answer != "hang" else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hall"

    @property
    def deliveries(self) -> list[int]:
        return [got.delivery for got in self.got]

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(clock):
    """Start receivers (`receiver(port=..., answer=...)`); all are stopped after the test."""
    started: list[Receiver] = []

    def start(**kwargs) -> Receiver:
        started.append(Receiver(clock, **kwargs))
        return started[-1]

    yield start
    for one in started:
        one.stop()


@pytest.fixture
def open_halls(tmp_path: Path, monkeypatch, clock):
    """A context on a fresh SQLite database whose halls "demo" and "north" forward to these
    URLs (None: no webhook)."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    opened: list[HallContext] = []

    def open_(demo: str | None, north: str | None = None, timeout_s: float = 5) -> HallContext:
        path = tmp_path / "halls.toml"
        path.write_text(webhook_config_text(demo, north, timeout_s), encoding="utf-8")
        opened.append(open_context(load_config(path), url=f"sqlite:///{tmp_path / 'hall.db'}", clock=clock))
        return opened[-1]

    yield open_
    for ctx in opened:
        ctx.store.engine.dispose()


def webhook_config_text(demo: str | None, north: str | None = None, timeout_s: float = 5) -> str:
    """The test halls (alert rules off), each with its `[halls.alerts.webhook]`, if any."""
    def webhook(url: str | None) -> str:
        if url is None:
            return ""
        return f', webhook = {{ url = "{url}", secret_env = "{SECRET_ENV}", timeout_s = {timeout_s} }}'

    text = hall_config_text(extra_hall="north", alerts="enabled = false@WEBHOOK@")
    return text.replace("@WEBHOOK@", webhook(demo), 1).replace("@WEBHOOK@", webhook(north), 1)


def queue(ctx: HallContext, hall: str = "demo", payload: dict = PAYLOAD) -> int:
    with ctx.store.engine.begin() as conn:
        return outbox.add(conn, hall, payload, ctx.clock.now())


def stored(ctx: HallContext, item: int):
    with ctx.store.engine.connect() as conn:
        return conn.execute(select(t.webhook_outbox).where(t.webhook_outbox.c.id == item)).one()


def test_an_item_is_delivered_once_signed(open_halls, receiver, clock):
    bridge = receiver()
    ctx = open_halls(bridge.url)
    item = queue(ctx)
    assert deliver_due(ctx) == Delivery(delivered=1)
    assert deliver_due(ctx) == Delivery(), "a delivered item is not sent again"
    [got] = bridge.got
    assert got.signed and got.delivery == item and got.content_type == "application/json"
    assert got.body == json.dumps(PAYLOAD, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    row = stored(ctx, item)
    assert (row.delivered_at, row.attempts, row.abandoned_at) == (clock.now(), 1, None)


def test_a_receiver_down_is_retried_with_backoff(open_halls, receiver, clock, caplog):
    port = free_port()  # nothing listens there yet
    ctx = open_halls(f"http://127.0.0.1:{port}/hooks/hall")
    item = queue(ctx)
    start = clock.now()
    with caplog.at_level(logging.WARNING, logger="hall_server.services.webhook"):
        assert deliver_due(ctx) == Delivery(failed=1)
    row = stored(ctx, item)
    assert (row.attempts, row.next_attempt_at, row.delivered_at) == (1, start + timedelta(seconds=2), None)
    assert "ConnectionError" in row.last_error
    assert [(r.levelname, "hall demo" in r.getMessage()) for r in caplog.records] == [("WARNING", True)]
    clock.advance(1.9)
    assert deliver_due(ctx) == Delivery(), "not attempted before its backoff ran out"
    clock.advance(0.1)
    assert deliver_due(ctx) == Delivery(failed=1)
    assert stored(ctx, item).next_attempt_at == clock.now() + timedelta(seconds=4), "the backoff doubles"
    bridge = receiver(port=port)
    clock.advance(3.9)
    assert deliver_due(ctx) == Delivery()
    clock.advance(0.1)
    assert deliver_due(ctx) == Delivery(delivered=1)
    assert bridge.deliveries == [item] and bridge.got[0].signed
    assert stored(ctx, item).attempts == 3


def test_the_backoff_doubles_up_to_ten_minutes():
    assert [backoff_s(attempts) for attempts in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]
    assert backoff_s(5000) == 600


def test_a_receiver_answering_500_fails(open_halls, receiver):
    bridge = receiver(answer=500)
    ctx = open_halls(bridge.url)
    item = queue(ctx)
    assert deliver_due(ctx) == Delivery(failed=1)
    assert bridge.deliveries == [item]
    row = stored(ctx, item)
    assert row.attempts == 1 and row.last_error.startswith("HTTP 500") and row.delivered_at is None


def test_a_receiver_that_never_answers_fails_and_the_sender_goes_on(open_halls, receiver):
    bridge = receiver(answer="hang")
    ctx = open_halls(bridge.url, timeout_s=0.5)
    item = queue(ctx)
    assert deliver_due(ctx) == Delivery(failed=1)
    assert bridge.deliveries == [item], "the request reached the receiver, which did not answer"
    assert "Timeout" in stored(ctx, item).last_error


def test_a_halls_items_go_in_order_and_wait_behind_a_failure(open_halls, receiver, clock):
    demo_bridge, north_bridge = receiver(answer=500), receiver()
    ctx = open_halls(demo_bridge.url, north_bridge.url)
    first, north_first, second, north_second = (queue(ctx, hall) for hall in ("demo", "north", "demo", "north"))
    assert deliver_due(ctx) == Delivery(delivered=2, failed=1)
    assert demo_bridge.deliveries == [first], "the demo hall's run stopped at its first failure"
    assert north_bridge.deliveries == [north_first, north_second], "the other hall went on"
    demo_bridge.answer = 200
    clock.advance(1)
    assert deliver_due(ctx) == Delivery(), "the second waits behind the first's retry"
    clock.advance(1)
    assert deliver_due(ctx) == Delivery(delivered=2)
    assert demo_bridge.deliveries == [first, first, second]


def test_an_item_undelivered_for_a_day_is_abandoned(open_halls, clock, caplog):
    ctx = open_halls(f"http://127.0.0.1:{free_port()}/hooks/hall")
    item = queue(ctx)
    assert deliver_due(ctx) == Delivery(failed=1)
    clock.advance(24 * 3600 + 1)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="hall_server.services.webhook"):
        assert deliver_due(ctx) == Delivery(abandoned=1)
    row = stored(ctx, item)
    assert (row.abandoned_at, row.attempts, row.delivered_at) == (clock.now(), 1, None)
    assert "ConnectionError" in row.last_error, "the last error is kept"
    assert [(r.levelname, "hall demo" in r.getMessage()) for r in caplog.records] == [("ERROR", True)]
    clock.advance(3600)
    assert deliver_due(ctx) == Delivery(), "an abandoned item is never sent"


def test_an_item_of_a_hall_without_a_webhook_is_abandoned(open_halls, receiver):
    bridge = receiver()
    ctx = open_halls(bridge.url, north=None)
    item = queue(ctx, "north")
    assert deliver_due(ctx) == Delivery(abandoned=1)
    assert bridge.got == [] and "no webhook" in stored(ctx, item).last_error


def test_the_receiver_refuses_a_wrong_secret_a_changed_body_and_a_stale_timestamp(clock):
    secret, body, now = SECRET.encode(), b'{"kind":"alert.raised"}', clock.now()
    timestamp = str(int(now.timestamp()))
    signature = sign(secret, timestamp, body)
    assert receiver_check(secret, timestamp, body, signature, now)
    assert receiver_check(secret, timestamp, body, signature, now + timedelta(seconds=300))
    assert not receiver_check(b"another hall's secret", timestamp, body, signature, now)
    assert not receiver_check(secret, timestamp, body + b" ", signature, now)
    assert not receiver_check(secret, timestamp, body, signature, now + timedelta(seconds=301))
    assert not receiver_check(secret, timestamp, body, signature, now - timedelta(seconds=301))
    assert not receiver_check(secret, "yesterday", body, signature, now)


@pytest.mark.parametrize("secret", [None, "fifteen chars!!"], ids=["missing", "short"])
def test_the_configuration_needs_the_webhooks_secret(tmp_path: Path, monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv(SECRET_ENV, raising=False)
    else:
        monkeypatch.setenv(SECRET_ENV, secret)
    path = tmp_path / "halls.toml"
    path.write_text(webhook_config_text("http://127.0.0.1:9/hooks/hall"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"halls.0.alerts.webhook.secret_env: set the environment variable {SECRET_ENV}" in str(error.value)
