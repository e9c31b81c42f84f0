"""Device pairing and the cookies of pages (CONTRACT.md "Command line", DESIGN.md §4 "Who is
signed in"): `device add` prints a one-time link; opening it stores the device cookie; the
cookie works only with its CSRF token; revoking the device ends it."""
import pytest
import requests
import socketio

from hall_server.web.auth import CSRF_HEADER, DEVICE_COOKIE

from .conftest import API, assert_error
from .test_accounts import cli

pytestmark = pytest.mark.xdist_group("web-pairing")


def open_link(hall, path: str) -> requests.Response:
    return requests.get(f"{hall.url}{path}", allow_redirects=False, timeout=10)


def paired(hall, name: str, kind: str = "kiosk", counter: int | None = None) -> str:
    """A new device paired the way a browser does it; returns the token of its cookie."""
    hall.server.add_device(name, "demo", kind, counter)
    response = open_link(hall, hall.server.pairing_link(name, "demo"))
    assert response.status_code == 303, response.text
    return response.cookies[DEVICE_COOKIE]


def as_page(hall, token: str, csrf: str | None, method: str = "GET", path: str = "/halls/demo", **kwargs):
    headers = {CSRF_HEADER: csrf} if csrf is not None else {}
    return requests.request(method, f"{hall.url}{API}{path}", cookies={DEVICE_COOKIE: token},
                            headers=headers, timeout=10, **kwargs)


def test_device_add_prints_a_pairing_link_then_the_token(hall):
    out = cli(hall, "device", "add", "--hall", "demo", "--kind", "kiosk", "--name", "pair-cli")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    link = next(line for line in lines if "/pair/" in line).split()[-1]
    assert link.startswith("http://127.0.0.1:8000/pair/")
    token = lines[-1]
    assert requests.get(f"{hall.url}{API}/halls/demo", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).status_code == 200
    response = open_link(hall, link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/demo"


def test_a_link_pairs_once_with_an_httponly_lax_cookie(hall):
    hall.server.add_device("pair-once", "demo", "kiosk")
    link = hall.server.pairing_link("pair-once", "demo")
    first = open_link(hall, link)
    assert first.status_code == 303 and first.headers["Location"] == "/kiosk/demo"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age" in cookie
    assert open_link(hall, link).status_code == 404
    assert open_link(hall, "/pair/not-a-code").status_code == 404


def test_each_kind_opens_its_own_page(hall):
    hall.server.add_device("pair-display", "demo", "display")
    hall.server.add_device("pair-counter-display", "demo", "display", 3)
    hall.server.add_device("pair-evaluator", "demo", "evaluator", 4)
    hall.server.add_device("pair-booking", "demo", "booking")
    homes = {name: open_link(hall, hall.server.pairing_link(name, "demo"))
             for name in ["pair-display", "pair-counter-display", "pair-evaluator", "pair-booking"]}
    assert homes["pair-display"].headers["Location"] == "/display/demo"
    assert homes["pair-counter-display"].headers["Location"] == "/display/demo/counters/3"
    assert homes["pair-evaluator"].headers["Location"] == "/evaluator/demo/4"
    assert homes["pair-booking"].status_code == 400


def test_the_cookie_counts_only_with_its_csrf_token(hall):
    token = paired(hall, "pair-csrf")
    csrf = hall.server.csrf_token(token)
    assert as_page(hall, token, csrf).status_code == 200
    assert_error(as_page(hall, token, None), 401)
    assert_error(as_page(hall, token, csrf[:-1] + ("A" if csrf[-1] != "A" else "B")), 401)
    # another cookie's CSRF token does not fit this cookie
    other = paired(hall, "pair-csrf-2")
    assert_error(as_page(hall, token, hall.server.csrf_token(other)), 401)
    issued = as_page(hall, token, csrf, "POST", "/halls/demo/tickets", json={"service": "fee"})
    assert issued.status_code == 201, issued.text
    assert issued.json()["number"].startswith("A")
    refused = as_page(hall, token, None, "POST", "/halls/demo/tickets", json={"service": "fee"})
    assert_error(refused, 401)


def test_a_cookie_connects_socketio_with_its_csrf_token(hall):
    token = paired(hall, "pair-socket")
    client = socketio.Client(reconnection=False)
    try:
        client.connect(hall.url, headers={"Cookie": f"{DEVICE_COOKIE}={token}"},
                       auth={"csrf": hall.server.csrf_token(token)}, transports=["websocket"], wait_timeout=10)
        assert "last_seq" in client.call("subscribe", {"hall": "demo"}, timeout=10)
    finally:
        client.disconnect()
    refused = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(hall.url, headers={"Cookie": f"{DEVICE_COOKIE}={token}"}, auth={"csrf": "wrong"},
                        transports=["websocket"], wait_timeout=10)


def test_revoking_the_device_ends_its_cookie_and_its_links(hall):
    token = paired(hall, "pair-revoke")
    csrf = hall.server.csrf_token(token)
    unused = hall.server.pairing_link("pair-revoke", "demo")
    assert as_page(hall, token, csrf).status_code == 200
    assert cli(hall, "device", "revoke", "--hall", "demo", "--name", "pair-revoke").returncode == 0
    assert_error(as_page(hall, token, csrf), 401)
    assert open_link(hall, unused).status_code == 404
