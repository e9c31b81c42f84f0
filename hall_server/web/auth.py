"""Bearer-token authentication for HTTP routes."""
from apiflask import HTTPTokenAuth
from flask import current_app, g

from ..domain.actors import Actor
from ..services import accounts

token_auth = HTTPTokenAuth(scheme="Bearer", description="a login token or a device token")


@token_auth.verify_token
def _verify(token: str) -> Actor | None:
    if not token:
        return None
    try:
        actor = accounts.authenticate(current_app.extensions["hall"], token)
    except accounts.Unauthorized:
        return None
    g.hall_token = token
    return actor


def current_actor() -> Actor:
    return token_auth.current_user


def current_token() -> str:
    """The bearer token the current request was authenticated with."""
    return g.hall_token
