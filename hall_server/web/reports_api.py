"""The reports over HTTP (CONTRACT.md "Reports"): a hall's summary, the full hall report of
the reports page, and the halls side by side. Managers and admins of the hall only."""
import re
from datetime import date

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Dict, Float, Integer, List, Nested, Raw, String
from apiflask.validators import OneOf
from flask import Response, jsonify

from ..domain.errors import Invalid
from ..domain.hall_report import report_json
from ..domain.reports import HALL_GROUPINGS, By, Summary, summary_json
from ..services import report_files
from ..services import reports as cases
from .api import hall_ctx
from .auth import current_actor, token_auth
from .i18n import LOCALES, current_lang
from .permissions import MANAGERS, require

reports_api = APIBlueprint("reports", __name__, url_prefix="/api/v1", tag="reports")
ERRORS = {403: "not a manager or admin of the hall", 404: "unknown hall",
          422: "`invalid_date`, `invalid_range` (from after to), `range_too_long` (over 366 days), "
               "or a bad `by` or `format`"}
#: what a summary may be turned into (services/report_files.py makes all but JSON)
FORMATS = ("json", "csv", "xlsx", "table")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE = {"description": "a business day in the hall's timezone, YYYY-MM-DD", "example": "2026-11-24"}


class RangeQuery(Schema):
    from_ = String(required=True, data_key="from", attribute="from", metadata=DATE)
    to = String(required=True, metadata=DATE)


class FormatQuery(RangeQuery):
    format = String(load_default="json", validate=OneOf(FORMATS),
                    metadata={"description": "json; csv or xlsx: a file of the same numbers; table: the "
                                             "page's table of display values"})
    lang = String(validate=OneOf(list(LOCALES)), metadata={"description": "the files' language (zh by default)"})


class HallReportQuery(RangeQuery):
    tables = Boolean(load_default=False, metadata={
        "description": "also each grouping's table as the page shows it (what format=table gives), in `lang`"})
    lang = String(validate=OneOf(list(LOCALES)), metadata={"description": "the tables' language (zh by default)"})


class SummaryQuery(FormatQuery):
    by = String(load_default=By.SERVICE.value, validate=OneOf([by.value for by in HALL_GROUPINGS]))


class HallsQuery(FormatQuery):
    region = String(load_default=None, metadata={
        "description": 'only halls whose region path starts with this, joined with "/" ("示范省/示范市")'})


class RowOut(Schema):
    key = Raw(required=True, allow_none=True, metadata={
        "description": "service code, counter number, clerk's username, day (YYYY-MM-DD) or hall id; "
                       "null for the total"})
    label = Dict(required=True, metadata={"description": '{"zh", "en"}'})
    issued = Integer(required=True, allow_none=True, metadata={"description": "null in rows by counter or clerk"})
    served = Integer(required=True)
    no_show = Integer(required=True)
    cancelled = Integer(required=True)
    wait_mean_s = Float(required=True, allow_none=True)
    wait_p50_s = Float(required=True, allow_none=True)
    wait_p90_s = Float(required=True, allow_none=True, metadata={"description": "percentiles: nearest rank"})
    wait_max_s = Float(required=True, allow_none=True)
    handling_mean_s = Float(required=True, allow_none=True)
    handling_p50_s = Float(required=True, allow_none=True)
    handling_p90_s = Float(required=True, allow_none=True)
    compliance_rate = Float(required=True, allow_none=True, metadata={
        "description": "handled visits within limit × items, 0..1"})
    satisfied_rate = Float(required=True, allow_none=True, metadata={"description": "ratings not low, 0..1"})
    transferred = Integer(required=True)
    expired = Integer(required=True)
    walk_mean_s = Float(required=True, allow_none=True, metadata={"description": "called → started"})
    estimate_error_s = Float(required=True, allow_none=True, metadata={
        "description": "mean absolute error of the wait told at issue against the wait to the first call"})
    rated = Integer(required=True)
    handled = Integer(required=True)
    compliant = Integer(required=True)


class SummaryOut(Schema):
    from_ = String(required=True, data_key="from", attribute="from")
    to = String(required=True)
    by = String(required=True, validate=OneOf([by.value for by in By]))
    rows = List(Nested(RowOut), required=True)
    total = Nested(RowOut, required=True)


class LevelOut(Schema):
    code = String(required=True)
    score = Integer(required=True)
    name = Dict(required=True)
    low = Boolean(required=True)
    count = Integer(required=True)


class SatisfactionOut(Schema):
    levels = List(Nested(LevelOut), required=True)
    rated = Integer(required=True)
    satisfied_rate = Float(required=True, allow_none=True)


class AlertFiguresOut(Schema):
    raised = Integer(required=True)
    by_rule = Dict(keys=String(), values=Integer(), required=True)
    by_severity = Dict(keys=String(), values=Integer(), required=True)
    acknowledged = Integer(required=True)
    ack_mean_s = Float(required=True, allow_none=True)
    ack_p90_s = Float(required=True, allow_none=True)


class CounterTimeOut(Schema):
    number = Integer(required=True)
    label = Dict(required=True, allow_none=True)
    signed_in_s = Float(required=True)
    serving_s = Float(required=True)
    idle_s = Float(required=True)
    paused_s = Float(required=True)
    paused_by_reason = Dict(keys=String(), values=Float(), required=True)


