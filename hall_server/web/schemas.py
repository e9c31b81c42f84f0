"""Request and response schemas: they validate input and generate the OpenAPI document."""
from datetime import date

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Dict, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp
from marshmallow import ValidationError, validates_schema

from ..domain.appointments import StopReason
from ..domain.counters import PAUSE_REASONS, CounterState
from ..domain.events import EventType
from ..domain.tickets import FlagKind, TicketStatus, VisitOutcome
from ..services.tickets import MAX_ITEMS
from ..storage.store import MAX_ID

#: text a client sends: no NUL, which PostgreSQL cannot store
#: the calendar days a query may name (a later one would overflow the day after it)
DAYS = Range(date(2000, 1, 1), date(9000, 12, 31))
#: the ids a query may name: what the database's id columns hold
IDS = Range(1, MAX_ID)
NO_NUL = Regexp(r"^[^\x00]*$", error="must not contain NUL characters")


def Text(low: int, high: int, **kwargs) -> String:  # noqa: N802 - a field factory
    return String(validate=[Length(low, high), NO_NUL], **kwargs)


Id = Text(1, 64, required=True)


class Error(Schema):
    code = String(required=True)
    message = String(required=True)
    details = Dict()


class ErrorOut(Schema):
    error = Nested(Error, required=True)


class LoginIn(Schema):
    username = Text(1, 64, required=True)
    password = Text(1, 1024, required=True)


class UserOut(Schema):
    username = String(required=True)
    role = String(required=True)
    halls = List(String(), required=True)
    must_change_password = Boolean(metadata={
        "description": "present and true: the password was reset; until it is changed (POST /auth/password) "
                       "this token may only do that and log out (403 `password_change_required`)"})


class LoginOut(Schema):
    token = String(required=True)
    expires_at = DateTime(required=True)
    user = Nested(UserOut, required=True)


class Names(Schema):
    zh = String(required=True)
    en = String(required=True)


class HallSummary(Schema):
    id = String(required=True)
    name = String(required=True)
    name_en = String()


class HallsOut(Schema):
    halls = List(Nested(HallSummary), required=True)


class SwitchOut(Schema):
    """A manager's last word on a service."""

    issuing = Boolean(required=True)
    daily_cap = Integer(required=True, allow_none=True, metadata={"description": "null: the configured cap"})
    changed_by = String(required=True)
    changed_at = DateTime(required=True)


class IssuingOut(Schema):
    """Whether a service issues numbers now, and if not, why."""

    issuing = Boolean(required=True)
    stop_reason = String(required=True, allow_none=True, validate=OneOf([r.value for r in StopReason]))
    daily_cap = Integer(required=True, allow_none=True, metadata={"description": "the cap in force; null: none"})
    issued_today = Integer(required=True)
    switch = Nested(SwitchOut, required=True, allow_none=True,
                    metadata={"description": "the manager's switch; null: never switched (issuing)"})


class ServiceOut(IssuingOut):
    code = String(required=True)
    prefix = String(required=True)
    name = Nested(Names, required=True)
    description = Nested(Names, required=True, metadata={"description": "either language may be empty"})
    handling_limit_s = Integer(required=True)
    waiting_warning_s = Integer()
    waiting_critical_s = Integer()


class CounterInfo(Schema):
    number = Integer(required=True)
    name = Nested(Names, required=True)
    services = List(String(), required=True)


class PriorityOut(Schema):
    code = String(required=True)
    name = Nested(Names, required=True)
    head_start_s = Integer()


class TodayOut(Schema):
    opens = String(required=True, metadata={"description": "local time, HH:MM"})
    closes = String(required=True, metadata={"description": "local time, HH:MM"})


class RatingLevelOut(Schema):
    code = String(required=True)
    score = Integer(required=True)
    name = Nested(Names, required=True)
    low = Boolean(required=True, metadata={"description": "the evaluator asks for a reason; the manager hears at once"})


class RatingReasonOut(Schema):
    code = String(required=True)
    name = Nested(Names, required=True)


