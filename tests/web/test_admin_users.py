"""Administration of users over HTTP on a real server (issue 13): who may manage whom, every
refusal, a reset ending the user's sessions and connections, the password changed at first
sign-in, the record of who did what, and no password in any answer but the one that made it.

Every test makes the accounts it changes (named after the test), so the module's server
stays usable for the others; the fixture's accounts (conftest.USERS) are only read."""
import json

import pytest
import requests

from ..display_client import BlockingDisplay
from .conftest import API, Client, assert_error
from .test_accounts import wait_closed

pytestmark = pytest.mark.xdist_group("web-admin-users")
USERS = "/admin/users"


def add(hall, who: str, username: str, role: str = "clerk", halls: list[str] | None = None, **more) -> dict:
    """Add a user as `who`; the answer (user, password)."""
    body = {"username": username, "role": role, "halls": ["demo"] if halls is None else halls, **more}
    return hall[who].ok("POST", USERS, 201, json=body)


def login(hall, username: str, password: str) -> requests.Response:
    return requests.post(f"{hall.url}{API}/auth/login", json={"username": username, "password": password},
                         timeout=10)


def listed(hall, who: str = "admin") -> dict[str, dict]:
    return {user["username"]: user for user in hall[who].ok("GET", USERS)["users"]}


def change_password(hall, token: str, current: str, new: str) -> requests.Response:
    return Client(hall.url, token).post("/auth/password", json={"current_password": current, "new_password": new})


def test_an_added_user_must_change_the_shown_password_before_anything_else(hall):
    added = add(hall, "admin", "au-new", badge="2001", name="王芳")
    password, user = added["password"], added["user"]
    assert len(password) >= 16
    assert user == {**user, "username": "au-new", "role": "clerk", "halls": ["demo"], "badge": "2001",
                    "name": "王芳", "disabled": False, "must_change_password": True, "last_login_at": None}
    signed_in = login(hall, "au-new", password)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["must_change_password"] is True
    token = signed_in.json()["token"]
    for method, path in [("GET", "/halls"), ("GET", "/halls/demo"), ("POST", "/halls/demo/counters/5/sign-in"),
                         ("GET", USERS)]:
        assert_error(Client(hall.url, token).request(method, path, json={}), 403, "password_change_required")
    assert_error(change_password(hall, token, password, "short"), 422, "weak_password")
    assert_error(change_password(hall, token, password, password), 422, "same_password")
    assert_error(change_password(hall, token, "not the password", "a new good password"), 403, "wrong_password")
    assert change_password(hall, token, password, "a new good password").status_code == 204
    assert Client(hall.url, token).get("/halls").status_code == 200, "the token that changed it stays"
    assert "must_change_password" not in login(hall, "au-new", "a new good password").json()["user"]
    now = listed(hall)["au-new"]
    assert now["must_change_password"] is False and now["last_login_at"] is not None


def test_a_token_that_must_change_the_password_may_log_out(hall):
    password = add(hall, "admin", "au-logout")["password"]
    token = login(hall, "au-logout", password).json()["token"]
    assert Client(hall.url, token).post("/auth/logout").status_code == 204
    assert_error(Client(hall.url, token).get("/halls"), 401)


def test_a_user_added_by_the_command_line_keeps_the_chosen_password(hall):
    hall.server.add_user("au-cli", "clerk", ["demo"])
    assert listed(hall)["au-cli"]["must_change_password"] is False
    token = hall.server.login("au-cli")
    assert Client(hall.url, token).get("/halls").status_code == 200


def test_a_reset_ends_every_session_and_connection_and_must_be_changed(hall):
    old = add(hall, "admin", "au-reset", role="manager")["password"]
    token = login(hall, "au-reset", old).json()["token"]
    assert change_password(hall, token, old, "my own password 1").status_code == 204
    live = BlockingDisplay(hall.url, token)
    try:
        live.subscribe()
        reset = hall["admin"].ok("POST", f"{USERS}/au-reset/reset-password")
        assert reset["user"]["must_change_password"] is True and reset["password"] not in (old, "my own password 1")
        assert_error(Client(hall.url, token).get("/halls"), 401)
        wait_closed(live)
    finally:
        live.close()
    assert_error(login(hall, "au-reset", "my own password 1"), 401)
    fresh = login(hall, "au-reset", reset["password"]).json()["token"]
    assert_error(Client(hall.url, fresh).get("/halls"), 403, "password_change_required")
    with pytest.raises(Exception):  # noqa: B017 - python-socketio's ConnectionError
        BlockingDisplay(hall.url, fresh)