class OvertimeDayOut(Schema):
    day = String(required=True)
    closes_at = String(required=True, metadata={"format": "date-time"})
    last_end_at = String(required=True, metadata={"format": "date-time"})
    overtime_s = Float(required=True)


class OvertimeOut(Schema):
    total_s = Float(required=True)
    days = List(Nested(OvertimeDayOut), required=True)


class HeatmapOut(Schema):
    arrivals = List(List(Float()), required=True, metadata={
        "description": "7 weekdays (Monday first) × 24 hours: tickets issued, mean per day of that weekday"})
    wait_mean_s = List(List(Float(allow_none=True)), required=True)


class HallReportOut(Schema):
    hall = String(required=True)
    from_ = String(required=True, data_key="from", attribute="from")
    to = String(required=True)
    days = Integer(required=True)
    total = Nested(RowOut, required=True)
    by_service = List(Nested(RowOut), required=True)
    by_counter = List(Nested(RowOut), required=True)
    by_clerk = List(Nested(RowOut), required=True)
    by_day = List(Nested(RowOut), required=True)
    satisfaction = Nested(SatisfactionOut, required=True)
    alerts = Nested(AlertFiguresOut, required=True)
    counters = List(Nested(CounterTimeOut), required=True)
    overtime = Nested(OvertimeOut, required=True)
    heatmap = Nested(HeatmapOut, required=True)
    tables = Dict(keys=String(), values=Dict(), metadata={
        "description": "with tables=true: per grouping (service, counter, clerk, day), its table"})


#: what a summary answers, by its `format`: the JSON above, the page's table, or a file
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_TABLE = {"type": "object", "required": ["title", "columns", "rows", "total"], "properties": {
    "title": {"type": "string"},
    "columns": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"}, "decimals": {"type": "integer"}}}},
    "rows": {"type": "array", "items": {"type": "array"}}, "total": {"type": "array"}}}
SUMMARY_FORMATS = {200: {"description": "format=json: the summary; table: the page's table; csv, xlsx: a file",
                         "content": {
                             "application/json": {"schema": {"oneOf": [
                                 {"$ref": "#/components/schemas/SummaryOut"}, _TABLE]}},
                             "text/csv": _BINARY, report_files.FORMATS["xlsx"]: _BINARY}}}


def _range(query: dict) -> tuple[date, date]:
    return _day(query["from"], "from"), _day(query["to"], "to")


def _day(value: str, name: str) -> date:
    try:
        if DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:  # a day the calendar has not (2026-02-30)
        pass
    raise Invalid(f"{name} must be a date, YYYY-MM-DD", "invalid_date")


def _managing() -> None:
    require(current_actor(), MANAGERS, "read reports")


@reports_api.get("/halls/<hall>/reports/summary")
@reports_api.auth_required(token_auth)
@reports_api.input(SummaryQuery, location="query", arg_name="query")
@reports_api.output(SummaryOut)
@reports_api.doc(summary="The hall's figures for a range of business days, by service, counter, clerk or day",
                 responses={**SUMMARY_FORMATS, **ERRORS})
def summary(hall: str, query: dict) -> dict | Response:
    _managing()
    first, last = _range(query)
    found = cases.summary(hall_ctx(), hall, current_actor(), first, last, By(query["by"]))
    return _summary_as(found, query["format"], _hall_title(hall))


def _hall_title(hall: str) -> dict[str, str]:
    config = hall_ctx().hall(hall)
    return {"zh": config.name, "en": config.name_en}


def _summary_as(found: Summary, fmt: str, title: dict[str, str] | None = None) -> dict | Response:
    """The summary as JSON, or in `fmt` (services/report_files.py), `title` naming the hall."""
    if fmt == "json":
        return summary_json(found)
    lang = current_lang()
    body, mimetype, filename = report_files.render(found, fmt, lang, title[lang] if title else None)
    if isinstance(body, dict):
        return jsonify(body)
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@reports_api.get("/halls/<hall>/reports")
@reports_api.auth_required(token_auth)
@reports_api.input(HallReportQuery, location="query", arg_name="query")
@reports_api.output(HallReportOut)
@reports_api.doc(summary="The hall report of the reports page: the figures every way, satisfaction, alerts, "
                         "counter time, overtime and heat maps", responses=ERRORS)
def hall_report(hall: str, query: dict) -> dict:
    _managing()
    first, last = _range(query)
    found = cases.hall_report(hall_ctx(), hall, current_actor(), first, last)
    if not query["tables"]:
        return report_json(found)
    lang, title = current_lang(), _hall_title(hall)
    return {**report_json(found), "tables": {
        by.value: report_files.render(found.summary(by), "table", lang, title[lang])[0] for by in HALL_GROUPINGS}}


@reports_api.get("/reports/summary")
@reports_api.auth_required(token_auth)
@reports_api.input(HallsQuery, location="query", arg_name="query")
@reports_api.output(SummaryOut)
@reports_api.doc(summary="The halls the caller may see side by side, one row each (by hall)",
                 responses={**SUMMARY_FORMATS, 403: "not a manager or admin", 422: ERRORS[422]})
def halls_summary(query: dict) -> dict | Response:
    _managing()
    first, last = _range(query)
    return _summary_as(cases.halls_summary(hall_ctx(), current_actor(), first, last, query["region"]), query["format"])
