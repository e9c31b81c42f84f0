"""CPU-heavy work kept off the server's event loop: checking a password (argon2, ~165 ms)
and reading a QR code in a kiosk's picture (~50-150 ms). Under gevent one greenlet running
them would hold up every request and every display for that long; in a real thread of a
small pool, at a lower priority, they run while the loop goes on (both release the
interpreter lock), and the calling greenlet waits for the result."""
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

#: the pool's real threads: half the cores, so a storm of logins or pictures leaves the rest
#: of the machine to the event loop
THREADS = max(1, (os.cpu_count() or 2) // 2)
#: their niceness: the server's other work goes first
NICENESS = 10

_pools: dict[int, Any] = {}


def off_loop(fn: Callable, *args):
    """`fn(*args)` where it does not block the event loop: under gevent (monkey-patched), in
    a thread of the pool while this greenlet waits; otherwise (threads) right here."""
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            return _pool().apply(_at_low_priority, (fn, args))
    return fn(*args)


def _at_low_priority(fn: Callable, args: tuple):
    try:  # Linux: a thread's own niceness
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass  # elsewhere it runs at the normal priority
    return fn(*args)


def _pool():
    """The pool of this process (gunicorn forks its worker from a master that may have used one)."""
    pool = _pools.get(os.getpid())
    if pool is None:
        from gevent.threadpool import ThreadPool

        pool = _pools[os.getpid()] = ThreadPool(THREADS)
    return pool
