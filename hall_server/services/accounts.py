"""Use cases of accounts: users with slow-hashed passwords, devices, bearer tokens, and the
lifecycle of each (logout, password change, disabling a user, revoking a device).

Passwords are hashed with argon2. Tokens are 256-bit random strings; only their SHA-256
is stored, which is enough for a secret nobody can guess. A login token expires; a device
token lasts until the device is revoked. A token is live while it is stored, not expired,
and its user is not disabled (or its device not revoked): every request checks that, and
the Socket.IO server re-checks its connections' tokens every few seconds (web/realtime.py).

Failed logins are throttled (CONTRACT.md "Authentication"): after MAX_FAILURES_PER_USER
failures for one user name, or MAX_FAILURES_PER_ADDRESS from one address, within
LOGIN_WINDOW, attempts are refused with TooManyAttempts before any password is checked,
until the window lets one through. Failures are rows in the database, so every server
process shares them. Each attempt is recorded as a failure before its password is checked
(and forgotten if it was right), so many concurrent guesses cannot all slip under the limit.

An argon2 check costs about 165 ms of CPU. Under the gevent server it runs in a small pool
of real threads (argon2 releases the GIL) at a lower CPU priority, so the event loop keeps
serving everyone else while passwords are checked beside it.
"""
import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.actors import Actor, Role
from ..domain.errors import Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized
from ..storage.accounts import Attempt, PairedDevice, Session, UserChange, UserRecord
from .context import HallContext
from .off_loop import off_loop

USER_ROLES = (Role.CLERK, Role.MANAGER, Role.ADMIN)
DEVICE_KINDS = (Role.KIOSK, Role.DISPLAY, Role.EVALUATOR, Role.BOOKING)
LOGIN_TOKEN_TTL = timedelta(hours=12)
#: how long a device's pairing link may wait to be opened
PAIRING_TTL = timedelta(hours=24)
MIN_PASSWORD_LENGTH = 10
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
WRONG_CREDENTIALS = "wrong username or password"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Login:
    token: str
    actor: Actor
    expires_at: datetime
    #: the token may only change the password (and log out) until it is changed
    must_change_password: bool = False


def session_key(token: str) -> str:
    """What the database keeps of a token (its SHA-256); it identifies a session."""
    return hashlib.sha256(token.encode()).hexdigest()


# users

def add_user(ctx: HallContext, username: str, role: str, password: str, halls: list[str],
             badge: str | None = None, name: str | None = None) -> None:
    """The command line adds a user with the password its administrator chose."""
    _check_role_and_halls(ctx, role, halls)
    _check_new_password(password)
    ctx.store.accounts.add_user(username, off_loop(_hasher.hash, password), role, halls, ctx.clock.now(),
                                badge=badge, name=name)


def _check_role_and_halls(ctx: HallContext, role: str, halls: list[str]) -> None:
    if role not in USER_ROLES:
        raise Invalid(f"role must be one of {', '.join(USER_ROLES)}", "invalid_role")
    for hall in halls:
        if hall not in ctx.config.by_id:
            raise Invalid(f"no hall {hall!r}", "unknown_hall")
    if role != Role.ADMIN and not halls:
        raise Invalid(f"a {role} needs at least one --hall", "no_hall")


def user_count(ctx: HallContext) -> int:
    return ctx.store.accounts.user_count()


def ensure_first_admin(ctx: HallContext) -> str | None:
    """With no user at all, create `admin` with a random password and return it (once)."""
    if user_count(ctx):
        return None
    password = _random_password()
    add_user(ctx, "admin", Role.ADMIN, password, [])
    return password


def set_password(ctx: HallContext, username: str, password: str) -> None:
    """An administrator sets a user's password (`user passwd`): all their tokens are revoked."""
    _check_new_password(password)
    ctx.store.accounts.set_password(username, off_loop(_hasher.hash, password))


