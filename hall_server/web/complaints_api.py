"""The complaint register over HTTP (CONTRACT.md "Complaints"), and what its page fragment
(`templates/_complaints.html`, `static/js/complaints.js`) needs from the server.

Clerks, managers and admins of the hall register complaints and read the register; only
managers and admins move a complaint on, see the offers and the figures, and see the
customer's contact (`contact` is null for a clerk). Another hall's complaint is unknown (404).
"""

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Date, Dict, Float, Integer, List, Nested, String
from apiflask.validators import OneOf
from flask_babel import gettext

from ..domain.actors import Actor
from ..domain.catalogue import N_
from ..domain.complaints import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    FOLLOW_UP_TARGET,
    KIND_LABELS,
    NAME_MAX,
    NOTE_MAX,
    STATUS_LABELS,
    Category,
    Channel,
    Complaint,
    Kind,
    Source,
    Status,
    complaint_json,
)
from ..services import complaints as cases
from . import schemas as s
from .api import hall_ctx
from .auth import current_actor, token_auth
from .permissions import MANAGERS, STAFF, require

complaints_api = APIBlueprint("complaints", __name__, url_prefix="/api/v1", tag="complaints")
ERRORS = [401, 403, 404]

#: what the fragment's script says (i18n.js `t`); the reports page passes them to js_strings
COMPLAINT_STRINGS = (
    N_("No complaints."), N_("No offers: no upset customer or low rating waits to be registered."),
    N_("Take in hand"), N_("Answer"), N_("Follow up"), N_("Note (optional)"),
    N_("Register as a complaint"), N_("Overdue"), N_("Due soon"),
    N_("Upset customer flagged by %(clerk)s"), N_("Rated %(level)s"), N_("Ticket %(number)s, counter %(counter)s"),
    N_("Follow-up rate %(rate)s (target %(target)s)"), N_("No complaint answered yet"),
    N_("Registered: no. %(id)s"), N_("Could not do that: %(message)s"), N_("%(open)s open, %(overdue)s overdue"),
)
#: the hours before its deadline from which the fragment shows a complaint as due soon (amber)
DUE_SOON_H = 24


def complaint_labels() -> dict[str, dict[str, str]]:
    """The register's words in the page's language, for the fragment's selects and its script."""
    return {name: {key.value: gettext(msgid) for key, msgid in labels.items()}
            for name, labels in (("kind", KIND_LABELS), ("category", CATEGORY_LABELS),
                                 ("channel", CHANNEL_LABELS), ("status", STATUS_LABELS))}


@complaints_api.app_context_processor
def _fragment_globals() -> dict:
    """`complaint_labels()` and the due-soon hours for `_complaints.html`, on any page that includes it."""
    return {"complaint_labels": complaint_labels, "complaint_due_soon_h": DUE_SOON_H,
            "complaint_follow_up_target": FOLLOW_UP_TARGET}


class HistoryOut(Schema):
    status = String(required=True, validate=OneOf([v.value for v in Status]))
    at = String(required=True, metadata={"format": "date-time"})
    by = String(required=True)
    note = String(required=True, allow_none=True)


class ComplaintOut(Schema):
    id = Integer(required=True)
    hall = String(required=True)
    kind = String(required=True, validate=OneOf([v.value for v in Kind]))
    category = String(required=True, validate=OneOf([v.value for v in Category]))
    channel = String(required=True, validate=OneOf([v.value for v in Channel]))
    status = String(required=True, validate=OneOf([v.value for v in Status]))
    description = String(required=True)
    ticket = Integer(required=True, allow_none=True)
    ticket_number = String(required=True, allow_none=True)
    clerk = String(required=True, allow_none=True, metadata={"description": "the clerk concerned"})
    contact = String(required=True, allow_none=True,
                     metadata={"description": "the customer's contact; null for a clerk (managers and admins only)"})
    source = String(required=True, validate=OneOf([v.value for v in Source]),
                    metadata={"description": "hand, or the flag or rating it was registered from"})
    source_seq = Integer(required=True, allow_none=True, metadata={"description": "the seq of that event"})
    received_at = String(required=True, metadata={"format": "date-time"})
    received_by = String(required=True)
    due_at = String(required=True, metadata={
        "format": "date-time", "description": "5 calendar days after receipt for a complaint, 10 for a report"})
    overdue = Boolean(required=True, metadata={"description": "unanswered and past due_at"})
    taken_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    taken_by = String(required=True, allow_none=True)
    answered_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    answered_by = String(required=True, allow_none=True)
    followed_up_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    followed_up_by = String(required=True, allow_none=True)
    history = List(Nested(HistoryOut), required=True)


