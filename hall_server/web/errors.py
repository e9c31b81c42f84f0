"""Every error leaves as {"error": {"code", "message"}} with a 4xx status."""
import logging

from apiflask import APIFlask, HTTPError
from flask import Response, jsonify, request

from ..domain.errors import (
    Conflict,
    Forbidden,
    HallError,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)

log = logging.getLogger(__name__)

CODES_BY_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "validation_error", 500: "internal_error",
}


#: the HTTP status of each kind of domain error; the most specific class wins
STATUS_BY_ERROR: dict[type[HallError], int] = {
    Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, Invalid: 422,
    TooManyAttempts: 429,
}


def status_of(error: HallError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def register(app: APIFlask) -> None:
    @app.errorhandler(HallError)
    def _hall_error(error: HallError) -> Response:
        response = error_response(status_of(error), error.code, error.message)
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_s)
        return response

    @app.error_processor
    def _http_error(error: HTTPError) -> Response:
        code = CODES_BY_STATUS.get(error.status_code, "error")
        message = error.message or code.replace("_", " ")
        details = error.detail or None
        if error.status_code == 400 and request.data and request.get_json(silent=True) is None:
            code, message = "invalid_json", "the request body is not valid JSON"
        if error.status_code == 422:
            message = "the request does not match the schema"
        response = error_response(error.status_code, code, message, details)
        response.headers.extend(error.headers or {})
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "internal error; the request may or may not "
                              "have taken effect: read the state before repeating it")
