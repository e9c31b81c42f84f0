"""A display's Socket.IO client, for the tests and the benchmark.

It is python-socketio's asyncio client: its handlers run on one event loop in the order the
messages arrived. (The threaded client runs each handler in a thread of its own, so two
events can be seen in the other order although they arrived in order.)
"""
import asyncio
import queue
import threading
import time

import socketio

WAIT_S = 30


class Display:
    """One display connection; `received` holds (arrival time, event) in arrival order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.client.on("hall_event", self._arrived)

    async def _arrived(self, event: dict) -> None:
        self.received.put((time.time(), event))

    async def connect(self, url: str, token: str | None) -> None:
        await self.client.connect(url, auth={"token": token} if token else None, transports=["websocket"],
                                  wait_timeout=WAIT_S)

    async def subscribe(self, hall: str = "demo") -> dict:
        return await self.client.call("subscribe", {"hall": hall}, timeout=WAIT_S)

    async def close(self) -> None:
        await self.client.disconnect()


class BlockingDisplay:
    """A Display driven from plain (threaded) test code: its event loop runs in a thread."""

    def __init__(self, url: str, token: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.display = self._run(self._make())
        try:
            self._run(self.display.connect(url, token))
        except BaseException:
            self._stop_loop()
            raise
        self.received = self.display.received

    async def _make(self) -> Display:
        return Display()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(WAIT_S + 5)

    def subscribe(self, hall: str = "demo") -> dict:
        return self._run(self.display.subscribe(hall))

    def take(self, count: int) -> list[dict]:
        """The next `count` events, waiting for them."""
        return [self.received.get(timeout=WAIT_S)[1] for _ in range(count)]

    def close(self) -> None:
        if not self.thread.is_alive():
            return  # closed already
        try:
            self._run(self.display.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
