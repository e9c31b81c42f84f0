"""The REST API of CONTRACT.md: each route authenticates, calls one use case, serializes."""
from apiflask import APIBlueprint
from flask import Response, current_app, request

from ..domain.actors import Actor
from ..domain.counters import Counter
from ..domain.tickets import FlagKind
from ..services import accounts, notices, queries, switches
from ..services import counters as counter_cases
from ..services import tickets as ticket_cases
from ..services.context import HallContext
from . import schemas as s
from .appointments import issuing_json, today_json
from .auth import current_actor, current_token, token_auth
from .displays_api import notice_json
from .permissions import ISSUERS, RATERS, STAFF, require
from .serialize import board_json, counter_json, event_json, ticket_json

api = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="hall")
COUNTER_ERRORS = [401, 403, 404, 409]


def hall_ctx() -> HallContext:
    return current_app.extensions["hall"]


def user_json(actor: Actor, must_change_password: bool = False) -> dict:
    return {"username": actor.name, "role": actor.role.value,
            "halls": sorted(actor.halls) if actor.halls is not None else sorted(hall_ctx().config.by_id),
            **({"must_change_password": True} if must_change_password else {})}


THROTTLED = {429: "too many failed logins: wait the seconds of the Retry-After header"}


@api.post("/auth/login")
@api.input(s.LoginIn, arg_name="body")
@api.output(s.LoginOut)
@api.doc(summary="Log in and get a bearer token",
         responses={401: "wrong username or password, or a disabled user", **THROTTLED})
def login(body: dict) -> dict:
    # the server faces its clients directly (no proxy), so the peer's address is the client's
    result = accounts.login(hall_ctx(), body["username"], body["password"], request.remote_addr)
    return {"token": result.token, "expires_at": result.expires_at,
            "user": user_json(result.actor, result.must_change_password)}


@api.post("/auth/logout")
@api.auth_required(token_auth)
@api.output({}, status_code=204)
@api.doc(summary="End this login: the token is dead from now on",
         responses={403: "a device token (devices are revoked with `device revoke`)"})
def logout() -> str:
    accounts.logout(hall_ctx(), current_token())
    return ""


@api.post("/auth/password")
@api.auth_required(token_auth)
@api.input(s.PasswordIn, arg_name="body")
@api.output({}, status_code=204)
@api.doc(summary="Change your password; your other tokens are revoked, this one stays",
         responses={403: "the current password is wrong (`wrong_password`), or a device token",
                    422: "the new password is too short (`weak_password`)", **THROTTLED})
def change_password(body: dict) -> str:
    accounts.change_password(hall_ctx(), current_token(), body["current_password"], body["new_password"],
                             request.remote_addr)
    return ""


@api.get("/halls")
@api.auth_required(token_auth)
@api.output(s.HallsOut)
def list_halls() -> dict:
    actor = current_actor()
    halls = [h for h in hall_ctx().config.halls if actor.may_act_in(h.id)]
    return {"halls": [{"id": h.id, "name": h.name, "name_en": h.name_en} for h in halls]}


@api.get("/halls/<hall>")
@api.auth_required(token_auth)
@api.output(s.HallOut)
@api.doc(responses=[403, 404])
def get_hall(hall: str) -> dict:
    h = hall_ctx().hall(hall, current_actor())
    issuing = switches.hall_issuing(hall_ctx(), hall, current_actor())
    return {
        "id": h.id, "name": h.name, "name_en": h.name_en, "timezone": h.timezone, "region": h.region,
        "open": issuing.open, "today": today_json(issuing),
        "services": [{"code": v.code, "prefix": v.prefix, "name": v.name.model_dump(),
                      "description": v.description.model_dump(),
                      "handling_limit_s": v.handling_limit_s,
                      "waiting_warning_s": round(v.waiting_warning_min * 60),
                      "waiting_critical_s": round(v.waiting_critical_min * 60),
                      **issuing_json(issuing.services[v.code])} for v in h.services],
        "counters": [{"number": c.number, "name": c.name.model_dump(), "services": c.services}
                     for c in h.counters],
        "priority_classes": [{"code": p.code, "name": p.name.model_dump(),
                              "head_start_s": round(p.head_start_min * 60)} for p in h.priority_classes],
        "rating_levels": [level.model_dump() for level in h.rating_levels],
        "rating_reasons": [reason.model_dump() for reason in h.rating_reasons],
        "rating_timeout_s": h.rating_timeout_s,
        "notice": notice_json(notices.current_notice(hall_ctx(), hall, current_actor())),
    }


