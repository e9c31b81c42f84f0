"""The mutations a review named in issue 7, made by hand in a copy of the tree (in a temporary
folder; the working tree is not touched): each must make one of the fast SQLite tests fail.
mutmut makes most of them too, but not those in decorated functions (Store.write) or in
module-level tables. Prints the first failing test of each; about five minutes:

    .venv/bin/python -m tests.mutation_named
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent
PY = sys.executable
ST, SV, DT = "hall_server/storage/store.py", "hall_server/services/tickets.py", "hall_server/domain/tickets.py"

LISTENERS = """        if tx.events:
            for listener in self.listeners:
                listener(tx.events)
"""
NAMED = [
    ("next ticket not filtered by hall", ST,
     "select(t.tickets).where(c.hall == hall, c.status == TicketStatus.WAITING.value,\n                                    c.business_day == day, eligible)",  # noqa: E501
     "select(t.tickets).where(c.status == TicketStatus.WAITING.value,\n                                    c.business_day == day, eligible)"),  # noqa: E501
    ("ticket of another hall accepted by id", ST, "if ticket.hall != self.hall:", "if False:"),
    ("people ahead: finished/cancelled counted", ST,
     ".where(c.hall == ticket.hall, c.status == TicketStatus.WAITING.value,", ".where(c.hall == ticket.hall,"),
    ("people ahead: other services counted", ST,
     "c.business_day == ticket.business_day, c.service == ticket.service,", "c.business_day == ticket.business_day,"),
    ("people ahead: other days counted", ST,
     "c.business_day == ticket.business_day, c.service == ticket.service,", "c.service == ticket.service,"),
    ("people ahead: other halls counted", ST,
     ".where(c.hall == ticket.hall, c.status == TicketStatus.WAITING.value,", ".where(c.status == TicketStatus.WAITING.value,"),  # noqa: E501
    ("appointment slot ignored", SV, "effective_at(tx.at, slot_start,", "effective_at(tx.at, None,"),
    ("reinstated no-show tied to its old counter", DT,
     "self.queued_at, self.counter, self.called_at, self.no_show_at = at, None, None, None",
     "self.queued_at, self.called_at, self.no_show_at = at, None, None"),
    ("cancelling a waiting transferred ticket releases a counter", SV,
     "at_counter = ticket.at_counter", "at_counter = ticket.counter"),
    ("compare-and-set off for tickets", ST,
     "t.tickets.c.id == ticket.id, t.tickets.c.status == before)", "t.tickets.c.id == ticket.id)"),
    ("compare-and-set off for counters", ST,
     "t.counters.c.hall == self.hall, t.counters.c.number == counter.number,\n            t.counters.c.state == before)",  # noqa: E501
     "t.counters.c.hall == self.hall, t.counters.c.number == counter.number)"),
    ("committed events never reach listeners", ST, LISTENERS, ""),
    ("listeners called when the transaction fails", ST,
     "                yield tx\n", "                try:\n                    yield tx\n                finally:\n"
     "                    for listener in self.listeners:\n                        listener(tx.events)\n",
     LISTENERS, ""),
    ("a paused counter takes a ticket", [SV, "hall_server/domain/counters.py"],
     "        if desk.state is not CounterState.IDLE:\n            raise", "        if False:\n            raise",
     "    (C.IDLE, CA.TAKE): C.SERVING,\n", "    (C.IDLE, CA.TAKE): C.SERVING,\n    (C.PAUSED, CA.TAKE): C.SERVING,\n"),
    ("a finish with zero items", SV, 'items=items or [{"service": ticket.service, "count": 1}])', "items=items or [])"),
    ("recent handling times from the oldest", ST, ".order_by(c.finished_at.desc())", ".order_by(c.finished_at)"),
    ("clock read before the hall's lock", [ST, ST],
     "        with self.engine.connect() as conn:\n            with conn.begin():\n                last_seq",
     "        now = clock.now()\n        with self.engine.connect() as conn:\n            with conn.begin():\n                last_seq",  # noqa: E501
     "                now = clock.now()\n", ""),
    ("time may go before the last event", ST, "max(now, last_at) if last_at else now", "now"),
    ("request id not scoped to the hall", ST, "c.hall == hall, c.business_day == day, c.issued_by == issued_by,",
     "c.business_day == day, c.issued_by == issued_by,"),
    ("request id not scoped to the device", ST, "c.hall == hall, c.business_day == day, c.issued_by == issued_by,",
     "c.hall == hall, c.business_day == day,"),
    ("next in queue of every service", ST, "c.business_day == day, c.service == service)\n            .order_by(c.effective_at, c.issued_at, c.id).limit(limit)",  # noqa: E501
     "c.business_day == day)\n            .order_by(c.effective_at, c.issued_at, c.id).limit(limit)"),
    ("closed day of any hall", ST, "select(t.halls.c.closed_day).where(t.halls.c.id == hall)", "select(t.halls.c.closed_day)"),  # noqa: E501
    ("day closed marked in every hall", ST, "update(t.halls).where(t.halls.c.id == self.hall).values(closed_day=day)",
     "update(t.halls).values(closed_day=day)"),
    ("a no-show's visit counts handling time", DT,
     "HANDLED = frozenset({VisitOutcome.FINISHED,", "HANDLED = frozenset({VisitOutcome.NO_SHOW, VisitOutcome.FINISHED,"),  # noqa: E501
    ("lease taken over while it runs", ST, "if row.holder != holder and row.expires_at > now:", "if False:"),
]
TESTS = ["tests/domain", "tests/storage/test_store_rules.py", "tests/storage/test_ticket_rules.py",
         "tests/storage/test_business_day.py", "tests/storage/test_queue_rules.py", "tests/test_queue_index.py",
         "-k", "not postgresql"]


def run(work: Path) -> int:
    killed = 0
    for name, paths, *pairs in NAMED:
        paths = paths if isinstance(paths, list) else [paths] * (len(pairs) // 2)
        originals = {p: (work / p).read_text() for p in set(paths)}
        texts = dict(originals)
        for path, old, new in zip(paths, pairs[::2], pairs[1::2], strict=True):
            assert old in texts[path], f"{name}: the code changed, {old[:60]!r} is not in {path}"
            texts[path] = texts[path].replace(old, new, 1)
        for path, text in texts.items():
            (work / path).write_text(text)
        try:
            out = subprocess.run([PY, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                                  *TESTS], cwd=work, capture_output=True, text=True, timeout=900).stdout
        finally:
            for path, text in originals.items():
                (work / path).write_text(text)
        failed = re.findall(r"^FAILED (\S+)", out, re.M)
        killed += bool(failed)
        print(f"{'killed  ' if failed else 'SURVIVED'} {name}: {failed[0] if failed else out.strip()[-200:]}",
              flush=True)
    print(f"named mutations: {killed} of {len(NAMED)} killed")
    return 0 if killed == len(NAMED) else 1


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in ("hall_server", "tests", "config"):
            shutil.copytree(SRC / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(SRC / "pyproject.toml", work)
        return run(work)


if __name__ == "__main__":
    sys.exit(main())
