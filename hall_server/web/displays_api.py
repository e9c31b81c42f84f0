"""The API of the hall's displays beyond CONTRACT.md's core: the manager's notice line.

`POST /api/v1/halls/{hall}/notice` `{"zh", "en"}` sets the line the hall display shows under
its calls (both empty: cleared); the displays get it live as a `hall.notice` event, and
GET /halls/{hall} carries today's `notice`.
"""
from apiflask import APIBlueprint, Schema
from apiflask.fields import Nested
from flask import current_app

from ..services import notices
from ..services.notices import Notice
from . import schemas as s
from .auth import current_actor, token_auth
from .permissions import MANAGERS, require

displays_api = APIBlueprint("displays", __name__, url_prefix="/api/v1", tag="displays")


class NoticeIn(Schema):
    zh = s.Text(0, 1000, load_default="", metadata={"description": "Chinese; empty with `en` empty: clear"})
    en = s.Text(0, 1000, load_default="", metadata={"description": "English; empty: the Chinese is shown"})


class NoticeOut(Schema):
    notice = Nested(s.Names, required=True, allow_none=True)


def notice_json(notice: Notice | None) -> dict | None:
    return {"zh": notice.zh, "en": notice.en} if notice else None


@displays_api.post("/halls/<hall>/notice")
@displays_api.auth_required(token_auth)
@displays_api.input(NoticeIn, arg_name="body")
@displays_api.output(NoticeOut)
@displays_api.doc(summary="Set or clear the notice line of the hall's displays (for today)",
                  responses={403: "not a manager or admin of the hall", 404: "",
                             422: f"more than {notices.MAX_NOTICE_CHARS} characters (`notice_too_long`)"})
def set_notice(hall: str, body: dict) -> dict:
    actor = current_actor()
    require(actor, MANAGERS, "set the notice line")
    notice = notices.set_notice(current_app.extensions["hall"], hall, actor, body["zh"], body["en"])
    return {"notice": notice_json(notice)}