@api.post("/halls/<hall>/tickets")
@api.auth_required(token_auth)
@api.input(s.IssueIn, arg_name="body")
@api.output(s.TicketOut, status_code=201)
@api.doc(summary="Take a number, or check an appointment in with its code",
         responses={403: "", 404: "", 409: "`hall_closed`, `service_stopped`, `daily_cap_reached`; "
                    "`appointment_used`, `appointment_cancelled`, `outside_slot`",
                    422: "unknown service or priority, `unknown_appointment`, `appointment_other_service`"})
def issue_ticket(hall: str, body: dict) -> dict:
    ctx, actor = hall_ctx(), current_actor()
    require(actor, ISSUERS, "issue tickets")
    ticket = ticket_cases.issue_ticket(ctx, hall, body["service"], actor, priority=body["priority"],
                                       appointment=body["appointment"],
                                       client_request_id=body["client_request_id"])
    return ticket_json(queries.place(ctx, ticket))


@api.get("/tickets/<int:ticket_id>")
@api.auth_required(token_auth)
@api.output(s.TicketOut)
@api.doc(responses=[404])
def get_ticket(ticket_id: int) -> dict:
    return ticket_json(queries.get_ticket(hall_ctx(), ticket_id, current_actor()))


@api.post("/tickets/<int:ticket_id>/cancel")
@api.auth_required(token_auth)
@api.output(s.TicketOut)
@api.doc(summary="Cancel a waiting or called ticket", responses=[403, 404, 409])
def cancel_ticket(ticket_id: int) -> dict:
    return _ticket_case(ticket_id, ticket_cases.cancel, "cancel tickets")


@api.post("/tickets/<int:ticket_id>/reinstate")
@api.auth_required(token_auth)
@api.output(s.TicketOut)
@api.doc(summary="Put a no-show back in the queue within the grace period", responses=[403, 404, 409])
def reinstate_ticket(ticket_id: int) -> dict:
    return _ticket_case(ticket_id, ticket_cases.reinstate, "reinstate tickets")


@api.post("/tickets/<int:ticket_id>/rating")
@api.auth_required(token_auth)
@api.input(s.RatingIn, arg_name="body")
@api.output(s.TicketOut)
@api.doc(summary="Rate a finished visit with one of the hall's rating levels, and a reason for a low one "
                 "(the evaluator of the counter that served it)",
         responses=[403, 404, 409, 422])
def rate_ticket(ticket_id: int, body: dict) -> dict:
    ctx, actor = hall_ctx(), current_actor()
    require(actor, RATERS, "rate tickets")
    hall = queries.get_ticket(ctx, ticket_id, actor).ticket.hall
    rated = ticket_cases.rate(ctx, hall, ticket_id, actor, body["score"], body["reason"])
    return ticket_json(queries.place(ctx, rated))


def _ticket_case(ticket_id: int, case, doing: str) -> dict:
    ctx, actor = hall_ctx(), current_actor()
    require(actor, STAFF, doing)
    hall = queries.get_ticket(ctx, ticket_id, actor).ticket.hall
    return ticket_json(queries.place(ctx, case(ctx, hall, ticket_id, actor)))


def _counter_json(hall: str, counter: Counter) -> dict:
    return counter_json(queries.counter_view(hall_ctx(), hall, counter))


def _staff() -> Actor:
    actor = current_actor()
    require(actor, STAFF, "work at a counter")
    return actor


@api.post("/halls/<hall>/counters/<int:number>/sign-in")
@api.auth_required(token_auth)
@api.input(s.SignInIn, arg_name="body")
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS)
def sign_in(hall: str, number: int, body: dict) -> dict:
    counter = counter_cases.sign_in(hall_ctx(), hall, number, _staff(), clerk=body.get("clerk"))
    return _counter_json(hall, counter)


@api.post("/halls/<hall>/counters/<int:number>/sign-out")
@api.auth_required(token_auth)
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS)
def sign_out(hall: str, number: int) -> dict:
    return _counter_json(hall, counter_cases.sign_out(hall_ctx(), hall, number, _staff()))


@api.post("/halls/<hall>/counters/<int:number>/pause")
@api.auth_required(token_auth)
@api.input(s.PauseIn, arg_name="body")
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS)
def pause(hall: str, number: int, body: dict) -> dict:
    return _counter_json(hall, counter_cases.pause(hall_ctx(), hall, number, _staff(), body["reason"]))


