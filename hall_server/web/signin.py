"""Staff sign in and out of the server's pages (`/login`, `/logout`).

Signing in makes a login token (accounts.login, throttled like the API's login) and keeps
it in the HttpOnly `hall_session` cookie for as long as the token lives; pages rendered for
it carry its CSRF token (auth.py). `next` brings the browser back to the page that sent it
here, and only to a page of this server: anything else is ignored. A user whose password must
change (reset by an administrator) goes to `/password` first, then on to `next`.
"""
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, g, redirect, render_template, request
from flask_babel import gettext

from ..domain.errors import Forbidden, Invalid, TooManyAttempts, Unauthorized
from ..services import accounts, signing
from .auth import CSRF_PURPOSE, PASSWORD_PAGE, SESSION_COOKIE, session_actor

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
    actor = session_actor()
    user = actor.name if actor else None
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
    if result.must_change_password:
        response = redirect(f"{PASSWORD_PAGE}?{urlencode({'next': next_path})}", code=303)
    else:
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


def _password_page(**context) -> str:
    return render_template("password.html", min_length=accounts.MIN_PASSWORD_LENGTH, **context)


@signin.get(PASSWORD_PAGE)
def password() -> Response | str:
    """The change-password form of the signed-in user (whose password may have to change)."""
    ctx, token = current_app.extensions["hall"], request.cookies.get(SESSION_COOKIE)
    next_path = local_path(request.args.get("next"))
    try:
        found = accounts.session(ctx, token or "")
    except Unauthorized:
        return redirect(f"/login?{urlencode({'next': request.full_path.rstrip('?')})}")
    g.page_token = token
    return _password_page(next=next_path, user=found.actor.name, required=found.must_change_password)


@signin.post(PASSWORD_PAGE)
def password_post() -> Response | tuple[str, int, dict]:
    ctx, token = current_app.extensions["hall"], request.cookies.get(SESSION_COOKIE) or ""
    next_path = local_path(request.form.get("next"))
    try:
        found = accounts.session(ctx, token)
    except Unauthorized:
        return redirect(f"/login?{urlencode({'next': PASSWORD_PAGE})}", code=303)
    g.page_token = token
    page = {"next": next_path, "user": found.actor.name, "required": found.must_change_password}
    if not _same_origin() or not signing.verify(ctx, CSRF_PURPOSE, accounts.session_key(token),
                                                request.form.get("csrf_token", "")):
        return _password_page(error=gettext("Please change the password from this page."), **page), 403, {}
    new = request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        return _password_page(error=gettext("The two new passwords differ."), **page), 422, {}
    try:
        accounts.change_password(ctx, token, request.form.get("current_password", ""), new, request.remote_addr)
    except TooManyAttempts as refused:
        minutes = max(1, -(-refused.retry_after_s // 60))
        return (_password_page(error=gettext("Too many failed sign-ins. Please try again in %(n)s min.", n=minutes),
                               **page), 429, {"Retry-After": str(refused.retry_after_s)})
    except Forbidden:
        return _password_page(error=gettext("The current password is wrong."), **page), 403, {}
    except Invalid as invalid:
        message = (gettext("The new password must differ from the current one.") if invalid.code == "same_password"
                   else gettext("The new password needs at least %(n)s characters.", n=accounts.MIN_PASSWORD_LENGTH))
        return _password_page(error=message, **page), 422, {}
    return redirect(next_path, code=303)