def disable_user(ctx: HallContext, username: str) -> bool:
    """The user may no longer log in and their tokens die at once; False if disabled already."""
    return ctx.store.accounts.disable_user(username, ctx.clock.now())


# administration of users (by an admin, or a manager for the clerks of their halls)

def users(ctx: HallContext, actor: Actor) -> list[UserRecord]:
    """The users `actor` may manage: an admin everyone, a manager the clerks of their halls."""
    _require_administrator(actor)
    return [user for user in ctx.store.accounts.users() if _manages(actor, user)]


def create_user(ctx: HallContext, actor: Actor, username: str, role: str, halls: list[str],
                badge: str | None = None, name: str | None = None) -> str:
    """Add a user with a random password, returned this once; they must change it when they
    first sign in. Conflict if the username is taken."""
    _require_administrator(actor)
    _check_role_and_halls(ctx, role, halls)
    _check_may_give(actor, role, halls)
    password = _random_password()
    ctx.store.accounts.add_user(username, off_loop(_hasher.hash, password), role,
                                [] if role == Role.ADMIN else halls, ctx.clock.now(), badge=badge, name=name,
                                must_change_password=True, by=actor.name)
    return password


def update_user(ctx: HallContext, actor: Actor, username: str, role: str | None = None,
                halls: list[str] | None = None, **names: str | None) -> UserRecord:
    """Change the user's role, halls, and `names` (name, badge: None clears one); what is not
    given stays. An admin keeps their own role, so an admin always remains."""
    target = _managed_user(ctx, actor, username)
    role = role or target.role
    if role != target.role and username == actor.name:
        raise Forbidden("you cannot change your own role", "own_role")
    new_halls = [] if role == Role.ADMIN else (list(target.halls) if halls is None else halls)
    _check_role_and_halls(ctx, role, new_halls)
    _check_may_give(actor, role, new_halls)
    ctx.store.accounts.update_user(username, ctx.clock.now(), actor.name, {"role": role, **names}, new_halls)
    return ctx.store.accounts.users(username)[0]


def reset_password(ctx: HallContext, actor: Actor, username: str) -> str:
    """A new random password for the user, returned this once; their sessions end at once and
    they must change it at their next sign-in."""
    target = _managed_user(ctx, actor, username)
    if target.username == actor.name:
        raise Forbidden("change your own password with your current one instead", "own_password")
    password = _random_password()
    ctx.store.accounts.set_password(username, off_loop(_hasher.hash, password), must_change=True,
                                    at=ctx.clock.now(), by=actor.name)
    return password


def disable(ctx: HallContext, actor: Actor, username: str) -> UserRecord:
    """Disable the user as `user disable` does: no more sign-ins, their tokens die at once
    (and with them their live connections). Disabling a disabled user changes nothing."""
    target = _managed_user(ctx, actor, username)
    if target.username == actor.name:
        raise Forbidden("you cannot disable yourself", "own_account")
    ctx.store.accounts.disable_user(username, ctx.clock.now(), by=actor.name)
    return ctx.store.accounts.users(username)[0]


def user_changes(ctx: HallContext, actor: Actor, by: str | None = None, username: str | None = None,
                 before: int | None = None, limit: int = 100) -> list[UserChange]:
    """Who changed which account how, newest first: an admin sees every change, a manager
    those made to the clerks they manage."""
    among = None if actor.role == Role.ADMIN else [user.username for user in users(ctx, actor)]
    return ctx.store.accounts.changes(by, username, before, limit, among)


def _require_administrator(actor: Actor) -> None:
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden(f"a {actor.role.value} may not administer users", "forbidden")


def _manages(actor: Actor, user: UserRecord) -> bool:
    """An admin manages everyone; a manager the clerks whose halls are all theirs."""
    if actor.role == Role.ADMIN:
        return True
    return (actor.role == Role.MANAGER and user.role == Role.CLERK and bool(user.halls)
            and set(user.halls) <= (actor.halls or set()))