class ComplaintsOut(Schema):
    complaints = List(Nested(ComplaintOut), required=True)


class ComplaintIn(Schema):
    kind = String(required=True, validate=OneOf([v.value for v in Kind]))
    category = String(required=True, validate=OneOf([v.value for v in Category]))
    channel = String(required=True, validate=OneOf([v.value for v in Channel]))
    description = s.Text(1, DESCRIPTION_MAX, required=True)
    ticket = Integer(strict=True, validate=s.IDS, allow_none=True, load_default=None,
                     metadata={"description": "the ticket's id"})
    ticket_number = s.Text(0, 16, allow_none=True, load_default=None, metadata={
        "description": 'or its number ("A012") on `ticket_day`; an unknown one → 422 `unknown_ticket`'})
    ticket_day = Date(validate=s.DAYS, allow_none=True, load_default=None,
                      metadata={"description": "the ticket's business day; default today"})
    clerk = s.Text(0, NAME_MAX, allow_none=True, load_default=None,
                   metadata={"description": "the clerk concerned; default the one who served the ticket"})
    contact = s.Text(0, CONTACT_MAX, allow_none=True, load_default=None)
    source_seq = Integer(strict=True, validate=s.IDS, allow_none=True, load_default=None, metadata={
        "description": "register an offer: the seq of its flag or rating event (its ticket and clerk are taken); "
                       "registered already → 409 `already_registered`"})


class ComplaintsQuery(Schema):
    state = String(load_default="all", validate=OneOf(["open", "all"]),
                   metadata={"description": "open: not answered yet"})
    status = String(load_default=None, validate=OneOf([v.value for v in Status]))
    first = Date(data_key="from", load_default=None, validate=s.DAYS,
                 metadata={"description": "received from this business day of the hall"})
    last = Date(data_key="to", load_default=None, validate=s.DAYS, metadata={"description": "through this one"})


class FiguresQuery(Schema):
    first = Date(data_key="from", required=True, validate=s.DAYS)
    last = Date(data_key="to", required=True, validate=s.DAYS)


class FiguresOut(Schema):
    received = Integer(required=True)
    by_kind = Dict(keys=String(), values=Integer(), required=True)
    by_category = Dict(keys=String(), values=Integer(), required=True)
    by_channel = Dict(keys=String(), values=Integer(), required=True)
    open = Integer(required=True, metadata={"description": "not answered yet"})
    overdue = Integer(required=True, metadata={"description": "not answered and past the deadline"})
    answered = Integer(required=True, metadata={"description": "answered, not followed up yet"})
    answered_on_time_rate = Float(required=True, allow_none=True)
    followed_up = Integer(required=True)
    follow_up_rate = Float(required=True, allow_none=True,
                           metadata={"description": "followed_up / (answered + followed_up)"})
    follow_up_target = Float(required=True)
    follow_up_met = Boolean(required=True, allow_none=True)
    from_ = Date(data_key="from", required=True)
    to = Date(required=True)


class OfferOut(Schema):
    source = String(required=True, validate=OneOf([Source.FLAG.value, Source.RATING.value]))
    source_seq = Integer(required=True)
    at = String(required=True, metadata={"format": "date-time"})
    ticket = Integer(required=True)
    ticket_number = String(required=True)
    counter = Integer(required=True, allow_none=True)
    clerk = String(required=True, allow_none=True)
    level = String(required=True, allow_none=True, metadata={"description": "the rating's level code"})
    reason = String(required=True, allow_none=True,
                    metadata={"description": "the rating's reason code, or the clerk's words with the flag"})


class OffersOut(Schema):
    offers = List(Nested(OfferOut), required=True)


class NoteIn(Schema):
    note = s.Text(0, NOTE_MAX, allow_none=True, load_default=None)


def _json(complaint: Complaint, actor: Actor) -> dict:
    return complaint_json(complaint, hall_ctx().clock.now(), with_contact=actor.role in MANAGERS)


