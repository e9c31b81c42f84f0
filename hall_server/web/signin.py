"""Staff sign in and out of the server's pages (`/login`, `/logout`).

Signing in makes a login token (accounts.login, throttled like the API's login) and keeps
it in the HttpOnly `hall_session` cookie for as long as the token lives; pages rendered for
it carry its CSRF token (auth.py). `next` brings the browser back to the page that sent it
here, and only to a page of this server: anything else is ignored.
"""
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, redirect, render_template, request
from flask_babel import gettext

from ..domain.errors import TooManyAttempts, Unauthorized
from ..services import accounts, signing
from .auth import CSRF_PURPOSE, SESSION_COOKIE

signin = Blueprint("signin", __name__)
HOME = "/"


def local_path(target: str | None) -> str:
    """`target` if it is a path on this server, else the start page (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return HOME
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else HOME


def _same_origin() -> bool:
    """A form posted from this server's own page (another site cannot sign a browser in or out)."""
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@signin.get("/login")
def login() -> str:
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        try:
            user = accounts.authenticate(current_app.extensions["hall"], token).name
            g.page_token = token
        except Unauthorized:
            pass
    return render_template("login.html", next=local_path(request.args.get("next")), user=user)


@signin.post("/login")
def login_post() -> Response | tuple[str, int, dict]:
    next_path = local_path(request.form.get("next"))
    username = request.form.get("username", "").strip()
    if not _same_origin():
        return render_template("login.html", next=next_path, username=username,
                               error=gettext("Please sign in from this page.")), 403, {}
    try:
        result = accounts.login(current_app.extensions["hall"], username, request.form.get("password", ""),
                                request.remote_addr)
    except TooManyAttempts as refused:
        minutes = max(1, -(-refused.retry_after_s // 60))
        return (render_template("login.html", next=next_path, username=username, throttled=True,
                                error=gettext("Too many failed sign-ins. Please try again in %(n)s min.",
                                              n=minutes)),
                429, {"Retry-After": str(refused.retry_after_s)})
    except Unauthorized:
        return render_template("login.html", next=next_path, username=username,
                               error=gettext("Wrong username or password.")), 401, {}
    response = redirect(next_path, code=303)
    max_age = int((result.expires_at - current_app.extensions["hall"].clock.now()).total_seconds())
    response.set_cookie(SESSION_COOKIE, result.token, max_age=max_age, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


@signin.post("/logout")
def logout() -> Response | tuple[str, int]:
    ctx = current_app.extensions["hall"]
    token = request.cookies.get(SESSION_COOKIE)
    csrf = request.form.get("csrf_token", "")
    if not token or not signing.verify(ctx, CSRF_PURPOSE, accounts.session_key(token), csrf):
        return render_template("login.html", next=HOME, error=gettext("Sign-out failed: please try again.")), 403
    try:
        accounts.logout(ctx, token)
    except Unauthorized:
        pass  # expired or revoked already: signed out either way
    response = redirect("/login", code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="Lax")
    return response