class HallOut(Schema):
    id = String(required=True)
    name = String(required=True)
    name_en = String()
    timezone = String(required=True)
    open = Boolean(required=True, metadata={"description": "within the opening hours now"})
    today = Nested(TodayOut, required=True, allow_none=True)
    region = List(String())
    services = List(Nested(ServiceOut), required=True)
    counters = List(Nested(CounterInfo), required=True)
    priority_classes = List(Nested(PriorityOut), required=True)
    rating_levels = List(Nested(RatingLevelOut), required=True, metadata={"description": "best first"})
    rating_reasons = List(Nested(RatingReasonOut), required=True)
    rating_timeout_s = Integer(required=True, metadata={"description": "how long the evaluator waits for a rating"})
    notice = Nested(Names, allow_none=True, metadata={"description": "the notice line on the hall's displays "
                                                      "today (POST /halls/{hall}/notice), null if none"})


class PasswordIn(Schema):
    current_password = Text(1, 1024, required=True)
    #: at least accounts.MIN_PASSWORD_LENGTH characters, else 422 `weak_password`
    new_password = Text(1, 1024, required=True)


class IssueIn(Schema):
    service = Id
    priority = Text(1, 64, load_default="normal")
    appointment = Text(1, 64, load_default=None, allow_none=True)
    client_request_id = Text(1, 128, load_default=None, allow_none=True)


class ItemOut(Schema):
    service = String(required=True)
    count = Integer(required=True)


class VisitOut(Schema):
    counter = Integer(required=True)
    clerk = String(required=True, allow_none=True)
    service = String(required=True)
    called_at = DateTime(required=True)
    started_at = DateTime(required=True, allow_none=True)
    ended_at = DateTime(required=True, allow_none=True)
    outcome = String(required=True, allow_none=True, validate=OneOf([o.value for o in VisitOutcome]))
    items = List(Nested(ItemOut), required=True)
    handling_s = Float(required=True, allow_none=True)
    limit_s = Integer(required=True, allow_none=True, metadata={
        "description": "the handling limit of the visit's items (or one item of its service)"})
    compliant = Boolean(required=True, allow_none=True)


class TicketOut(Schema):
    id = Integer(required=True)
    hall = String(required=True)
    number = String(required=True)
    service = String(required=True)
    priority = String(required=True)
    status = String(required=True, validate=OneOf([s.value for s in TicketStatus]))
    issued_at = DateTime(required=True)
    called_at = DateTime(required=True, allow_none=True)
    started_at = DateTime(required=True, allow_none=True)
    finished_at = DateTime(required=True, allow_none=True)
    counter = Integer(required=True, allow_none=True)
    recall_count = Integer(required=True)
    ahead = Integer(required=True, allow_none=True)
    estimated_wait_s = Integer(required=True, allow_none=True)
    clerk = String(allow_none=True)
    wait_s = Float()
    transfer_count = Integer()
    items = List(Nested(ItemOut))
    handling_s = Float(allow_none=True, metadata={"description": "time at the windows over every visit"})
    visits = List(Nested(VisitOut), metadata={"description": "each stretch at a counter, oldest first"})
    tracking_url = String(required=True, metadata={"description": "the path of the customer's phone page"})


class TrackOut(Schema):
    """The customer's own ticket, and nothing about anyone else's."""

    hall = String(required=True)
    hall_name = Nested(Names, required=True)
    number = String(required=True)
    service = String(required=True)
    service_name = Nested(Names, required=True, allow_none=True)
    status = String(required=True, validate=OneOf([s.value for s in TicketStatus]))
    ahead = Integer(required=True, allow_none=True)
    estimated_wait_s = Integer(required=True, allow_none=True)
    counter = Integer(required=True, allow_none=True)
    counter_name = Nested(Names, required=True, allow_none=True)
    issued_at = DateTime(required=True)
    called_at = DateTime(required=True, allow_none=True)
    recall_count = Integer(required=True, metadata={"description": "a recall calls the customer again"})


class CounterOut(Schema):
    number = Integer(required=True)
    state = String(required=True, validate=OneOf([s.value for s in CounterState]))
    clerk = String(required=True, allow_none=True)
    ticket = Nested(TicketOut, required=True, allow_none=True)
    pause_reason = String(allow_none=True)


