"""The accounts' storage: users, devices, bearer tokens (kept as hashes) and failed logins.

Each method is one transaction. The service layer (services/accounts.py) holds the rules:
hashing, token lifetimes, the login throttle's limits; this module only reads and writes.
"""
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from ..domain.actors import Actor, Role
from ..domain.errors import Conflict, NotFound
from . import tables as t
from .db import READ_ONLY

#: token hashes looked up per query when checking many sessions at once
_CHUNK = 500
#: every this many recorded attempts, failures older than the window are pruned for everyone
_PRUNE_EVERY = 100


@dataclass(frozen=True)
class Credentials:
    username: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class Attempt:
    """A login attempt recorded as a failure until it succeeds (`id`), or refused because the
    window holds enough failures already (`id` None): then the newest failures of the user name
    and of the address, up to their limits, newest first (empty for an attempt let through)."""

    id: int | None
    user_failures: list[datetime]
    address_failures: list[datetime]


@dataclass(frozen=True)
class UserRecord:
    """A user as administration lists them (never their password)."""

    username: str
    role: Role
    halls: tuple[str, ...]
    name: str | None
    badge: str | None
    disabled: bool
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class UserChange:
    """Who (`by`) changed which account (`username`) how, and when; `data` never holds a password."""

    id: int
    at: datetime
    by: str
    username: str
    change: str
    data: dict


@dataclass(frozen=True)
class Session:
    """Who a live token stands for, and whether it may only change the password."""

    actor: Actor
    must_change_password: bool


@dataclass(frozen=True)
class StaffName:
    """What a counter's display shows of its clerk (both optional in the user's record)."""

    name: str | None
    badge: str | None


@dataclass(frozen=True)
class PairedDevice:
    hall: str
    kind: Role
    name: str
    counter: int | None


