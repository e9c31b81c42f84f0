"""Administration, section "users" (issue 13): the page `/admin/users` and its API
`/api/v1/admin/users...` (services/accounts.py has the rules: an admin manages everyone, a
manager the clerks of their own halls). A new or reset password is random and answered once,
in the answer of the request that made it; the user must change it at their next sign-in."""
from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, DateTime, Dict, Integer, List, Nested, String
from apiflask.validators import OneOf, Range, Regexp
from flask import current_app, g, render_template

from ..domain.actors import Role
from ..domain.catalogue import N_
from ..services import accounts
from ..storage.accounts import UserChange, UserRecord
from . import schemas as s
from .auth import administered_halls, current_actor, staff_page, token_auth
from .i18n import current_lang, js_strings

admin_users = APIBlueprint("admin_users", __name__, tag="administration: users")
ERRORS = {401: "", 403: "`forbidden`, `not_your_user` (a manager: only the clerks of their halls), "
          "`role_not_allowed`, `wrong_hall`, `own_role`, `own_account`, `own_password`"}
ROLES = [role.value for role in accounts.USER_ROLES]

#: what the page's script says (i18n.js `t`)
STRINGS = (
    N_("Clerk"), N_("Manager"), N_("Administrator"), N_("All halls"), N_("Never"),
    N_("Disabled"), N_("Active"), N_("Must change password"), N_("Edit"), N_("Reset password"), N_("Disable"),
    N_("You"),
    N_("Reset the password of %(user)s? Their sessions end at once."),
    N_("Disable %(user)s? They are signed out at once and can no longer sign in."),
    N_("Password of %(user)s"), N_("Copied"), N_("Could not do that: %(message)s"),
    N_("%(user)s added"), N_("%(user)s saved"), N_("%(user)s disabled"),
)

USERNAME = String(required=True, validate=[Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", error=(
    "1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit"))])
HALLS_DOC = {"description": "the hall ids; none for an admin (every hall)"}
NAME = s.Text(1, 128, allow_none=True, metadata={"description": "the name the counter's display shows"})
BADGE = s.Text(1, 32, allow_none=True, metadata={"description": "the badge (work) number"})


class AdminUserOut(Schema):
    username = String(required=True)
    role = String(required=True, validate=OneOf(ROLES))
    halls = List(String(), required=True, metadata={"description": "empty for an admin (every hall)"})
    name = String(required=True, allow_none=True)
    badge = String(required=True, allow_none=True)
    disabled = Boolean(required=True)
    must_change_password = Boolean(required=True)
    last_login_at = DateTime(required=True, allow_none=True, metadata={"description": "the last sign-in"})
    created_at = DateTime(required=True)


class AdminUsersOut(Schema):
    users = List(Nested(AdminUserOut), required=True)


class NewPasswordOut(Schema):
    user = Nested(AdminUserOut, required=True)
    password = String(required=True, metadata={
        "description": "random; shown this once, never stored in clear: the user must change it at their next sign-in"})


class AddUserIn(Schema):
    username = USERNAME
    role = String(required=True, validate=OneOf(ROLES))
    halls = List(s.Text(1, 64), load_default=list, metadata=HALLS_DOC)
    name = NAME
    badge = BADGE


class EditUserIn(Schema):
    """Only what is given changes; null clears a name or badge."""

    role = String(validate=OneOf(ROLES))
    halls = List(s.Text(1, 64), metadata=HALLS_DOC)
    name = NAME
    badge = BADGE


class UserChangeOut(Schema):
    id = Integer(required=True)
    at = DateTime(required=True)
    by = String(required=True, metadata={"description": "who made the change"})
    username = String(required=True, metadata={"description": "whose account"})
    change = String(required=True, metadata={"description": "added, role, halls, name, badge, "
                                             "password_reset, password_changed, disabled"})
    data = Dict(required=True, metadata={"description": "the new value and the former (`was`); never a password"})


class UserChangesOut(Schema):
    changes = List(Nested(UserChangeOut), required=True)


class UserChangesQuery(Schema):
    by = s.Text(1, 64, metadata={"description": "only the changes made by this person"})
    username = s.Text(1, 64, metadata={"description": "only the changes to this account"})
    before = Integer(validate=s.IDS, metadata={"description": "only older changes than this id (paging)"})
    limit = Integer(load_default=100, validate=Range(1, 500))


