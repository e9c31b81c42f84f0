"""The alerts over HTTP (CONTRACT.md "Alerts"): a hall's list, and a manager's acknowledge,
note and resolve. Managers and admins of the alert's hall only; another hall's alert is
unknown to them (404), as another hall's ticket is."""
from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Dict, Integer, List, Nested, String
from apiflask.validators import OneOf

from ..domain.alerts import Severity, alert_json
from ..services import alerts as cases
from . import schemas as s
from .api import hall_ctx
from .auth import current_actor, token_auth
from .permissions import MANAGERS, require

alerts_api = APIBlueprint("alerts", __name__, url_prefix="/api/v1", tag="alerts")
ERRORS = [401, 403, 404]


class NoteOut(Schema):
    at = String(required=True, metadata={"format": "date-time"})
    by = String(required=True)
    text = String(required=True)


class AlertOut(Schema):
    id = Integer(required=True)
    hall = String(required=True)
    rule = String(required=True, metadata={"description": "the rule that raised it (domain/alert_rules.py)"})
    severity = String(required=True, validate=OneOf([v.value for v in Severity]))
    escalated = Boolean(required=True, metadata={
        "description": "past the point the manager's superior hears of it (or left unacknowledged too long)"})
    subject = String(required=True, metadata={
        "description": '"ticket:<id>", "counter:<n>", "service:<code>", "device:<name>" or "hall"'})
    message = Dict(required=True, metadata={"description": '{"zh", "en"}'})
    data = Dict(required=True, metadata={"description": "the figures behind it"})
    raised_at = String(required=True, metadata={"format": "date-time"})
    updated_at = String(required=True, metadata={"format": "date-time"})
    acknowledged_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    acknowledged_by = String(required=True, allow_none=True)
    resolved_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    resolved_by = String(required=True, allow_none=True, metadata={"description": "null: it resolved itself"})
    escalated_at = String(required=True, allow_none=True, metadata={"format": "date-time"})
    notes = List(Nested(NoteOut), required=True)


class AlertsOut(Schema):
    alerts = List(Nested(AlertOut), required=True)


class AlertsQuery(Schema):
    state = String(load_default="open", validate=OneOf(["open", "all"]),
                   metadata={"description": "open (the board's), or all of the last 7 days"})


class NoteIn(Schema):
    text = s.Text(1, cases.NOTE_MAX, required=True)


def _managing() -> None:
    require(current_actor(), MANAGERS, "handle alerts")


@alerts_api.get("/halls/<hall>/alerts")
@alerts_api.auth_required(token_auth)
@alerts_api.input(AlertsQuery, location="query", arg_name="query")
@alerts_api.output(AlertsOut)
@alerts_api.doc(summary="The hall's alerts: the open ones, most severe first, or all of the last 7 days",
                responses=ERRORS)
def list_alerts(hall: str, query: dict) -> dict:
    _managing()
    found = cases.alerts(hall_ctx(), hall, current_actor(), open_only=query["state"] == "open")
    return {"alerts": [alert_json(alert) for alert in found]}


@alerts_api.post("/alerts/<int:alert_id>/acknowledge")
@alerts_api.auth_required(token_auth)
@alerts_api.output(AlertOut)
@alerts_api.doc(summary="Acknowledge: the manager has seen it (it is no longer escalated for silence)",
                responses=ERRORS)
def acknowledge(alert_id: int) -> dict:
    _managing()
    return alert_json(cases.acknowledge(hall_ctx(), alert_id, current_actor()))


@alerts_api.post("/alerts/<int:alert_id>/notes")
@alerts_api.auth_required(token_auth)
@alerts_api.input(NoteIn, arg_name="body")
@alerts_api.output(AlertOut)
@alerts_api.doc(summary="Add a note: what was done about it", responses=ERRORS + [422])
def add_note(alert_id: int, body: dict) -> dict:
    _managing()
    return alert_json(cases.add_note(hall_ctx(), alert_id, current_actor(), body["text"]))


@alerts_api.post("/alerts/<int:alert_id>/resolve")
@alerts_api.auth_required(token_auth)
@alerts_api.output(AlertOut)
@alerts_api.doc(summary="Resolve by hand; while its condition holds it is not raised again",
                responses=ERRORS + [409])
def resolve(alert_id: int) -> dict:
    _managing()
    return alert_json(cases.resolve(hall_ctx(), alert_id, current_actor()))