@api.post("/halls/<hall>/counters/<int:number>/resume")
@api.auth_required(token_auth)
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS)
def resume(hall: str, number: int) -> dict:
    return _counter_json(hall, counter_cases.resume(hall_ctx(), hall, number, _staff()))


@api.post("/halls/<hall>/counters/<int:number>/call-next")
@api.auth_required(token_auth)
@api.output(s.TicketOut)
@api.doc(summary="Call the next customer", responses={204: "nobody waits for this counter",
                                                       401: "", 403: "", 404: "", 409: ""})
def call_next(hall: str, number: int) -> dict | Response:
    ctx = hall_ctx()
    ticket = ticket_cases.call_next(ctx, hall, number, _staff())
    if ticket is None:
        return Response(status=204)
    return ticket_json(queries.place(ctx, ticket))


def _act_on_ticket(case, hall: str, number: int, **kwargs) -> dict:
    """Run a use case on the counter's ticket; answer with the counter as it is now."""
    ctx, actor = hall_ctx(), _staff()
    case(ctx, hall, number, actor, **kwargs)
    return counter_json(queries.counter_now(ctx, hall, number, actor))


@api.post("/halls/<hall>/counters/<int:number>/recall")
@api.auth_required(token_auth)
@api.output(s.CounterOut)
@api.doc(summary="Announce the called ticket again", responses=COUNTER_ERRORS)
def recall(hall: str, number: int) -> dict:
    return _act_on_ticket(ticket_cases.recall, hall, number)


@api.post("/halls/<hall>/counters/<int:number>/start")
@api.auth_required(token_auth)
@api.output(s.CounterOut)
@api.doc(summary="The customer is at the window: start handling", responses=COUNTER_ERRORS)
def start(hall: str, number: int) -> dict:
    return _act_on_ticket(ticket_cases.start, hall, number)


@api.post("/halls/<hall>/counters/<int:number>/no-show")
@api.auth_required(token_auth)
@api.output(s.CounterOut)
@api.doc(summary="The called customer did not come", responses=COUNTER_ERRORS)
def no_show(hall: str, number: int) -> dict:
    return _act_on_ticket(ticket_cases.no_show, hall, number)


@api.post("/halls/<hall>/counters/<int:number>/finish")
@api.auth_required(token_auth)
@api.input(s.FinishIn, arg_name="body")
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS + [422])
def finish(hall: str, number: int, body: dict) -> dict:
    return _act_on_ticket(ticket_cases.finish, hall, number, items=body.get("items"))


@api.post("/halls/<hall>/counters/<int:number>/transfer")
@api.auth_required(token_auth)
@api.input(s.TransferIn, arg_name="body")
@api.output(s.CounterOut)
@api.doc(responses=COUNTER_ERRORS + [422])
def transfer(hall: str, number: int, body: dict) -> dict:
    return _act_on_ticket(ticket_cases.transfer, hall, number, service=body.get("service"),
                          to_counter=body.get("counter"), note=body.get("note"))


@api.post("/halls/<hall>/counters/<int:number>/flag")
@api.auth_required(token_auth)
@api.input(s.FlagIn, arg_name="body")
@api.output(s.CounterOut)
@api.doc(summary="Flag the customer at the counter: needs help, upset customer, callback (with phone)",
         responses=COUNTER_ERRORS + [422])
def flag(hall: str, number: int, body: dict) -> dict:
    return _act_on_ticket(ticket_cases.flag, hall, number, kind=FlagKind(body["kind"]),
                          phone=body.get("phone"), reason=body.get("reason"))


@api.get("/halls/<hall>/board")
@api.auth_required(token_auth)
@api.output(s.BoardOut)
@api.doc(responses=[403, 404])
def board(hall: str) -> dict:
    return board_json(queries.board(hall_ctx(), hall, current_actor()))


@api.get("/halls/<hall>/events")
@api.auth_required(token_auth)
@api.input(s.EventsQuery, location="query", arg_name="query")
@api.output(s.EventsOut)
@api.doc(responses=[403, 404])
def events(hall: str, query: dict) -> dict:
    found, last_seq = queries.events(hall_ctx(), hall, current_actor(), query["after"], query["limit"])
    return {"events": [event_json(e) for e in found], "last_seq": last_seq}
