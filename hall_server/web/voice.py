"""The hall's voice over HTTP: a call's announcement and the chime, as WAV audio
(services/voice.py), for the display pages (cookie + CSRF header, fetched and played as a
blob) and for managers. Without espeak-ng: 503 `voice_unavailable`, and the page speaks
with the browser's own voice."""
from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, OneOf, Range
from flask import Response, send_file

from ..domain.actors import Role
from ..domain.announcements import LANGUAGES
from ..services import voice
from .api import hall_ctx
from .auth import current_actor, token_auth
from .errors import error_response
from .permissions import MANAGERS, require

voice_api = APIBlueprint("voice", __name__, url_prefix="/api/v1", tag="voice")
#: who may fetch the hall's announcements
LISTENERS = MANAGERS | {Role.DISPLAY}
#: the audio of a phrase never changes (its file is named by what shapes it): browsers keep it a day
MAX_AGE_S = 24 * 3600
WAV = {"content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}}}


class CallQuery(Schema):
    number = String(required=True, validate=Length(1, 12), metadata={"description": "a ticket number, e.g. A012"})
    counter = Integer(required=True, validate=Range(1, 999))
    lang = String(load_default="zh", validate=OneOf(LANGUAGES))


def _listener():
    actor = current_actor()
    require(actor, LISTENERS, "fetch the hall's announcements")
    return actor


def _wav(make) -> Response:
    try:
        path = make()
    except voice.VoiceUnavailable as exc:
        return error_response(503, "voice_unavailable", str(exc))
    return send_file(path, mimetype="audio/wav", max_age=MAX_AGE_S)


@voice_api.get("/halls/<hall>/voice/call")
@voice_api.auth_required(token_auth)
@voice_api.input(CallQuery, location="query", arg_name="query")
@voice_api.doc(summary="The announcement of a call (请 A012 号到 3 号窗口办理 / "
                       "Number A012, please go to counter 3) as WAV; 503 voice_unavailable without espeak-ng",
               responses={200: {"description": "audio/wav", **WAV}, 401: "", 403: "", 404: "", 422: "", 503: ""})
def call(hall: str, query: dict) -> Response:
    actor = _listener()
    return _wav(lambda: voice.call_audio(hall_ctx(), hall, query["number"], query["counter"], query["lang"], actor))


@voice_api.get("/halls/<hall>/voice/chime")
@voice_api.auth_required(token_auth)
@voice_api.doc(summary="The chime before each announcement, as WAV",
               responses={200: {"description": "audio/wav", **WAV}, 401: "", 403: "", 404: ""})
def chime(hall: str) -> Response:
    actor = _listener()
    return _wav(lambda: voice.chime_audio(hall_ctx(), hall, actor))