@dataclass(frozen=True)
class SeenDevice:
    name: str
    kind: Role
    counter: int | None
    last_seen_at: datetime | None


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._reader.connect() as conn, conn.begin():
            yield conn

    # users

    def user_count(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(t.users)).scalar_one()

    def add_user(self, username: str, password_hash: str, role: str, halls: Iterable[str], at: datetime,
                 badge: str | None = None, name: str | None = None, must_change_password: bool = False,
                 by: str | None = None) -> None:
        """Add the user; `by` (who did it in administration) records the change."""
        halls = sorted(halls)
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(t.users.c.username).where(t.users.c.username == username)).first():
                    raise Conflict(f"user {username!r} exists already", "user_exists")
                conn.execute(insert(t.users).values(username=username, password_hash=password_hash, role=role,
                                                    badge=badge, name=name, created_at=at,
                                                    must_change_password=must_change_password))
                for hall in halls:
                    conn.execute(insert(t.user_halls).values(username=username, hall=hall))
                _record(conn, at, by, username, "added", {"role": role, "halls": halls, "badge": badge, "name": name})
        except IntegrityError:  # added by someone else since the check
            raise Conflict(f"user {username!r} exists already", "user_exists") from None

    def credentials(self, username: str) -> Credentials | None:
        with self._read() as conn:
            row = conn.execute(select(t.users.c.password_hash, t.users.c.disabled_at)
                               .where(t.users.c.username == username)).first()
        return Credentials(username, row.password_hash, row.disabled_at is not None) if row else None

    def user_actor(self, username: str) -> Actor:
        with self._read() as conn:
            role = conn.execute(select(t.users.c.role).where(t.users.c.username == username)).scalar()
            if role is None:
                raise NotFound(f"no user {username!r}", "unknown_user")
            return _user_actor(conn, username, role)

    def users(self, username: str | None = None) -> list[UserRecord]:
        """Every user (or the one named), by username."""
        c = t.users.c
        query = select(t.users).order_by(c.username)
        if username is not None:
            query = query.where(c.username == username)
        with self._read() as conn:
            rows = conn.execute(query).all()
            halls: dict[str, list[str]] = {}
            h = t.user_halls.c
            hall_query = select(h.username, h.hall).order_by(h.hall)
            if username is not None:
                hall_query = hall_query.where(h.username == username)
            for row in conn.execute(hall_query):
                halls.setdefault(row.username, []).append(row.hall)
        return [UserRecord(r.username, Role(r.role), tuple(halls.get(r.username, ())), r.name, r.badge,
                           r.disabled_at is not None, r.must_change_password, r.last_login_at, r.created_at)
                for r in rows]

    def update_user(self, username: str, at: datetime, by: str, values: dict,
                    halls: Iterable[str] | None = None) -> None:
        """Set the user's columns `values` (role, name, badge) and, unless None, their halls;
        each changed field is recorded as a change by `by`."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username).with_for_update()).first()
            if row is None:
                raise NotFound(f"no user {username!r}", "unknown_user")
            changed = {key: value for key, value in values.items() if getattr(row, key) != value}
            if changed:
                conn.execute(update(t.users).where(t.users.c.username == username).values(**changed))
            for key, value in changed.items():
                _record(conn, at, by, username, key, {key: value, "was": getattr(row, key)})
            if halls is None:
                return
            h = t.user_halls.c
            before = sorted(conn.execute(select(h.hall).where(h.username == username)).scalars())
            after = sorted(set(halls))
            if before != after:
                conn.execute(delete(t.user_halls).where(h.username == username))
                for hall in after:
                    conn.execute(insert(t.user_halls).values(username=username, hall=hall))
                _record(conn, at, by, username, "halls", {"halls": after, "was": before})

    def changes(self, by: str | None = None, username: str | None = None, before: int | None = None,
                limit: int = 100, among: Iterable[str] | None = None) -> list[UserChange]:
        """The changes made by `by` and/or to `username` (and to one of `among`, unless None),
        newest first, with ids below `before`."""
        c = t.user_changes.c
        query = select(t.user_changes).order_by(c.id.desc()).limit(limit)
        if among is not None:
            query = query.where(c.username.in_(sorted(set(among))))
        if by is not None:
            query = query.where(c.by == by)
        if username is not None:
            query = query.where(c.username == username)
        if before is not None:
            query = query.where(c.id < before)
        with self._read() as conn:
            return [UserChange(r.id, r.at, r.by, r.username, r.change, r.data) for r in conn.execute(query)]

    def staff_names(self, usernames: Iterable[str]) -> dict[str, StaffName]:
        """The name and badge number of each of these users that exists (for the displays)."""
        wanted = sorted(set(usernames))
        if not wanted:
            return {}
        c = t.users.c
        with self._read() as conn:
            rows = conn.execute(select(c.username, c.name, c.badge).where(c.username.in_(wanted)))
            return {r.username: StaffName(r.name, r.badge) for r in rows}

    def set_password(self, username: str, password_hash: str, keep_token: str | None = None,
                     must_change: bool = False, at: datetime | None = None, by: str | None = None,
                     change: str = "password_reset") -> None:
        """Replace the password and delete the user's tokens, all but `keep_token`; `must_change`:
        the user must change it at their next sign-in. `by` records the change at `at`."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.users).where(t.users.c.username == username)
                                .values(password_hash=password_hash, must_change_password=must_change)).rowcount
            if not done:
                raise NotFound(f"no user {username!r}", "unknown_user")
            query = delete(t.tokens).where(t.tokens.c.username == username)
            if keep_token is not None:
                query = query.where(t.tokens.c.token_hash != keep_token)
            conn.execute(query)
            _record(conn, at, by, username, change, {})

    def disable_user(self, username: str, at: datetime, by: str | None = None) -> bool:
        """Disable the user and delete their tokens; False if they were disabled already."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.users.c.disabled_at).where(t.users.c.username == username)
                               .with_for_update()).first()
            if row is None:
                raise NotFound(f"no user {username!r}", "unknown_user")
            if row.disabled_at is None:
                conn.execute(update(t.users).where(t.users.c.username == username).values(disabled_at=at))
                _record(conn, at, by, username, "disabled", {})
            conn.execute(delete(t.tokens).where(t.tokens.c.username == username))
            return row.disabled_at is None

    # devices

    def add_device(self, hall: str, kind: str, name: str, counter: int | None, token_hash: str,
                   at: datetime) -> None:
        """A new device with its token; a revoked device of the same name is made anew in its row."""
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(t.devices.c.id, t.devices.c.revoked_at).where(
                    t.devices.c.hall == hall, t.devices.c.name == name).with_for_update()).first()
                if row is not None and row.revoked_at is None:
                    raise Conflict(f"hall {hall} has a device named {name!r} already", "device_exists")
                values = {"kind": kind, "counter": counter, "created_at": at, "revoked_at": None}
                if row is None:
                    device_id = conn.execute(insert(t.devices).values(hall=hall, name=name, **values)
                                             .returning(t.devices.c.id)).scalar_one()
                else:
                    device_id = row.id
                    conn.execute(update(t.devices).where(t.devices.c.id == device_id).values(**values))
                conn.execute(insert(t.tokens).values(token_hash=token_hash, device=device_id, created_at=at,
                                                     expires_at=None))
        except IntegrityError:
            raise Conflict(f"hall {hall} has a device named {name!r} already", "device_exists") from None

    def revoke_device(self, hall: str, name: str, at: datetime) -> bool:
        """Revoke the device and delete its tokens; False if it was revoked already."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.devices.c.id, t.devices.c.revoked_at).where(
                t.devices.c.hall == hall, t.devices.c.name == name).with_for_update()).first()
            if row is None:
                raise NotFound(f"hall {hall} has no device named {name!r}", "unknown_device")
            if row.revoked_at is None:
                conn.execute(update(t.devices).where(t.devices.c.id == row.id).values(revoked_at=at))
            conn.execute(delete(t.tokens).where(t.tokens.c.device == row.id))
            return row.revoked_at is None

    def mark_seen(self, devices: Iterable[tuple[str, str]], at: datetime) -> None:
        """The devices (hall, name) were heard from at `at` (their live connection is up)."""
        devices = list(devices)
        if not devices:
            return
        c = t.devices.c
        with self.engine.begin() as conn:
            for hall, name in devices:
                conn.execute(update(t.devices).where(c.hall == hall, c.name == name, c.revoked_at.is_(None))
                             .values(last_seen_at=at))

    def hall_devices(self, hall: str) -> list[SeenDevice]:
        """The hall's devices not revoked, with when each was last heard from."""
        c = t.devices.c
        with self._read() as conn:
            rows = conn.execute(select(c.name, c.kind, c.counter, c.last_seen_at)
                                .where(c.hall == hall, c.revoked_at.is_(None)).order_by(c.name))
            return [SeenDevice(row.name, Role(row.kind), row.counter, row.last_seen_at) for row in rows]

    def add_pairing(self, hall: str, name: str, code_hash: str, at: datetime, expires_at: datetime) -> None:
        """A one-time pairing code for a live device."""
        with self.engine.begin() as conn:
            device = conn.execute(select(t.devices.c.id).where(
                t.devices.c.hall == hall, t.devices.c.name == name, t.devices.c.revoked_at.is_(None))).scalar()
            if device is None:
                raise NotFound(f"hall {hall} has no device named {name!r}", "unknown_device")
            conn.execute(insert(t.pairings).values(code_hash=code_hash, device=device, created_at=at,
                                                   expires_at=expires_at))

    def use_pairing(self, code_hash: str, token_hash: str, now: datetime) -> PairedDevice | None:
        """Spend a pairing code on a new token of its device: None if the code is unknown, used,
        expired or its device revoked. Atomic, so a code pairs one browser only."""
        p, d = t.pairings.c, t.devices.c
        with self.engine.begin() as conn:
            row = conn.execute(
                select(p.device, d.hall, d.kind, d.name, d.counter).join_from(t.pairings, t.devices)
                .where(p.code_hash == code_hash, p.used_at.is_(None), p.expires_at > now, d.revoked_at.is_(None))
                .with_for_update()).first()
            if row is None:
                return None
            spent = conn.execute(update(t.pairings).where(p.code_hash == code_hash, p.used_at.is_(None))
                                 .values(used_at=now)).rowcount
            if not spent:
                return None
            conn.execute(insert(t.tokens).values(token_hash=token_hash, device=row.device, created_at=now,
                                                 expires_at=None))
            return PairedDevice(row.hall, Role(row.kind), row.name, row.counter)

    # settings

    def setting(self, name: str, make: Callable[[], str]) -> str:
        """The server-wide value `name`, made with `make` by whichever process asks first."""
        with self._read() as conn:
            value = conn.execute(select(t.settings.c.value).where(t.settings.c.name == name)).scalar()
        if value is not None:
            return value
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.settings).values(name=name, value=make()))
        except IntegrityError:  # made by another process meanwhile
            pass
        with self._read() as conn:
            return conn.execute(select(t.settings.c.value).where(t.settings.c.name == name)).scalar_one()

    # tokens

    def add_login_token(self, token_hash: str, username: str, at: datetime, expires_at: datetime) -> None:
        """Store a user's new token; tokens expired by `at` are deleted on the way."""
        with self.engine.begin() as conn:
            conn.execute(delete(t.tokens).where(t.tokens.c.expires_at < at))
            conn.execute(insert(t.tokens).values(token_hash=token_hash, username=username, created_at=at,
                                                 expires_at=expires_at))
            conn.execute(update(t.users).where(t.users.c.username == username).values(last_login_at=at))

    def delete_token(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.tokens).where(t.tokens.c.token_hash == token_hash))

    def session(self, token_hash: str, now: datetime) -> Session | None:
        """Who a token stands for, if it is live: known, not expired, its user not disabled and
        its device not revoked."""
        with self._read() as conn:
            row = conn.execute(
                select(t.tokens.c.username, t.users.c.role, t.users.c.must_change_password,
                       t.devices.c.name.label("device_name"), t.devices.c.kind, t.devices.c.hall,
                       t.devices.c.counter)
                .select_from(_tokens_with_owners()).where(t.tokens.c.token_hash == token_hash, _live(now))).first()
            if row is None:
                return None
            if row.username is not None:
                return Session(_user_actor(conn, row.username, row.role), bool(row.must_change_password))
            return Session(Actor(row.device_name, Role(row.kind), frozenset({row.hall}), row.counter), False)

    def live_tokens(self, token_hashes: Iterable[str], now: datetime) -> set[str]:
        """The hashes among `token_hashes` whose tokens are live (as in `session`)."""
        wanted, live = sorted(set(token_hashes)), set()
        with self._read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                live.update(conn.execute(
                    select(t.tokens.c.token_hash).select_from(_tokens_with_owners())
                    .where(t.tokens.c.token_hash.in_(wanted[start:start + _CHUNK]), _live(now))).scalars())
        return live

    # failed logins

    def open_attempt(self, username: str, address: str | None, at: datetime, since: datetime,
                     per_user: int, per_address: int) -> Attempt:
        """Record an attempt as a failure unless the failures after `since` reach `per_user` for
        the user name or `per_address` for the address; atomic, so concurrent attempts cannot
        all slip under the limit. Failures at or before `since` are pruned on the way.

        A refused attempt is answered from a read alone: under a flood of throttled attempts,
        the writers of the hall do not queue behind them."""
        with self._read() as conn:
            refused = _refusal(conn, username, address, since, per_user, per_address)
        if refused is not None:
            return refused
        f = t.login_failures.c
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE serializes already
                conn.execute(text("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE"))
            mine = [f.username == username] + ([f.address == address] if address else [])
            conn.execute(delete(t.login_failures).where(f.at <= since, or_(*mine)))
            refused = _refusal(conn, username, address, since, per_user, per_address)
            if refused is not None:
                return refused
            attempt = conn.execute(insert(t.login_failures).values(username=username, address=address, at=at)
                                   .returning(f.id)).scalar_one()
            if attempt % _PRUNE_EVERY == 0:
                conn.execute(delete(t.login_failures).where(f.at <= since))
            return Attempt(attempt, [], [])

    def forget_attempt(self, attempt: int) -> None:
        """The attempt succeeded: it is no failure."""
        with self.engine.begin() as conn:
            conn.execute(delete(t.login_failures).where(t.login_failures.c.id == attempt))

    # devices' pairing, for the administration (issue 13)

    def paired_at(self, hall: str) -> dict[str, datetime]:
        """When each live device of the hall was last paired by a link whose browser still
        holds the token it got (a pairing's token is made at the instant the link is used)."""
        p, d, k = t.pairings.c, t.devices.c, t.tokens.c
        joined = t.pairings.join(t.devices, d.id == p.device).join(
            t.tokens, and_(k.device == p.device, k.created_at == p.used_at))
        with self._read() as conn:
            rows = conn.execute(select(d.name, func.max(p.used_at).label("at")).select_from(joined)
                                .where(d.hall == hall, d.revoked_at.is_(None)).group_by(d.name))
            return {row.name: row.at for row in rows}

    def end_pairing(self, hall: str, name: str) -> bool:
        """Forget the live device's unused pairing links and delete the tokens its used links
        gave (its paired browsers are signed out; a token given by `add_device`, which an
        agent may run with, stays). True if a paired browser's token was deleted."""
        p, k = t.pairings.c, t.tokens.c
        with self.engine.begin() as conn:
            device = conn.execute(select(t.devices.c.id).where(
                t.devices.c.hall == hall, t.devices.c.name == name, t.devices.c.revoked_at.is_(None))
                .with_for_update()).scalar()
            if device is None:
                raise NotFound(f"hall {hall} has no device named {name!r}", "unknown_device")
            conn.execute(delete(t.pairings).where(p.device == device, p.used_at.is_(None)))
            used = select(p.used_at).where(p.device == device, p.used_at.is_not(None))
            return conn.execute(delete(t.tokens).where(k.device == device, k.created_at.in_(used))).rowcount > 0


