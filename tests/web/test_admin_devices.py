"""Administration of a hall's devices (issue 13, services/device_admin.py and its API
`/api/v1/halls/<hall>/devices...`): the pairing link works once and only for 10 minutes (a
fixed clock), a new link ends the device's earlier pairing, every change is a
`device.changed` event without a secret, the health list; then over HTTP on a running server,
who may do what and the refusals."""
import pytest
import requests

from hall_server.domain.actors import Actor, Role
from hall_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from hall_server.domain.events import EventType
from hall_server.services import accounts, device_admin, devices
from hall_server.web.auth import DEVICE_COOKIE

from .conftest import API, assert_error

pytestmark = pytest.mark.xdist_group("web-admin-devices")

ADMIN = Actor("root", Role.ADMIN, None)
MANAGER = Actor("mgr-li", Role.MANAGER, frozenset({"demo"}))


def code_of(path: str) -> str:
    return path.removeprefix("/pair/")


def changes(ctx) -> list[dict]:
    with ctx.store.read() as reader:
        return [e.data | {"actor": e.actor} for e in reader.events("demo") if e.type is EventType.DEVICE_CHANGED]


# the use cases, on a fixed clock

def test_a_link_pairs_once_and_only_within_ten_minutes(ctx, clock):
    added = device_admin.add_device(ctx, "demo", MANAGER, "kiosk", "kiosk-7")
    assert added.link.expires_at == clock.now() + device_admin.PAIRING_LINK_TTL
    clock.advance(9 * 60 + 59)
    token, device = accounts.pair(ctx, code_of(added.link.path))
    assert (device.name, device.kind) == ("kiosk-7", Role.KIOSK)
    assert accounts.authenticate(ctx, token).name == "kiosk-7"
    with pytest.raises(NotFound):
        accounts.pair(ctx, code_of(added.link.path))  # used
    late = device_admin.pairing_link(ctx, "demo", MANAGER, "kiosk-7")
    clock.advance(10 * 60)
    with pytest.raises(NotFound):
        accounts.pair(ctx, code_of(late.path))  # expired


def test_a_new_link_ends_the_earlier_pairing_and_links(ctx, clock):
    added = device_admin.add_device(ctx, "demo", ADMIN, "display", "display-3", counter=3)
    clock.advance(5)
    unused = device_admin.pairing_link(ctx, "demo", ADMIN, "display-3")
    assert not unused.ended_pairing
    with pytest.raises(NotFound):
        accounts.pair(ctx, code_of(added.link.path))  # the newer link replaced it
    browser, _ = accounts.pair(ctx, code_of(unused.path))
    assert [d.paired_at is not None for d in device_admin.hall_devices(ctx, "demo", ADMIN)
            if d.name == "display-3"] == [True]
    again = device_admin.pairing_link(ctx, "demo", ADMIN, "display-3")
    assert again.ended_pairing
    with pytest.raises(accounts.Unauthorized):
        accounts.authenticate(ctx, browser)
    # the token shown when it was added (an agent's) is not a pairing: it stays
    assert accounts.authenticate(ctx, added.token).name == "display-3"
    assert [d.paired_at for d in device_admin.hall_devices(ctx, "demo", ADMIN) if d.name == "display-3"] == [None]
    assert [c["change"] for c in changes(ctx)] == ["added", "pairing_link", "pairing_link", "pairing_renewed"]


def test_revoke_kills_every_token_and_each_change_is_logged_without_secrets(ctx, clock):
    added = device_admin.add_device(ctx, "demo", MANAGER, "evaluator", "eval-4", counter=4)
    clock.advance(5)
    browser, _ = accounts.pair(ctx, code_of(added.link.path))
    device_admin.revoke_device(ctx, "demo", MANAGER, "eval-4")
    for token in (browser, added.token):
        with pytest.raises(accounts.Unauthorized):
            accounts.authenticate(ctx, token)
    with pytest.raises(NotFound):
        device_admin.revoke_device(ctx, "demo", MANAGER, "eval-4")
    logged = changes(ctx)
    assert logged == [
        {"device": "eval-4", "kind": "evaluator", "change": change, "by": "mgr-li", "actor": "mgr-li"}
        for change in ("added", "pairing_link", "revoked")]
    assert not any(added.token in str(c) or code_of(added.link.path) in str(c) for c in logged)


def test_who_may_do_what(ctx):
    with pytest.raises(Forbidden):
        device_admin.add_device(ctx, "demo", MANAGER, "booking", "crm")
    booking = device_admin.add_device(ctx, "demo", ADMIN, "booking", "crm")
    assert booking.link is None and booking.token
    for use_case in (device_admin.pairing_link, device_admin.revoke_device):
        with pytest.raises(Forbidden):
            use_case(ctx, "demo", MANAGER, "crm")
    with pytest.raises(Invalid):
        device_admin.pairing_link(ctx, "demo", ADMIN, "crm")  # no page to pair
    north = Actor("mgr-north", Role.MANAGER, frozenset({"north"}))
    for actor in (north, Actor("clerk-wang", Role.CLERK, frozenset({"demo"})),
                  Actor("kiosk-1", Role.KIOSK, frozenset({"demo"}))):
        with pytest.raises(Forbidden):
            device_admin.hall_devices(ctx, "demo", actor)
        with pytest.raises(Forbidden):
            device_admin.add_device(ctx, "demo", actor, "kiosk", "k-x")
    with pytest.raises(Conflict):
        device_admin.add_device(ctx, "demo", ADMIN, "kiosk", "crm")
    with pytest.raises(Invalid):
        device_admin.add_device(ctx, "demo", ADMIN, "evaluator", "eval-x")  # no counter
    with pytest.raises(NotFound):
        device_admin.add_device(ctx, "demo", ADMIN, "display", "display-x", counter=99)
    assert [c["device"] for c in changes(ctx)] == ["crm"]  # nothing refused was recorded