def test_disable_ends_the_tokens_and_the_sign_ins(hall):
    password = add(hall, "admin", "au-off")["password"]
    token = login(hall, "au-off", password).json()["token"]
    done = hall["admin"].ok("POST", f"{USERS}/au-off/disable")
    assert done["disabled"] is True
    assert_error(Client(hall.url, token).post("/auth/logout"), 401)
    assert_error(login(hall, "au-off", password), 401)
    assert hall["admin"].ok("POST", f"{USERS}/au-off/disable")["disabled"] is True, "a second time: no change"
    assert listed(hall)["au-off"]["disabled"] is True


def test_an_admin_edits_role_halls_badge_and_name(hall):
    add(hall, "admin", "au-edit", badge="1", name="Li")
    path = f"{USERS}/au-edit"
    edited = hall["admin"].ok("PATCH", path, json={"role": "manager", "halls": ["demo", "north"], "badge": "77"})
    assert (edited["role"], edited["halls"], edited["badge"], edited["name"]) == (
        "manager", ["demo", "north"], "77", "Li")
    edited = hall["admin"].ok("PATCH", path, json={"name": None})
    assert edited["name"] is None and edited["badge"] == "77"
    promoted = hall["admin"].ok("PATCH", path, json={"role": "admin"})
    assert promoted["role"] == "admin" and promoted["halls"] == []
    hall["admin"].ok("PATCH", path, json={"role": "clerk", "halls": ["north"]})
    assert listed(hall)["au-edit"]["halls"] == ["north"]


def test_a_manager_manages_only_the_clerks_of_their_halls(hall):
    mine = listed(hall, "mgr")
    assert {"clerk-a", "clerk-b"} <= set(mine)
    assert not {"admin", "mgr", "mgr-north"} & set(mine)
    assert all(user["role"] == "clerk" and set(user["halls"]) <= {"demo"} for user in mine.values())
    added = add(hall, "mgr", "au-mgr-clerk")
    assert added["user"]["halls"] == ["demo"]
    hall["mgr"].ok("PATCH", f"{USERS}/au-mgr-clerk", json={"badge": "3003"})
    hall["mgr"].ok("POST", f"{USERS}/au-mgr-clerk/reset-password")
    add(hall, "admin", "au-both-halls", halls=["demo", "north"])
    before = listed(hall)
    refusals = [
        ("POST", USERS, {"username": "au-mgr-m", "role": "manager", "halls": ["demo"]}, "role_not_allowed"),
        ("POST", USERS, {"username": "au-mgr-a", "role": "admin", "halls": []}, "role_not_allowed"),
        ("POST", USERS, {"username": "au-mgr-n", "role": "clerk", "halls": ["north"]}, "wrong_hall"),
        ("PATCH", f"{USERS}/au-mgr-clerk", {"halls": ["demo", "north"]}, "wrong_hall"),
        ("PATCH", f"{USERS}/au-mgr-clerk", {"role": "manager"}, "role_not_allowed"),
        ("PATCH", f"{USERS}/mgr-north", {"badge": "1"}, "not_your_user"),
        ("PATCH", f"{USERS}/mgr", {"badge": "1"}, "not_your_user"),
        ("POST", f"{USERS}/admin/reset-password", None, "not_your_user"),
        ("POST", f"{USERS}/au-both-halls/disable", None, "not_your_user"),
        ("POST", f"{USERS}/mgr-north/disable", None, "not_your_user"),
    ]
    for method, path, body, code in refusals:
        assert_error(hall["mgr"].request(method, path, json=body or {}), 403, code)
    assert_error(hall["mgr-north"].request("POST", f"{USERS}/au-mgr-clerk/disable", json={}), 403, "not_your_user")
    assert listed(hall) == before, "a refusal changes nothing"


@pytest.mark.parametrize("who", ["clerk-a", "kiosk", "display", "evaluator"])
def test_clerks_and_devices_administer_nobody(hall, who):
    assert_error(hall[who].get(USERS), 403, "forbidden")
    assert_error(hall[who].post(USERS, json={"username": f"au-by-{who}", "role": "clerk", "halls": ["demo"]}),
                 403, "forbidden")
    assert_error(hall[who].post(f"{USERS}/clerk-b/reset-password"), 403, "forbidden")
    assert_error(hall[who].get("/admin/user-changes"), 403, "forbidden")
    assert f"au-by-{who}" not in listed(hall)


