"""Table mutants: the module-level tables that mutmut leaves alone (it mutates inside
functions only). Each entry of a transition or effect table is deleted or pointed
elsewhere, each move the table lacks is added, each member of a state set is dropped or
one is added; the pure domain tests (test_rules.py, test_visits.py) must fail for every
one. Runs in one process, in about five minutes:

    .venv/bin/python -m tests.mutation_tables
"""
import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hall_server.domain import counters as dc
from hall_server.domain import projection as dp
from hall_server.domain import tickets as dt

HERE = Path(__file__).parent
TESTS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(HERE / "domain" / "test_rules.py"), str(HERE / "domain" / "test_visits.py")]
TABLES = {"TRANSITIONS": (dt.TRANSITIONS, list(dt.TicketStatus)),
          "COUNTER_TRANSITIONS": (dc.COUNTER_TRANSITIONS, list(dc.CounterState)),
          "COUNTER_EFFECTS": (dp.COUNTER_EFFECTS, list(dc.CounterAction)),
          "TICKET_ACTIONS": (dp.TICKET_ACTIONS, list(dt.TicketAction)),
          "_REFUSALS": (dc._REFUSALS, ["counter_state", "ticket_in_progress"])}
SETS = {"AT_COUNTER": list(dt.TicketStatus), "HANDLED": list(dt.VisitOutcome)}
Mutant = tuple[str, Callable[[], None]]


def tests_fail() -> bool:
    with contextlib.redirect_stdout(io.StringIO()):
        return pytest.main(TESTS) != 0


def table_mutants() -> Iterator[Mutant]:
    for name, (table, targets) in TABLES.items():
        for key, value in list(table.items()):
            yield f"{name}: delete {key}", lambda t=table, k=key: t.pop(k)
            for other in targets:
                if other != value:
                    yield f"{name}: {key} -> {other}", lambda t=table, k=key, o=other: t.__setitem__(k, o)
    moves = ((dt.TRANSITIONS, dt.TicketStatus, dt.TicketAction, dt.TicketStatus.WAITING),
             (dc.COUNTER_TRANSITIONS, dc.CounterState, dc.CounterAction, dc.CounterState.IDLE))
    for table, states, actions, target in moves:
        for state in states:
            for action in actions:
                if (state, action) not in table:
                    yield (f"add ({state}, {action}) -> {target}",
                           lambda t=table, k=(state, action), o=target: t.__setitem__(k, o))


def set_mutants() -> Iterator[Mutant]:
    for name, members in SETS.items():
        have = getattr(dt, name)
        for member in members:
            changed = have - {member} if member in have else have | {member}
            what = "without" if member in have else "with"
            yield f"{name}: {what} {member}", lambda n=name, c=changed: setattr(dt, n, c)


def main() -> int:
    assert not tests_fail(), "the tests pass on the real tables"
    saved_tables = {name: dict(table) for name, (table, _) in TABLES.items()}
    saved_sets = {name: getattr(dt, name) for name in SETS}
    mutants = [*table_mutants(), *set_mutants()]
    survived = []
    for name, apply in mutants:
        apply()
        try:
            if not tests_fail():
                survived.append(name)
        finally:
            for table_name, (table, _) in TABLES.items():
                table.clear()
                table.update(saved_tables[table_name])
            for set_name, value in saved_sets.items():
                setattr(dt, set_name, value)
    print(f"table mutants: {len(mutants) - len(survived)} of {len(mutants)} killed")
    for name in survived:
        print("survived:", name)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
