"""Accounts: slow-hashed passwords, hashed tokens that expire, devices, the first admin."""
import pytest
import sqlalchemy as sa

from hall_server.domain.actors import Role
from hall_server.domain.errors import HallError
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
        with pytest.raises(accounts.Unauthorized):
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
