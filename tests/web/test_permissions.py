"""The permission matrix: every role and device kind against every endpoint.

Counter actions run at counter 6, which is closed: a caller who may act there gets past the
permission check and is stopped by the state (409), one who may not gets 403. clerk-a is
signed in at counter 1, clerk-b nowhere: a clerk cancels only the ticket called at their
counter and reinstates only a no-show of their counter (the done ticket was served at
clerk-a's). The role is checked first (403); then a ticket of another hall is reported as
unknown (404) rather than forbidden, so its id reveals nothing. `---`: not tried (it would
change the ticket the other rows use). The appointment scan gets JSON, not a picture: a caller
who may use it is stopped by the content (422).
"""
import pytest

from .conftest import assert_error

pytestmark = pytest.mark.xdist_group("web-permissions")

ACTORS = ["admin", "mgr", "clerk-a", "clerk-b", "kiosk", "display", "evaluator", "mgr-north", "kiosk-north", "nobody"]

#: endpoint: expected status for each of ACTORS, in that order
MATRIX = {
    "GET /halls":                              "200 200 200 200 200 200 200 200 200 401",
    "GET /halls/demo":                         "200 200 200 200 200 200 200 403 403 401",
    "GET /halls/demo/board":                   "200 200 200 200 200 200 200 403 403 401",
    "GET /halls/demo/events":                  "200 200 200 200 200 200 200 403 403 401",
    "POST /halls/demo/tickets":                "201 201 201 201 201 403 403 403 403 401",
    "POST /halls/demo/appointments/scan":      "422 422 403 403 422 403 403 403 403 401",
    "GET /tickets/{waiting}":                  "200 200 200 200 200 200 200 404 404 401",
    "POST /tickets/{done}/cancel":             "409 409 403 403 403 403 403 404 403 401",
    "POST /tickets/{waiting}/cancel":          "--- --- 403 403 403 403 403 404 403 401",
    "POST /tickets/{done}/reinstate":          "409 409 409 403 403 403 403 404 403 401",
    "POST /tickets/{served_at_2}/rating":      "200 200 403 403 403 403 200 404 403 401",
    "POST /halls/demo/counters/6/sign-in":     "200 200 409 200 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/sign-out":    "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/call-next":   "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/recall":      "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/start":       "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/no-show":     "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/finish":      "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/transfer":    "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/pause":       "409 409 403 403 403 403 403 403 403 401",
    "POST /halls/demo/counters/6/resume":      "409 409 403 403 403 403 403 403 403 401",
    # administration: users (issue 13)
    "GET /admin/users":                        "200 200 403 403 403 403 403 200 403 401",
    "PATCH /admin/users/clerk-b":              "200 200 403 403 403 403 403 403 403 401",
    "POST /admin/users/au-ghost/reset-password": "404 404 403 403 403 403 403 404 403 401",
    "POST /admin/users/au-ghost/disable":      "404 404 403 403 403 403 403 404 403 401",
    "GET /admin/user-changes":                 "200 200 403 403 403 403 403 200 403 401",
    # administration: devices (issue 13)
    "GET /halls/demo/devices":                 "200 200 403 403 403 403 403 403 403 401",
    "POST /halls/demo/devices":                "201 403 403 403 403 403 403 403 403 401",
    "POST /halls/demo/devices/gone/pairing":   "404 404 403 403 403 403 403 403 403 401",
    "POST /halls/demo/devices/gone/revoke":    "404 404 403 403 403 403 403 403 403 401",
    # administration: configuration, switches, who did what (issue 13)
    "GET /halls/demo/log":                     "200 200 403 403 403 403 403 403 403 401",
    "GET /halls/north/log":                    "200 403 403 403 403 403 403 200 403 401",
}
BODIES = {"tickets": {"service": "enquiry"}, "rating": {"score": 4}, "transfer": {"service": "fee"},
          "pause": {"reason": "meal"},
          # a booking system: only an admin adds one (a manager adds the hall's kiosks and displays)
          "devices": {"kind": "booking", "name": "pm-booking"}}
CASES = [(endpoint, actor, int(status)) for endpoint, row in MATRIX.items()
         for actor, status in zip(ACTORS, row.split(), strict=True) if status != "---"]


def served_at_counter_2(hall) -> int:
    hall.open_counter(2, "clerk-b")
    ticket = hall.issue("enquiry")
    hall.counter_action("clerk-b", 2, "call-next")
    hall.counter_action("clerk-b", 2, "start")
    hall.counter_action("clerk-b", 2, "finish")
    hall.counter_action("clerk-b", 2, "sign-out")
    return ticket["id"]


@pytest.fixture(scope="module")
def tickets(hall) -> dict[str, int]:
    hall.counter_action("clerk-a", 1, "sign-in")
    done = hall.issue("fee")
    hall.counter_action("clerk-a", 1, "call-next")
    hall.counter_action("clerk-a", 1, "start")
    hall.counter_action("clerk-a", 1, "finish")
    return {"waiting": hall.issue("business")["id"], "done": done["id"]}


@pytest.mark.parametrize("endpoint, actor, status", CASES, ids=[f"{e} as {a}" for e, a, _ in CASES])
def test_permission(hall, tickets, endpoint, actor, status):
    method, template = endpoint.split()
    path = template.format(**tickets, served_at_2="{served_at_2}")
    if "{served_at_2}" in path:
        path = path.format(served_at_2=served_at_counter_2(hall))
    response = hall[actor].request(method, path, json=BODIES.get(path.rsplit("/", 1)[-1], {}))
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.text
    if endpoint.endswith("sign-in") and status == 200:
        hall.counter_action("admin", 6, "sign-out")
