"""The hall's notice line: one line of text, Chinese and English, that a manager puts on the
hall's call displays ("今日系统升级，暂停办理过户业务" / "No ownership transfers today").

The notice is the `hall.notice` event itself (no table of its own): setting it records the
event, which the displays receive live; the hall's description (GET /halls/{hall}) reads the
last one back. A notice holds for the business day it was set on, so yesterday's line never
greets the morning's customers, and finding it reads only today's part of the log.
"""
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..domain.actors import Actor
from ..domain.errors import Invalid
from ..domain.events import EventType as E
from ..domain.numbering import business_day
from .context import HallContext

#: the longest notice, per language (one line on a 1920-pixel display)
MAX_NOTICE_CHARS = 200


@dataclass(frozen=True)
class Notice:
    zh: str
    en: str


def set_notice(ctx: HallContext, hall_id: str, actor: Actor, zh: str, en: str) -> Notice | None:
    """Set the hall's notice line; both texts empty clear it (None). A missing language shows
    the other one (a notice in Chinese only is shown on English displays too)."""
    ctx.hall(hall_id, actor)
    zh, en = " ".join(zh.split()), " ".join(en.split())
    if max(len(zh), len(en)) > MAX_NOTICE_CHARS:
        raise Invalid(f"a notice has at most {MAX_NOTICE_CHARS} characters per language", "notice_too_long")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        tx.record(E.HALL_NOTICE, actor=actor.name, data={"zh": zh, "en": en})
    return _notice(zh, en)


def current_notice(ctx: HallContext, hall_id: str, actor: Actor) -> Notice | None:
    """The notice line set last today, None if none or cleared."""
    hall = ctx.hall(hall_id, actor)
    since = datetime.combine(business_day(ctx.clock.now(), hall.timezone), time.min, tzinfo=ZoneInfo(hall.timezone))
    with ctx.store.read() as reader:
        event = reader.last_event(hall_id, E.HALL_NOTICE, since, lambda e: True)
    return _notice(event.data.get("zh", ""), event.data.get("en", "")) if event else None


def _notice(zh: str, en: str) -> Notice | None:
    if not zh and not en:
        return None
    return Notice(zh or en, en or zh)