def test_the_health_list(ctx):
    device_admin.add_device(ctx, "demo", ADMIN, "kiosk", "kiosk-1")
    device_admin.add_device(ctx, "demo", ADMIN, "booking", "crm")
    printer = ctx.config.by_id["demo"].printers[0].name
    devices.report_status(ctx, "demo", ADMIN, printer, online=True, paper="near_end", cover_open=False,
                          fault=None, pending=0)
    found = {d.name: d for d in device_admin.hall_devices(ctx, "demo", MANAGER)}
    assert (found["kiosk-1"].kind, found["kiosk-1"].online, found["kiosk-1"].paired_at) == ("kiosk", False, None)
    assert (found["crm"].kind, found["crm"].online) == ("booking", None)
    assert (found[printer].kind, found[printer].paper, found[printer].pending) == ("printer", "near_end", 0)


# over HTTP, on a running server

def test_the_api_adds_pairs_and_revokes(hall):
    added = hall["mgr"].ok("POST", "/halls/demo/devices", 201, json={"kind": "kiosk", "name": "web-kiosk"})
    link = added["link"]
    assert link["url"].endswith(link["url"].rsplit("/pair/", 1)[1]) and "/pair/" in link["url"]
    assert link["qr_svg"].lstrip().startswith("<?xml") and "<svg" in link["qr_svg"]
    path = "/pair/" + link["url"].rsplit("/pair/", 1)[1]
    first = requests.get(hall.url + path, allow_redirects=False, timeout=10)
    assert first.status_code == 303 and first.headers["Location"] == "/kiosk/demo"
    assert requests.get(hall.url + path, allow_redirects=False, timeout=10).status_code == 404
    listed = {d["name"]: d for d in hall["mgr"].ok("GET", "/halls/demo/devices")["devices"]}
    assert listed["web-kiosk"]["paired_at"] is not None and listed["kiosk"]["kind"] == "kiosk"
    again = hall["admin"].ok("POST", "/halls/demo/devices/web-kiosk/pairing", 201)
    assert again["ended_pairing"] is True
    kiosk_page = requests.get(f"{hall.url}/kiosk/demo", cookies={DEVICE_COOKIE: first.cookies[DEVICE_COOKIE]},
                              timeout=10)
    assert kiosk_page.status_code == 401
    assert hall["mgr"].ok("POST", "/halls/demo/devices/web-kiosk/revoke") == {"device": "web-kiosk", "revoked": True}
    assert_error(requests.get(f"{hall.url}{API}/halls/demo", headers={"Authorization": f"Bearer {added['token']}"},
                              timeout=10), 401)
    events = hall["admin"].ok("GET", "/halls/demo/events", params={"after": 0, "limit": 1000})["events"]
    assert [(e["data"]["change"], e["data"]["by"]) for e in events if e["type"] == "device.changed"
            and e["data"]["device"] == "web-kiosk"] == [
        ("added", "mgr"), ("pairing_link", "mgr"), ("pairing_renewed", "admin"), ("revoked", "mgr")]


@pytest.mark.parametrize("who, method, path, body, status, code", [
    ("mgr", "POST", "/halls/demo/devices", {"kind": "booking", "name": "crm-1"}, 403, "admins_only"),
    ("mgr", "POST", "/halls/demo/devices", {"kind": "kiosk", "name": "kiosk"}, 409, "device_exists"),
    ("mgr", "POST", "/halls/demo/devices", {"kind": "printer", "name": "p-1"}, 422, None),
    ("mgr", "POST", "/halls/demo/devices", {"kind": "kiosk", "name": "bad name!"}, 422, None),
    ("mgr", "POST", "/halls/demo/devices", {"kind": "evaluator", "name": "eval-9"}, 422, "no_counter"),
    ("mgr", "POST", "/halls/demo/devices", {"kind": "display", "name": "disp-9", "counter": 99}, 404,
     "unknown_counter"),
    ("mgr", "POST", "/halls/demo/devices/nobody-here/pairing", None, 404, "unknown_device"),
    ("mgr", "POST", "/halls/demo/devices/nobody-here/revoke", None, 404, "unknown_device"),
    ("admin", "GET", "/halls/nowhere/devices", None, 404, "unknown_hall"),
    ("mgr-north", "GET", "/halls/demo/devices", None, 403, "wrong_hall"),
    ("clerk-a", "POST", "/halls/demo/devices/kiosk/revoke", None, 403, "forbidden"),
    ("kiosk", "GET", "/halls/demo/devices", None, 403, "forbidden"),
])
def test_refusals_change_nothing(hall, who, method, path, body, status, code):
    before = hall.last_seq()
    assert_error(hall[who].request(method, path, json=body), status, code)
    assert hall.last_seq() == before
    assert hall["kiosk"].ok("GET", "/halls/demo")  # the kiosk was not revoked by any of it