def _managed_user(ctx: HallContext, actor: Actor, username: str) -> UserRecord:
    _require_administrator(actor)
    found = ctx.store.accounts.users(username)
    if not found:
        raise NotFound(f"no user {username!r}", "unknown_user")
    if not _manages(actor, found[0]):
        raise Forbidden(f"{actor.name} may not manage {username!r}", "not_your_user")
    return found[0]


def _check_may_give(actor: Actor, role: str, halls: list[str]) -> None:
    """A manager makes only clerks, and only of their own halls."""
    if actor.role == Role.ADMIN:
        return
    if role != Role.CLERK:
        raise Forbidden("a manager may only manage clerks", "role_not_allowed")
    if not set(halls) <= (actor.halls or set()):
        raise Forbidden("a manager may only give a clerk halls of their own", "wrong_hall")


def _random_password() -> str:
    return secrets.token_urlsafe(12)


# devices

def add_device(ctx: HallContext, hall: str, kind: str, name: str,
               counter: int | None = None) -> str:
    """Register a device; returns its bearer token, which is shown only this once. The name of
    a revoked device may be given to a new one."""
    config = ctx.hall(hall)
    if kind not in DEVICE_KINDS:
        raise Invalid(f"kind must be one of {', '.join(DEVICE_KINDS)}", "invalid_kind")
    if counter is not None and counter not in config.counters_by_number:
        raise NotFound(f"hall {hall} has no counter {counter}", "unknown_counter")
    if kind == Role.EVALUATOR and counter is None:
        raise Invalid("an evaluator needs --counter", "no_counter")
    token = secrets.token_urlsafe(32)
    ctx.store.accounts.add_device(hall, kind, name, counter, session_key(token), ctx.clock.now())
    return token


def revoke_device(ctx: HallContext, hall: str, name: str) -> bool:
    """The device's tokens die at once; False if it was revoked already."""
    ctx.hall(hall)
    return ctx.store.accounts.revoke_device(hall, name, ctx.clock.now())


def pairing_link(ctx: HallContext, hall: str, name: str, ttl: timedelta = PAIRING_TTL) -> str:
    """A fresh one-time pairing path (`/pair/<code>`) for the device: opened once on the
    kiosk, display or tablet within `ttl`, it signs that browser in as the device."""
    ctx.hall(hall)
    code = secrets.token_urlsafe(24)
    now = ctx.clock.now()
    ctx.store.accounts.add_pairing(hall, name, session_key(code), now, now + ttl)
    return f"/pair/{code}"


def pair(ctx: HallContext, code: str) -> tuple[str, PairedDevice]:
    """Spend a pairing code: a new token of its device (for the browser's device cookie)."""
    token = secrets.token_urlsafe(32)
    device = ctx.store.accounts.use_pairing(session_key(code), session_key(token), ctx.clock.now()) if code else None
    if device is None:
        raise NotFound("this pairing link is unknown, used or expired; ask for a new one", "unknown_pairing")
    return token, device


# sessions

def login(ctx: HallContext, username: str, password: str, address: str | None = None) -> Login:
    """A new token for the user; `address` is the client's, for the throttle (None: none)."""
    _verify_password(ctx, username, password, address, Unauthorized(WRONG_CREDENTIALS, "invalid_credentials"))
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    expires = now + LOGIN_TOKEN_TTL
    ctx.store.accounts.add_login_token(session_key(token), username, now, expires)
    found = session(ctx, token)
    return Login(token, found.actor, expires, found.must_change_password)


def logout(ctx: HallContext, token: str) -> None:
    """The token dies. A device's token ends with `device revoke` instead."""
    actor = session(ctx, token).actor
    if actor.role not in USER_ROLES:
        raise Forbidden("a device does not log out; an administrator revokes it", "not_a_user")
    ctx.store.accounts.delete_token(session_key(token))


