"""Accounts: slow-hashed passwords, hashed tokens that expire, devices, the first admin; the
lifecycle (logout, password change, disabled users, revoked devices) and the login throttle."""
import inspect
import json
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hall_server.domain.actors import Actor, Role
from hall_server.domain.errors import (
    Conflict,
    Forbidden,
    HallError,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from hall_server.services import accounts
from hall_server.storage import tables as t

PASSWORD = "correct horse battery"


def stored(ctx, table) -> list[dict]:
    with ctx.store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.select(table))]


def test_a_password_is_kept_as_an_argon2_hash(ctx):
    accounts.add_user(ctx, "wang", "clerk", PASSWORD, ["demo"], badge="1001")
    [user] = stored(ctx, t.users)
    assert user["password_hash"].startswith("$argon2") and PASSWORD not in user["password_hash"]
    assert accounts.login(ctx, "wang", PASSWORD).actor.role is Role.CLERK
    for username, password in [("wang", PASSWORD + "!"), ("li", PASSWORD)]:
        with pytest.raises(Unauthorized):
            accounts.login(ctx, username, password)


def test_a_login_token_is_stored_hashed_and_expires(ctx, clock):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    login = accounts.login(ctx, "zhao", PASSWORD)
    [row] = stored(ctx, t.tokens)
    assert row["token_hash"] != login.token and login.token not in str(row)
    assert accounts.authenticate(ctx, login.token).halls == frozenset({"demo"})
    clock.advance(accounts.LOGIN_TOKEN_TTL.total_seconds() - 1)
    assert accounts.authenticate(ctx, login.token).name == "zhao"
    clock.advance(1)
    with pytest.raises(accounts.Unauthorized):
        accounts.authenticate(ctx, login.token)


def test_a_device_token_stands_for_its_kind_hall_and_counter(ctx, clock):
    token = accounts.add_device(ctx, "demo", "evaluator", "pad-2", counter=2)
    clock.advance(365 * 86400)
    actor = accounts.authenticate(ctx, token)
    assert (actor.role, actor.halls, actor.counter) == (Role.EVALUATOR, frozenset({"demo"}), 2)
    assert token not in str(stored(ctx, t.tokens))


@pytest.mark.parametrize("call, code", [
    (lambda ctx: accounts.add_user(ctx, "a", "clerk", "short", ["demo"]), "weak_password"),
    (lambda ctx: accounts.add_user(ctx, "a", "kiosk", PASSWORD, ["demo"]), "invalid_role"),
    (lambda ctx: accounts.add_device(ctx, "demo", "printer", "p"), "invalid_kind"),
    (lambda ctx: accounts.add_device(ctx, "demo", "evaluator", "e"), "no_counter"),
    (lambda ctx: accounts.add_device(ctx, "demo", "evaluator", "e", counter=99), "unknown_counter"),
    (lambda ctx: accounts.add_device(ctx, "nowhere", "kiosk", "k"), "unknown_hall"),
])
def test_bad_accounts_are_refused_and_nothing_is_stored(ctx, call, code):
    with pytest.raises(HallError) as refused:
        call(ctx)
    assert refused.value.code == code
    assert stored(ctx, t.users) == stored(ctx, t.devices) == stored(ctx, t.tokens) == []


def test_the_first_admin_is_created_once_with_a_random_password(ctx):
    password = accounts.ensure_first_admin(ctx)
    assert password and len(password) >= 12
    assert accounts.login(ctx, "admin", password).actor.role is Role.ADMIN
    assert accounts.ensure_first_admin(ctx) is None


# The account lifecycle and the login throttle (issue 7)