def user_json(user: UserRecord) -> dict:
    return {"username": user.username, "role": user.role.value, "halls": list(user.halls), "name": user.name,
            "badge": user.badge, "disabled": user.disabled, "must_change_password": user.must_change_password,
            "last_login_at": user.last_login_at, "created_at": user.created_at}


def _change_json(change: UserChange) -> dict:
    return {"id": change.id, "at": change.at, "by": change.by, "username": change.username,
            "change": change.change, "data": change.data}


def _ctx():
    return current_app.extensions["hall"]


def _user(username: str) -> dict:
    return user_json(_ctx().store.accounts.users(username)[0])


@admin_users.get("/admin/users")
@admin_users.doc(hide=True)
@staff_page(Role.MANAGER, Role.ADMIN)
def page() -> str:
    actor = g.actor
    halls = administered_halls(actor)
    chinese = current_lang() == "zh"
    return render_template("admin/users.html", section="users", halls=halls, user=actor.name,
                           role=actor.role.value, js_strings=js_strings(*STRINGS),
                           hall_names={h.id: h.name if chinese else h.name_en for h in halls})


@admin_users.get("/api/v1/admin/users")
@admin_users.auth_required(token_auth)
@admin_users.output(AdminUsersOut)
@admin_users.doc(summary="The users you manage (an admin: everyone; a manager: the clerks of their halls)",
                 responses=ERRORS)
def list_users() -> dict:
    return {"users": [user_json(user) for user in accounts.users(_ctx(), current_actor())]}


@admin_users.post("/api/v1/admin/users")
@admin_users.auth_required(token_auth)
@admin_users.input(AddUserIn, arg_name="body")
@admin_users.output(NewPasswordOut, status_code=201)
@admin_users.doc(summary="Add a user with a random password, answered this once",
                 responses={**ERRORS, 409: "`user_exists`",
                            422: "`invalid_role`, `unknown_hall`, `no_hall` (a clerk or manager needs a hall)"})
def add_user(body: dict) -> dict:
    password = accounts.create_user(_ctx(), current_actor(), body["username"], body["role"], body["halls"],
                                    badge=body.get("badge"), name=body.get("name"))
    return {"user": _user(body["username"]), "password": password}


@admin_users.patch("/api/v1/admin/users/<username>")
@admin_users.auth_required(token_auth)
@admin_users.input(EditUserIn, arg_name="body")
@admin_users.output(AdminUserOut)
@admin_users.doc(summary="Change a user's role, halls, name or badge",
                 responses={**ERRORS, 404: "`unknown_user`", 422: "`unknown_hall`, `no_hall`"})
def edit_user(username: str, body: dict) -> dict:
    names = {key: body[key] for key in ("name", "badge") if key in body}
    return user_json(accounts.update_user(_ctx(), current_actor(), username, role=body.get("role"),
                                          halls=body.get("halls"), **names))


@admin_users.post("/api/v1/admin/users/<username>/reset-password")
@admin_users.auth_required(token_auth)
@admin_users.output(NewPasswordOut)
@admin_users.doc(summary="A new random password, answered this once; the user's sessions end at once "
                         "and they must change it at their next sign-in",
                 responses={**ERRORS, 404: "`unknown_user`"})
def reset_password(username: str) -> dict:
    password = accounts.reset_password(_ctx(), current_actor(), username)
    return {"user": _user(username), "password": password}


@admin_users.post("/api/v1/admin/users/<username>/disable")
@admin_users.auth_required(token_auth)
@admin_users.output(AdminUserOut)
@admin_users.doc(summary="Disable a user: no more sign-ins; their tokens and live connections end at once",
                 responses={**ERRORS, 404: "`unknown_user`"})
def disable_user(username: str) -> dict:
    return user_json(accounts.disable(_ctx(), current_actor(), username))


@admin_users.get("/api/v1/admin/user-changes")
@admin_users.auth_required(token_auth)
@admin_users.input(UserChangesQuery, location="query", arg_name="query")
@admin_users.output(UserChangesOut)
@admin_users.doc(summary="Who changed which account how, newest first (a manager: the clerks they manage)",
                 responses=ERRORS)
def user_changes(query: dict) -> dict:
    changes = accounts.user_changes(_ctx(), current_actor(), query.get("by"), query.get("username"),
                                    query.get("before"), query["limit"])
    return {"changes": [_change_json(change) for change in changes]}