def change_password(ctx: HallContext, token: str, current_password: str, new_password: str,
                    address: str | None = None) -> None:
    """The user of `token` changes their password: their other tokens are revoked, this one
    stays. A wrong current password is Forbidden (the token itself is fine, so not
    Unauthorized, which clients read as "log in again") and counts as a failed login."""
    actor = session(ctx, token).actor
    if actor.role not in USER_ROLES:
        raise Forbidden("a device has no password", "not_a_user")
    _check_new_password(new_password)
    _verify_password(ctx, actor.name, current_password, address,
                     Forbidden("the current password is wrong", "wrong_password"))
    if new_password == current_password:
        raise Invalid("the new password must differ from the current one", "same_password")
    ctx.store.accounts.set_password(actor.name, off_loop(_hasher.hash, new_password),
                                    keep_token=session_key(token), at=ctx.clock.now(), by=actor.name,
                                    change="password_changed")


def session(ctx: HallContext, token: str) -> Session:
    """Who a bearer token stands for, and whether it may only change the password;
    Unauthorized if unknown, expired or revoked."""
    found = ctx.store.accounts.session(session_key(token), ctx.clock.now()) if token else None
    if found is None:
        raise Unauthorized("missing, unknown, expired or revoked token")
    return found


def authenticate(ctx: HallContext, token: str) -> Actor:
    """The actor a bearer token stands for, if it may do more than change the password (the
    live connection): Unauthorized if unknown, expired or revoked, or the password must change."""
    found = session(ctx, token)
    if found.must_change_password:
        raise Unauthorized("the password must be changed first")
    return found.actor


def live_sessions(ctx: HallContext, keys: Iterable[str]) -> set[str]:
    """The session keys among `keys` whose tokens still authenticate."""
    return ctx.store.accounts.live_tokens(keys, ctx.clock.now())


# passwords and the throttle

def devices_heard(ctx: HallContext, actors: Iterable[Actor]) -> None:
    """The devices among `actors` (their live connections) were heard from now: the alerts
    count a kiosk or display silent too long as offline."""
    heard = {(hall, actor.name) for actor in actors if actor.role in DEVICE_KINDS and actor.halls
             for hall in actor.halls}
    ctx.store.accounts.mark_seen(sorted(heard), ctx.clock.now())


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must have at least {MIN_PASSWORD_LENGTH} characters", "weak_password")


def _verify_password(ctx: HallContext, username: str, password: str, address: str | None,
                     wrong: Exception) -> None:
    """Pass if the throttle lets the attempt through and `password` is the user's (who is not
    disabled); raise TooManyAttempts or `wrong` otherwise. An unknown or disabled user costs
    the same time as a wrong password, and gets the same answer."""
    now = ctx.clock.now()
    attempt = ctx.store.accounts.open_attempt(username, address, now, now - LOGIN_WINDOW,
                                              MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDRESS)
    if attempt.id is None:
        raise TooManyAttempts("too many failed logins; try again later", retry_after_s(attempt, now))
    credentials = ctx.store.accounts.credentials(username)
    matches = off_loop(_password_matches, credentials.password_hash if credentials else None, password)
    if not matches or credentials is None or credentials.disabled:
        raise wrong
    ctx.store.accounts.forget_attempt(attempt.id)


def retry_after_s(attempt: Attempt, now: datetime) -> int:
    """Whole seconds until the window lets one attempt through: until the oldest of the
    failures that fill a limit leaves it."""
    waits = [failures[-1] + LOGIN_WINDOW - now
             for failures, limit in ((attempt.user_failures, MAX_FAILURES_PER_USER),
                                     (attempt.address_failures, MAX_FAILURES_PER_ADDRESS))
             if len(failures) >= limit]
    return max(1, math.ceil(max(waits).total_seconds()))


def _password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both cases take the same time."""
    return _hasher.hash("not a password of anyone")