class SignInIn(Schema):
    clerk = Text(1, 64, metadata={"description": "for a manager signing a clerk in"})


class ItemIn(Schema):
    service = Id
    count = Integer(strict=True, load_default=1, validate=Range(1, MAX_ITEMS))


class FinishIn(Schema):
    items = List(Nested(ItemIn), validate=Length(1, 20))


class TransferIn(Schema):
    service = Text(1, 64)
    counter = Integer(strict=True, validate=Range(1, 999))
    note = Text(0, 500, metadata={"description": "what the next clerk should know"})

    @validates_schema
    def _one_target(self, data: dict, **_kwargs) -> None:
        if ("service" in data) == ("counter" in data):
            raise ValidationError("give either service or counter")


class FlagIn(Schema):
    kind = String(required=True, validate=OneOf([kind.value for kind in FlagKind]))
    phone = String(validate=Regexp(r"^\+?[0-9][0-9 -]{4,23}$", error="a phone number"),
                   metadata={"description": "for a callback (required there)"})
    reason = Text(0, 500)


class PauseIn(Schema):
    reason = String(required=True, validate=OneOf(PAUSE_REASONS))


class RatingIn(Schema):
    score = Integer(required=True, strict=True,
                    metadata={"description": "the score of one of the hall's rating_levels (else 422 `invalid_score`)"})
    reason = Text(1, 64, allow_none=True, load_default=None,
                  metadata={"description": "with a low level only: the code of one of the hall's rating_reasons "
                            "(else 422 `invalid_reason`)"})


class ServiceLoadOut(Schema):
    code = String(required=True)
    waiting = Integer(required=True)
    longest_wait_s = Float(required=True)
    estimated_wait_s = Integer(required=True)
    open_counters = Integer(required=True)
    staffing = Dict(allow_none=True, metadata={
        "description": "the counters the service needs now by the Erlang C model: arrivals_per_h, "
                       "mean_handling_s, load, open, needed, share_past_warning, advice (open|pause|ok), more"})


class BoardCounterOut(CounterOut):
    elapsed_s = Float(required=True, allow_none=True)
    limit_s = Integer(required=True, allow_none=True)
    over_limit = Boolean()
    clerk_name = String(allow_none=True, metadata={"description": "the clerk's name, for the counter display"})
    clerk_badge = String(allow_none=True, metadata={"description": "the clerk's badge number (工号)"})
    since = DateTime(allow_none=True, metadata={"description": "when the counter entered its state"})


class AreaCrowdOut(Schema):
    camera = String(required=True)
    area = Nested(Names, required=True, metadata={"description": "the waiting area the camera watches"})
    people = Integer(required=True, allow_none=True, metadata={
        "description": "the latest estimate today of the people in the area; null before the first one, "
                       "or while the camera is offline (see online)"})
    at = DateTime(required=True, allow_none=True, metadata={
        "description": "since when the estimate holds (or since when the camera is offline)"})
    online = Boolean(required=True, metadata={"description": "whether the camera's pictures come"})


class BoardOut(Schema):
    at = DateTime(required=True)
    last_seq = Integer(required=True)
    services = List(Nested(ServiceLoadOut), required=True)
    counters = List(Nested(BoardCounterOut), required=True)
    alerts = List(Dict(), required=True)
    crowd = List(Nested(AreaCrowdOut), required=True, metadata={
        "description": "each camera of the hall: the people in its waiting area (only counts, never a picture)"})


class EventsQuery(Schema):
    after = Integer(load_default=0, validate=Range(0, MAX_ID))
    limit = Integer(load_default=500, validate=Range(1, 1000))


class EventOut(Schema):
    seq = Integer(required=True)
    hall = String(required=True)
    type = String(required=True, validate=OneOf([e.value for e in EventType]))
    at = String(required=True, metadata={"format": "date-time"})
    ticket = Integer(required=True, allow_none=True)
    counter = Integer(required=True, allow_none=True)
    actor = String(allow_none=True)
    data = Dict(required=True)


class EventsOut(Schema):
    events = List(Nested(EventOut), required=True)
    last_seq = Integer(required=True)
