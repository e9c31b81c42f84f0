"""The displays' API on a running server: the manager's notice line (set, read back with the
hall, sent live as `hall.notice`, cleared; who may set it; how long it may be) and the name
and badge number of the clerk at each counter on the board (for the counter displays)."""
import secrets

from hall_server.bootstrap import open_context
from hall_server.config import load_config
from hall_server.services import accounts

from ..running_hall import RunningHall
from .conftest import Client, assert_error

NOTICE = "/halls/demo/notice"


def add_named_clerk(server: RunningHall, username: str, name: str, badge: str) -> Client:
    """A clerk of the demo hall with a name and badge number, logged in."""
    password = secrets.token_urlsafe(12)
    ctx = open_context(load_config(server.config_path), server.database_url, migrate_schema=False)
    try:
        accounts.add_user(ctx, username, "clerk", password, ["demo"], badge=badge, name=name)
    finally:
        ctx.store.engine.dispose()
    server.passwords[username] = password
    return Client(server.url, server.login(username))


def test_a_manager_sets_the_notice_line_the_hall_and_its_events_carry_it(hall):
    seq = hall.last_seq()
    text = "  今日 系统升级，\n暂停办理过户业务 "
    answer = hall["mgr"].ok("POST", NOTICE, json={"zh": text, "en": "No transfers today"})
    notice = {"zh": "今日 系统升级， 暂停办理过户业务", "en": "No transfers today"}
    assert answer == {"notice": notice}
    assert hall["display"].ok("GET", "/halls/demo")["notice"] == notice
    events = hall["display"].ok("GET", "/halls/demo/events", params={"after": seq})["events"]
    assert [(e["type"], e["data"], e["actor"]) for e in events] == [("hall.notice", notice, "mgr")]

    # one language given: the other shows it too
    hall["admin"].ok("POST", NOTICE, json={"zh": "请保管好随身物品"})
    assert hall["kiosk"].ok("GET", "/halls/demo")["notice"] == {"zh": "请保管好随身物品", "en": "请保管好随身物品"}

    # both empty: cleared
    assert hall["mgr"].ok("POST", NOTICE, json={"zh": "", "en": " "}) == {"notice": None}
    assert hall["display"].ok("GET", "/halls/demo")["notice"] is None


def test_only_managers_of_the_hall_set_the_notice_and_it_fits_one_line(hall):
    for who in ("clerk-a", "display", "kiosk"):
        assert_error(hall[who].post(NOTICE, json={"zh": "x"}), 403, "forbidden")
    assert_error(hall["mgr-north"].post(NOTICE, json={"zh": "x"}), 403)
    assert_error(hall["nobody"].post(NOTICE, json={"zh": "x"}), 401)
    assert_error(hall["mgr"].post(NOTICE, json={"zh": "长" * 201}), 422, "notice_too_long")
    hall["mgr"].ok("POST", NOTICE, json={"zh": "长" * 200})
    assert hall["mgr"].ok("GET", "/halls/demo")["notice"]["en"] == "长" * 200


def test_the_board_names_the_clerk_at_each_counter(hall):
    clerk = add_named_clerk(hall.server, "clerk-named", "王小燕", "SG-0371")
    clerk.ok("POST", "/halls/demo/counters/4/sign-in")
    hall.counter_action("clerk-a", 5, "sign-in")
    try:
        counters = {c["number"]: c for c in hall["display"].ok("GET", "/halls/demo/board")["counters"]}
        assert (counters[4]["clerk"], counters[4]["clerk_name"], counters[4]["clerk_badge"]) == \
            ("clerk-named", "王小燕", "SG-0371")
        # a clerk with neither in their record, and a closed counter
        assert (counters[5]["clerk"], counters[5]["clerk_name"], counters[5]["clerk_badge"]) == ("clerk-a", None, None)
        closed = next(c for c in counters.values() if c["state"] == "closed")
        assert closed["clerk_name"] is None and closed["clerk_badge"] is None
    finally:
        clerk.ok("POST", "/halls/demo/counters/4/sign-out")
        hall.counter_action("clerk-a", 5, "sign-out")