def _refusal(conn: Connection, username: str, address: str | None, since: datetime, per_user: int,
             per_address: int) -> Attempt | None:
    """The refused attempt, if the failures after `since` fill a limit."""
    f = t.login_failures.c
    by_user = _newest(conn, f.username == username, since, per_user)
    by_address = _newest(conn, f.address == address, since, per_address) if address else []
    if len(by_user) >= per_user or len(by_address) >= per_address:
        return Attempt(None, by_user, by_address)
    return None


def _newest(conn: Connection, match, since: datetime, limit: int) -> list[datetime]:
    f = t.login_failures.c
    return list(conn.execute(select(f.at).where(match, f.at > since).order_by(f.at.desc()).limit(limit)).scalars())


def _tokens_with_owners():
    return (t.tokens.outerjoin(t.users, t.users.c.username == t.tokens.c.username)
            .outerjoin(t.devices, t.devices.c.id == t.tokens.c.device))


def _live(now: datetime):
    return and_(or_(t.tokens.c.expires_at.is_(None), t.tokens.c.expires_at > now),
                or_(t.tokens.c.username.is_(None), t.users.c.disabled_at.is_(None)),
                or_(t.tokens.c.device.is_(None), t.devices.c.revoked_at.is_(None)))


def _record(conn: Connection, at: datetime | None, by: str | None, username: str, change: str,
            data: dict) -> None:
    """Record a change made in administration (`by` None: by the command line, not recorded)."""
    if by is not None and at is not None:
        conn.execute(insert(t.user_changes).values(at=at, by=by, username=username, change=change, data=data))


def _user_actor(conn: Connection, username: str, role: str) -> Actor:
    role = Role(role)
    if role is Role.ADMIN:
        return Actor(username, role, None)
    halls = conn.execute(select(t.user_halls.c.hall).where(t.user_halls.c.username == username)).scalars()
    return Actor(username, role, frozenset(halls))