def test_an_admin_cannot_disable_demote_or_reset_themself(hall):
    assert_error(hall["admin"].post(f"{USERS}/admin/disable"), 403, "own_account")
    assert_error(hall["admin"].request("PATCH", f"{USERS}/admin", json={"role": "manager", "halls": ["demo"]}),
                 403, "own_role")
    assert_error(hall["admin"].post(f"{USERS}/admin/reset-password"), 403, "own_password")
    me = listed(hall)["admin"]
    assert (me["role"], me["disabled"]) == ("admin", False)
    assert hall["admin"].ok("PATCH", f"{USERS}/admin", json={"name": "管理员"})["name"] == "管理员"


def test_bad_input_is_refused_and_changes_nothing(hall):
    add(hall, "admin", "au-taken")
    before = listed(hall)
    bad = [
        ({"username": "has space", "role": "clerk", "halls": ["demo"]}, 422, "validation_error"),
        ({"username": "", "role": "clerk", "halls": ["demo"]}, 422, "validation_error"),
        ({"username": "x" * 65, "role": "clerk", "halls": ["demo"]}, 422, "validation_error"),
        ({"username": "au-bad", "role": "owner", "halls": ["demo"]}, 422, "validation_error"),
        ({"username": "au-bad", "role": "clerk", "halls": ["mars"]}, 422, "unknown_hall"),
        ({"username": "au-bad", "role": "clerk", "halls": []}, 422, "no_hall"),
        ({"username": "au-bad", "role": "clerk", "halls": ["demo"], "password": "mine1234567"}, 422,
         "validation_error"),
        ({"username": "au-taken", "role": "clerk", "halls": ["demo"]}, 409, "user_exists"),
    ]
    for body, status, code in bad:
        assert_error(hall["admin"].post(USERS, json=body), status, code)
    assert_error(hall["admin"].request("PATCH", f"{USERS}/au-taken", json={"halls": ["mars"]}), 422, "unknown_hall")
    assert_error(hall["admin"].request("PATCH", f"{USERS}/au-taken", json={"halls": []}), 422, "no_hall")
    assert_error(hall["admin"].request("PATCH", f"{USERS}/au-taken", json={"badge": "x" * 33}), 422)
    assert_error(hall["admin"].request("PATCH", f"{USERS}/au-ghost", json={"badge": "1"}), 404, "unknown_user")
    assert_error(hall["admin"].post(f"{USERS}/au-ghost/reset-password"), 404, "unknown_user")
    assert_error(hall["admin"].post(f"{USERS}/au-ghost/disable"), 404, "unknown_user")
    assert listed(hall) == before


def test_who_did_what_and_no_password_outside_its_one_answer(hall):
    first = add(hall, "admin", "au-audit")
    hall["admin"].ok("PATCH", f"{USERS}/au-audit", json={"badge": "42", "halls": ["demo", "north"]})
    reset = hall["admin"].ok("POST", f"{USERS}/au-audit/reset-password")
    token = login(hall, "au-audit", reset["password"]).json()["token"]
    assert change_password(hall, token, reset["password"], "the chosen one 1").status_code == 204
    hall["admin"].ok("POST", f"{USERS}/au-audit/disable")
    changes = hall["admin"].ok("GET", "/admin/user-changes", params={"username": "au-audit"})["changes"]
    assert [(c["change"], c["by"]) for c in changes] == [
        ("disabled", "admin"), ("password_changed", "au-audit"), ("password_reset", "admin"),
        ("halls", "admin"), ("badge", "admin"), ("added", "admin")]
    assert changes[3]["data"] == {"halls": ["demo", "north"], "was": ["demo"]}
    by_admin = hall["admin"].ok("GET", "/admin/user-changes", params={"by": "admin", "limit": 500})["changes"]
    assert {c["by"] for c in by_admin} == {"admin"} and len(by_admin) >= 5
    passwords = [first["password"], reset["password"], "the chosen one 1"]
    answers = [hall["admin"].get(path).text for path in (USERS, "/admin/user-changes", "/openapi.json")]
    answers.append(json.dumps(hall["admin"].ok("PATCH", f"{USERS}/au-audit", json={"name": "审计"})))
    for text in answers:
        assert not any(password in text for password in passwords)
    assert set(hall["admin"].ok("GET", USERS)["users"][0]) == {
        "username", "role", "halls", "name", "badge", "disabled", "must_change_password", "last_login_at",
        "created_at"}


def test_a_manager_sees_the_changes_of_their_clerks_only(hall):
    add(hall, "mgr", "au-seen")
    add(hall, "admin", "au-unseen-north", halls=["north"])
    seen = {c["username"] for c in hall["mgr"].ok("GET", "/admin/user-changes", params={"limit": 500})["changes"]}
    assert "au-seen" in seen and "au-unseen-north" not in seen