@complaints_api.post("/halls/<hall>/complaints")
@complaints_api.auth_required(token_auth)
@complaints_api.input(ComplaintIn, arg_name="body")
@complaints_api.output(ComplaintOut, status_code=201)
@complaints_api.doc(summary="Register a complaint or report, received now (clerks, managers, admins)",
                    responses={**{code: "" for code in ERRORS},
                               409: "the offer was registered already (`already_registered`)",
                               422: "bad input, an unknown ticket number, or a source_seq that is no offer"})
def open_complaint(hall: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, STAFF, "register complaints")
    complaint = cases.open_complaint(
        hall_ctx(), hall, actor, kind=Kind(body["kind"]), category=Category(body["category"]),
        channel=Channel(body["channel"]), description=body["description"], ticket=body["ticket"],
        ticket_number=body["ticket_number"], ticket_day=body["ticket_day"], clerk=body["clerk"],
        contact=body["contact"], source_seq=body["source_seq"])
    return _json(complaint, actor)


@complaints_api.get("/halls/<hall>/complaints")
@complaints_api.auth_required(token_auth)
@complaints_api.input(ComplaintsQuery, location="query", arg_name="query")
@complaints_api.output(ComplaintsOut)
@complaints_api.doc(summary="The hall's complaints, newest first (clerks see no contact)",
                    responses=ERRORS + [422])
def list_complaints(hall: str, query: dict) -> dict:
    actor = current_actor()
    require(actor, STAFF, "read the complaint register")
    found = cases.complaints(hall_ctx(), hall, actor, status=Status(query["status"]) if query["status"] else None,
                             open_only=query["state"] == "open", first=query["first"], last=query["last"])
    return {"complaints": [_json(complaint, actor) for complaint in found]}


@complaints_api.get("/halls/<hall>/complaints/offers")
@complaints_api.auth_required(token_auth)
@complaints_api.output(OffersOut)
@complaints_api.doc(summary="Upset-customer flags and low ratings of the last 7 days not registered yet, newest "
                            "first (managers, admins)", responses=ERRORS)
def list_offers(hall: str) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "see the complaint offers")
    return {"offers": [offer.as_json() for offer in cases.offers(hall_ctx(), hall, actor)]}


@complaints_api.get("/halls/<hall>/complaints/figures")
@complaints_api.auth_required(token_auth)
@complaints_api.input(FiguresQuery, location="query", arg_name="query")
@complaints_api.output(FiguresOut)
@complaints_api.doc(summary="The register's figures over the complaints received from `from` through `to` "
                            "(business days of the hall), as things stand now (managers, admins)",
                    responses=ERRORS + [422])
def complaint_figures(hall: str, query: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "see the complaint figures")
    found = cases.figures(hall_ctx(), hall, actor, query["first"], query["last"])
    return {**found.as_json(), "from_": query["first"], "to": query["last"]}


@complaints_api.get("/complaints/<int:complaint_id>")
@complaints_api.auth_required(token_auth)
@complaints_api.output(ComplaintOut)
@complaints_api.doc(summary="One complaint with its history (clerks see no contact)", responses=ERRORS)
def get_complaint(complaint_id: int) -> dict:
    actor = current_actor()
    require(actor, STAFF, "read the complaint register")
    return _json(cases.complaint(hall_ctx(), complaint_id, actor), actor)


MOVE_ERRORS = {**{code: "" for code in ERRORS}, 409: "not the next step of its state (`transition_not_allowed`)",
               422: "a note over 500 characters"}


@complaints_api.post('/complaints/<int:complaint_id>/<any(take, answer, "follow-up"):step>')
@complaints_api.auth_required(token_auth)
@complaints_api.input(NoteIn, arg_name="body")
@complaints_api.output(ComplaintOut)
@complaints_api.doc(summary="Move it on (managers, admins): take it in hand (received → in_hand), the customer "
                            "was answered (in_hand → answered), called back (answered → followed_up)",
                    responses=MOVE_ERRORS)
def move(complaint_id: int, step: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "handle complaints")
    moves = {"take": cases.take, "answer": cases.answer, "follow-up": cases.follow_up}
    return _json(moves[step](hall_ctx(), complaint_id, actor, body.get("note")), actor)
