"""Who a request is: a bearer token (devices, other systems), or a cookie of this server's
own pages.

Pages keep their token in an HttpOnly cookie, where scripts cannot read it: `hall_device`
for a paired device (kiosk, display, evaluator; set by `/pair/<code>`), `hall_session` for
staff signed in at `/login`. A page carries the CSRF token of its cookie (an HMAC of the
token, `csrf_token()` in templates) and its scripts send it as `X-CSRF-Token` on every API
request and in the Socket.IO handshake: a cookie counts only together with its CSRF token,
so another site cannot make a browser act with it, and one browser may hold both cookies
(the demo shows every device in one browser) without doubt about which one a request means.

A user whose password was reset (or who was added in administration) must change it first:
their token may only change the password and log out (403 `password_change_required`
elsewhere), and their pages send them to /password and back.
"""
from collections.abc import Callable, Mapping
from functools import wraps

from apiflask import HTTPTokenAuth
from flask import Flask, current_app, g, redirect, render_template, request, url_for

from ..config import Hall
from ..domain.actors import Actor, Role
from ..domain.errors import Forbidden
from ..services import accounts, signing


class BearerOrPageAuth(HTTPTokenAuth):
    """The bearer token, or else the page cookie that the request's CSRF header belongs to."""

    def authenticate(self, auth, stored_password) -> Actor | None:
        token = getattr(auth, "token", None) or cookie_token(request.cookies, request.headers.get(CSRF_HEADER))
        session = _session_of(token)
        if session is None:
            return None
        if session.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            raise Forbidden("change your password first (POST /api/v1/auth/password)", "password_change_required")
        g.hall_token = token
        return session.actor


token_auth = BearerOrPageAuth(scheme="Bearer", description="a login token or a device token "
                              "(pages: their cookie with the X-CSRF-Token header)")

DEVICE_COOKIE = "hall_device"
SESSION_COOKIE = "hall_session"
PAGE_COOKIES = (DEVICE_COOKIE, SESSION_COOKIE)
CSRF_HEADER = "X-CSRF-Token"
CSRF_PURPOSE = "csrf"
#: all that a token whose password must change may do
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api.change_password", "api.logout"})
PASSWORD_PAGE = "/password"


def csrf_for(token: str) -> str:
    return signing.sign(current_app.extensions["hall"], CSRF_PURPOSE, accounts.session_key(token))


def cookie_token(cookies: Mapping[str, str], csrf: str | None) -> str | None:
    """The token of the page cookie that `csrf` belongs to, if any."""
    if not csrf:
        return None
    for name in PAGE_COOKIES:
        token = cookies.get(name)
        if token and signing.verify(current_app.extensions["hall"], CSRF_PURPOSE,
                                    accounts.session_key(token), csrf):
            return token
    return None


def _session_of(token: str | None) -> accounts.Session | None:
    if not token:
        return None
    try:
        return accounts.session(current_app.extensions["hall"], token)
    except accounts.Unauthorized:
        return None


def _actor_of(token: str | None) -> Actor | None:
    session = _session_of(token)
    return session.actor if session is not None and not session.must_change_password else None


def session_actor() -> Actor | None:
    """Who this browser's staff session cookie signs in (None: nobody, a dead session, or a
    password still to change); its token is kept for the page's CSRF token."""
    token = request.cookies.get(SESSION_COOKIE)
    actor = _actor_of(token)
    if actor is not None:
        g.page_token = token
    return actor


def current_actor() -> Actor:
    return token_auth.current_user


def current_token() -> str:
    """The token the current request was authenticated with."""
    return g.hall_token


def csrf_token() -> str:
    """For templates: the CSRF token of the cookie this page was rendered for ("" if none)."""
    token = g.get("page_token")
    return csrf_for(token) if token else ""


def device_page(*roles: Role) -> Callable:
    """A page for a paired device of one of `roles`, in the hall of the view's `hall` argument
    (and at the view's `number` counter, for a device bound to a counter). Anyone else gets
    the not-paired page, which says how to pair."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = request.cookies.get(DEVICE_COOKIE)
            actor = _actor_of(token)
            if actor is None:
                return render_template("not_paired.html", reason="unpaired"), 401
            counter = kwargs.get("number")
            if (actor.role not in roles or not actor.may_act_in(kwargs.get("hall", ""))
                    or (counter is not None and actor.counter is not None and actor.counter != counter)):
                return render_template("not_paired.html", reason="other_device", device=actor.name), 403
            g.actor, g.page_token = actor, token
            return view(*args, **kwargs)
        return wrapped
    return decorate


def staff_page(*roles: Role) -> Callable:
    """A page for staff signed in at /login with one of `roles`, in the hall of the view's
    `hall` argument; a view without one (/admin, /admin/users) checks the role only, and
    the halls in its use cases. Without a live sign-in the browser goes to /login and comes
    back after, one whose password must change to /password first; someone signed in who may
    not open the page is told so (and may sign in as someone else)."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = request.cookies.get(SESSION_COOKIE)
            session = _session_of(token)
            here = request.full_path.rstrip("?")
            if session is None:
                return redirect(url_for("signin.login", next=here))
            if session.must_change_password:
                return redirect(url_for("signin.password", next=here))
            actor = session.actor
            if actor.role not in roles or ("hall" in kwargs and not actor.may_act_in(kwargs["hall"])):
                g.page_token = token
                return render_template("login.html", forbidden=True, user=actor.name, next=here), 403
            g.actor, g.page_token = actor, token
            return view(*args, **kwargs)
        return wrapped
    return decorate


def administered_halls(actor: Actor) -> list[Hall]:
    """The halls whose administration `actor` may open (for the administration's hall picker)."""
    return [hall for hall in current_app.extensions["hall"].config.halls if actor.may_act_in(hall.id)]


def register(app: Flask) -> None:
    app.add_template_global(csrf_token)