@pytest.fixture
def fast_hashing(monkeypatch):
    """argon2 at its cheapest, for tests that check many passwords (the scheme is the same)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


def test_the_service_layer_reaches_the_database_only_through_the_store():
    source = inspect.getsource(accounts)
    assert "sqlalchemy" not in source and "engine" not in source and "tables" not in source


def test_an_actor_carries_no_badge_nor_display_name(ctx):
    accounts.add_user(ctx, "wang", "clerk", PASSWORD, ["demo"], badge="1001", name="王")
    actor = accounts.login(ctx, "wang", PASSWORD).actor
    assert {f.name for f in fields(Actor)} == {"name", "role", "halls", "counter"}
    assert actor == Actor("wang", Role.CLERK, frozenset({"demo"}))
    assert (stored(ctx, t.users)[0]["badge"], stored(ctx, t.users)[0]["name"]) == ("1001", "王")


@pytest.mark.parametrize("password, accepted", [("9chars-ok", False), ("ten-chars!", True)])
def test_a_new_password_has_at_least_ten_characters(ctx, password, accepted):
    assert accounts.MIN_PASSWORD_LENGTH == 10
    if accepted:
        accounts.add_user(ctx, "wang", "clerk", password, ["demo"])
        assert accounts.login(ctx, "wang", password).actor.name == "wang"
        return
    with pytest.raises(Invalid) as refused:
        accounts.add_user(ctx, "wang", "clerk", password, ["demo"])
    assert refused.value.code == "weak_password" and stored(ctx, t.users) == []


def test_logout_kills_that_token_only(ctx):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    first, second = accounts.login(ctx, "zhao", PASSWORD), accounts.login(ctx, "zhao", PASSWORD)
    accounts.logout(ctx, first.token)
    with pytest.raises(Unauthorized):
        accounts.authenticate(ctx, first.token)
    with pytest.raises(Unauthorized):
        accounts.logout(ctx, first.token)
    assert accounts.authenticate(ctx, second.token).name == "zhao"


def test_a_device_neither_logs_out_nor_changes_a_password(ctx):
    token = accounts.add_device(ctx, "demo", "kiosk", "kiosk-1")
    for call in (lambda: accounts.logout(ctx, token),
                 lambda: accounts.change_password(ctx, token, PASSWORD, PASSWORD + "!")):
        with pytest.raises(Forbidden) as refused:
            call()
        assert refused.value.code == "not_a_user"
    assert accounts.authenticate(ctx, token).role is Role.KIOSK


def test_a_password_change_revokes_the_other_tokens_and_keeps_this_one(ctx):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    accounts.add_user(ctx, "qian", "clerk", PASSWORD, ["demo"])
    here, elsewhere = accounts.login(ctx, "zhao", PASSWORD), accounts.login(ctx, "zhao", PASSWORD)
    someone_else = accounts.login(ctx, "qian", PASSWORD)
    accounts.change_password(ctx, here.token, PASSWORD, "a new long password")
    assert accounts.authenticate(ctx, here.token).name == "zhao"
    with pytest.raises(Unauthorized):
        accounts.authenticate(ctx, elsewhere.token)
    assert accounts.authenticate(ctx, someone_else.token).name == "qian"
    with pytest.raises(Unauthorized):
        accounts.login(ctx, "zhao", PASSWORD)
    assert accounts.login(ctx, "zhao", "a new long password").actor.name == "zhao"


@pytest.mark.parametrize("current, new, error, code", [
    ("not the password", "a new long password", Forbidden, "wrong_password"),
    (PASSWORD, "too-short", Invalid, "weak_password"),
])
def test_a_refused_password_change_changes_nothing(ctx, current, new, error, code):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    here, elsewhere = accounts.login(ctx, "zhao", PASSWORD), accounts.login(ctx, "zhao", PASSWORD)
    with pytest.raises(error) as refused:
        accounts.change_password(ctx, here.token, current, new)
    assert refused.value.code == code
    for login in (here, elsewhere):
        assert accounts.authenticate(ctx, login.token).name == "zhao"
    assert accounts.login(ctx, "zhao", PASSWORD)


def test_an_administrator_sets_a_password_and_every_token_of_the_user_dies(ctx):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    logins = [accounts.login(ctx, "zhao", PASSWORD) for _ in range(2)]
    accounts.set_password(ctx, "zhao", "set by the admin")
    for login in logins:
        with pytest.raises(Unauthorized):
            accounts.authenticate(ctx, login.token)
    assert accounts.login(ctx, "zhao", "set by the admin")
    with pytest.raises(NotFound):
        accounts.set_password(ctx, "nobody", "set by the admin")
    with pytest.raises(Invalid):
        accounts.set_password(ctx, "zhao", "short")


def test_a_disabled_user_cannot_log_in_and_their_tokens_die_at_once(ctx):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    accounts.add_user(ctx, "qian", "clerk", PASSWORD, ["demo"])
    login, other = accounts.login(ctx, "zhao", PASSWORD), accounts.login(ctx, "qian", PASSWORD)
    assert accounts.disable_user(ctx, "zhao") is True
    with pytest.raises(Unauthorized):
        accounts.authenticate(ctx, login.token)
    with pytest.raises(Unauthorized) as refused:
        accounts.login(ctx, "zhao", PASSWORD)
    with pytest.raises(Unauthorized) as wrong:
        accounts.login(ctx, "qian", "not the password")
    assert (refused.value.code, refused.value.message) == (wrong.value.code, wrong.value.message), \
        "a disabled user is told nothing more than a wrong password"
    assert accounts.authenticate(ctx, other.token).name == "qian"
    assert accounts.disable_user(ctx, "zhao") is False
    with pytest.raises(NotFound):
        accounts.disable_user(ctx, "nobody")


def test_a_revoked_device_token_dies_and_its_name_may_be_given_again(ctx):
    token = accounts.add_device(ctx, "demo", "kiosk", "kiosk-1")
    other = accounts.add_device(ctx, "demo", "display", "display-1")
    assert accounts.revoke_device(ctx, "demo", "kiosk-1") is True
    with pytest.raises(Unauthorized):
        accounts.authenticate(ctx, token)
    assert accounts.authenticate(ctx, other).name == "display-1"
    assert accounts.revoke_device(ctx, "demo", "kiosk-1") is False
    for hall, name, code in [("demo", "nothing", "unknown_device"), ("nowhere", "kiosk-1", "unknown_hall")]:
        with pytest.raises(NotFound) as refused:
            accounts.revoke_device(ctx, hall, name)
        assert refused.value.code == code
    with pytest.raises(Conflict):
        accounts.add_device(ctx, "demo", "display", "display-1")
    replacement = accounts.add_device(ctx, "demo", "kiosk", "kiosk-1")
    assert accounts.authenticate(ctx, replacement).name == "kiosk-1"
    with pytest.raises(Unauthorized):
        accounts.authenticate(ctx, token)


def test_a_booking_device_is_a_kind_of_device(ctx):
    token = accounts.add_device(ctx, "demo", "booking", "wechat")
    assert accounts.authenticate(ctx, token) == Actor("wechat", Role.BOOKING, frozenset({"demo"}))


def test_live_sessions_are_the_tokens_that_still_authenticate(ctx, clock):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    accounts.add_user(ctx, "qian", "clerk", PASSWORD, ["demo"])
    kiosk, display = accounts.add_device(ctx, "demo", "kiosk", "k"), accounts.add_device(ctx, "demo", "display", "d")
    zhao, qian = accounts.login(ctx, "zhao", PASSWORD), accounts.login(ctx, "qian", PASSWORD)
    clock.advance(60)
    later = accounts.login(ctx, "zhao", PASSWORD)
    tokens = [kiosk, display, zhao.token, qian.token, later.token, "never issued"]
    keys = {accounts.session_key(token): token for token in tokens}
    assert accounts.live_sessions(ctx, keys) == set(keys) - {accounts.session_key("never issued")}
    accounts.revoke_device(ctx, "demo", "k")
    accounts.disable_user(ctx, "qian")
    clock.advance(accounts.LOGIN_TOKEN_TTL.total_seconds() - 30)  # the first logins expire
    assert {keys[key] for key in accounts.live_sessions(ctx, keys)} == {display, later.token}
    assert accounts.live_sessions(ctx, []) == set()


def failures(ctx) -> list[dict]:
    return stored(ctx, t.login_failures)


def test_five_failures_for_a_user_name_refuse_even_the_right_password_until_the_window_passes(
        ctx, clock, fast_hashing):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    for n in range(5):
        clock.advance(10)
        with pytest.raises(Unauthorized):
            accounts.login(ctx, "zhao", f"guess {n}", address=f"10.0.0.{n}")
    first_failure = clock.now() - timedelta(seconds=40)
    with pytest.raises(TooManyAttempts) as throttled:
        accounts.login(ctx, "zhao", PASSWORD, address="10.0.1.1")
    assert throttled.value.code == "too_many_attempts"
    assert throttled.value.retry_after_s == 900 - 40
    assert len(failures(ctx)) == 5, "a throttled attempt is no failure: the window still ends"
    clock.set(first_failure + accounts.LOGIN_WINDOW - timedelta(seconds=1))
    with pytest.raises(TooManyAttempts) as throttled:
        accounts.login(ctx, "zhao", PASSWORD)
    assert throttled.value.retry_after_s == 1
    clock.advance(1)
    assert accounts.login(ctx, "zhao", PASSWORD).actor.name == "zhao"


def test_twenty_failures_from_one_address_refuse_it_whatever_the_name(ctx, clock, fast_hashing):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    for n in range(20):
        with pytest.raises(Unauthorized):
            accounts.login(ctx, f"guess-{n % 4}", "wrong password", address="10.9.9.9")
        clock.advance(1)
    with pytest.raises(TooManyAttempts) as throttled:
        accounts.login(ctx, "zhao", PASSWORD, address="10.9.9.9")
    assert throttled.value.retry_after_s == 900 - 20
    assert accounts.login(ctx, "zhao", PASSWORD, address="10.9.9.10").actor.name == "zhao"
    assert accounts.login(ctx, "zhao", PASSWORD).actor.name == "zhao"
    clock.advance(900 - 20)
    assert accounts.login(ctx, "zhao", PASSWORD, address="10.9.9.9").actor.name == "zhao"


def test_a_successful_login_is_no_failure(ctx, fast_hashing):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    for _ in range(6):
        accounts.login(ctx, "zhao", PASSWORD, address="10.0.0.1")
    for _ in range(4):
        with pytest.raises(Unauthorized):
            accounts.login(ctx, "zhao", "wrong password", address="10.0.0.1")
    assert accounts.login(ctx, "zhao", PASSWORD, address="10.0.0.1")
    assert len(failures(ctx)) == 4


def test_a_wrong_current_password_counts_as_a_failed_login(ctx, fast_hashing):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    token = accounts.login(ctx, "zhao", PASSWORD).token
    for _ in range(5):
        with pytest.raises(Forbidden):
            accounts.change_password(ctx, token, "a wrong guess", "a new long password")
    with pytest.raises(TooManyAttempts):
        accounts.change_password(ctx, token, PASSWORD, "a new long password")
    with pytest.raises(TooManyAttempts):
        accounts.login(ctx, "zhao", PASSWORD)


def test_failures_older_than_the_window_are_pruned(ctx, clock, fast_hashing):
    for name, address in [("zhao", "10.0.0.1"), ("qian", "10.0.0.2"), ("sun", "10.0.0.3")]:
        with pytest.raises(Unauthorized):
            accounts.login(ctx, name, "wrong password", address=address)
    clock.advance(accounts.LOGIN_WINDOW.total_seconds())
    with pytest.raises(Unauthorized):
        accounts.login(ctx, "zhao", "wrong password", address="10.0.0.9")
    with pytest.raises(Unauthorized):
        accounts.login(ctx, "li", "wrong password", address="10.0.0.2")
    assert sorted((f["username"], f["address"]) for f in failures(ctx)) == [
        ("li", "10.0.0.2"), ("sun", "10.0.0.3"), ("zhao", "10.0.0.9")]


def test_concurrent_guesses_cannot_slip_under_the_limit(ctx, fast_hashing):
    accounts.add_user(ctx, "zhao", "manager", PASSWORD, ["demo"])
    start = threading.Barrier(12)

    def guess(n: int) -> str:
        start.wait()
        try:
            accounts.login(ctx, "zhao", f"guess {n}", address=f"10.0.0.{n}")
        except HallError as error:
            return error.code
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(guess, range(12)))
    assert outcomes == {"invalid_credentials": 5, "too_many_attempts": 7}


GEVENT_LOGINS = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import json, sys, time
    import gevent
    from hall_server.bootstrap import open_context
    from hall_server.services import accounts

    ctx = open_context(url=sys.argv[1])
    accounts.add_user(ctx, "zhao", "manager", "a long password", ["demo"])
    ticks = []

    def tick():
        while True:
            ticks.append(time.monotonic())
            gevent.sleep(0.005)

    ticker = gevent.spawn(tick)
    gevent.sleep(0.05)
    start = time.monotonic()
    for _ in range(3):
        try:
            accounts.login(ctx, "zhao", "a wrong password")
        except accounts.Unauthorized:
            pass
    took = time.monotonic() - start
    ticker.kill()
    gaps = [b - a for a, b in zip(ticks, ticks[1:]) if b > start]
    print(json.dumps({"check_s": took / 3, "longest_gap_s": max(gaps, default=took), "ticks": len(gaps)}))
""")


def test_under_gevent_a_password_check_does_not_block_the_event_loop(tmp_path):
    """As the production server runs (gevent, monkey-patched): while three wrong passwords are
    checked (~165 ms of CPU each), another greenlet keeps running every few milliseconds."""
    done = subprocess.run([sys.executable, "-c", GEVENT_LOGINS, f"sqlite:///{tmp_path / 'hall.db'}"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["longest_gap_s"] < 0.5 * result["check_s"], result
