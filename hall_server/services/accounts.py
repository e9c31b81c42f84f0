"""Use cases of accounts: users with slow-hashed passwords, devices, and bearer tokens.

Passwords are hashed with argon2. Tokens are 256-bit random strings; only their SHA-256
is stored, which is enough for a secret nobody can guess. A login token expires; a device
token lasts until the device is removed.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select

from ..domain.actors import Actor, Role
from ..domain.errors import Conflict, HallError, Invalid, NotFound
from ..storage import tables as t
from .context import HallContext

USER_ROLES = (Role.CLERK, Role.MANAGER, Role.ADMIN)
DEVICE_KINDS = (Role.KIOSK, Role.DISPLAY, Role.EVALUATOR)
LOGIN_TOKEN_TTL = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
#: verified against when the user does not exist, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class Unauthorized(HallError):
    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class Login:
    token: str
    actor: Actor
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(ctx: HallContext, username: str, role: str, password: str, halls: list[str],
             badge: str | None = None, name: str | None = None) -> None:
    if role not in USER_ROLES:
        raise Invalid(f"role must be one of {', '.join(USER_ROLES)}", "invalid_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must have at least {MIN_PASSWORD_LENGTH} characters", "weak_password")
    for hall in halls:
        ctx.hall(hall)
    if role != Role.ADMIN and not halls:
        raise Invalid(f"a {role} needs at least one --hall", "no_hall")
    with ctx.store.engine.begin() as conn:
        if conn.execute(select(t.users.c.username).where(t.users.c.username == username)).first():
            raise Conflict(f"user {username!r} exists already", "user_exists")
        conn.execute(insert(t.users).values(
            username=username, password_hash=_hasher.hash(password), role=role, badge=badge,
            name=name, created_at=ctx.clock.now()))
        for hall in halls:
            conn.execute(insert(t.user_halls).values(username=username, hall=hall))


def user_count(ctx: HallContext) -> int:
    with ctx.store.read() as r:
        return r.conn.execute(select(func.count()).select_from(t.users)).scalar_one()


def ensure_first_admin(ctx: HallContext) -> str | None:
    """With no user at all, create `admin` with a random password and return it (once)."""
    if user_count(ctx):
        return None
    password = secrets.token_urlsafe(12)
    add_user(ctx, "admin", Role.ADMIN, password, [])
    return password


def add_device(ctx: HallContext, hall: str, kind: str, name: str,
               counter: int | None = None) -> str:
    """Register a device; returns its bearer token, which is shown only this once."""
    config = ctx.hall(hall)
    if kind not in DEVICE_KINDS:
        raise Invalid(f"kind must be one of {', '.join(DEVICE_KINDS)}", "invalid_kind")
    if counter is not None and counter not in config.counters_by_number:
        raise NotFound(f"hall {hall} has no counter {counter}", "unknown_counter")
    if kind == Role.EVALUATOR and counter is None:
        raise Invalid("an evaluator needs --counter", "no_counter")
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with ctx.store.engine.begin() as conn:
        if conn.execute(select(t.devices.c.id).where(t.devices.c.hall == hall,
                                                     t.devices.c.name == name)).first():
            raise Conflict(f"hall {hall} has a device named {name!r} already", "device_exists")
        device_id = conn.execute(insert(t.devices).values(
            hall=hall, kind=kind, name=name, counter=counter, created_at=now)
            .returning(t.devices.c.id)).scalar_one()
        conn.execute(insert(t.tokens).values(token_hash=_token_hash(token), device=device_id,
                                             created_at=now, expires_at=None))
    return token


def login(ctx: HallContext, username: str, password: str) -> Login:
    with ctx.store.read() as r:
        row = r.conn.execute(select(t.users).where(t.users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        row = None
    if row is None:
        raise Unauthorized("wrong username or password", "invalid_credentials")
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    expires = now + LOGIN_TOKEN_TTL
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.tokens).where(t.tokens.c.expires_at < now))
        conn.execute(insert(t.tokens).values(token_hash=_token_hash(token), username=username,
                                             created_at=now, expires_at=expires))
    return Login(token, _user_actor(ctx, username), expires)


def authenticate(ctx: HallContext, token: str) -> Actor:
    """The actor a bearer token stands for; Unauthorized if unknown or expired."""
    with ctx.store.read() as r:
        row = r.conn.execute(select(t.tokens).where(t.tokens.c.token_hash == _token_hash(token))).first()
        if row is None or (row.expires_at is not None and row.expires_at <= ctx.clock.now()):
            raise Unauthorized("missing, unknown or expired token")
        if row.username is not None:
            return _user_actor(ctx, row.username, r.conn)
        device = r.conn.execute(select(t.devices).where(t.devices.c.id == row.device)).one()
        return Actor(device.name, Role(device.kind), frozenset({device.hall}), device.counter)


def _user_actor(ctx: HallContext, username: str, conn=None) -> Actor:
    if conn is None:
        with ctx.store.read() as r:
            return _user_actor(ctx, username, r.conn)
    user = conn.execute(select(t.users).where(t.users.c.username == username)).one()
    halls = frozenset(conn.execute(select(t.user_halls.c.hall)
                                   .where(t.user_halls.c.username == username)).scalars())
    role = Role(user.role)
    return Actor(username, role, None if role is Role.ADMIN else halls, badge=user.badge,
                 display_name=user.name)
