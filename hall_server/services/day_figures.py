"""Today's figures of a hall for the manager's board (domain/day_series.py): served and
compliance per service, served and mean handling per counter, and the day in 15-minute slots,
with the people each camera counted."""
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..domain.actors import Actor
from ..domain.day_close import WEEKDAYS
from ..domain.day_series import CROWD_EVENTS, TICKET_EVENTS, DayFigures, crowd_per_slot
from ..domain.day_series import day_figures as figures_of
from ..domain.events import Event
from ..domain.numbering import business_day
from ..storage import tables as t
from ..storage.store import Reader, event_from_row
from .context import HallContext


def day_figures(ctx: HallContext, hall_id: str, actor: Actor) -> DayFigures:
    """The hall's business day so far (in its timezone), from the ticket events of the day."""
    hall = ctx.hall(hall_id, actor)
    now = ctx.clock.now()
    tz = ZoneInfo(hall.timezone)
    day = business_day(now, hall.timezone)
    opens = datetime.combine(day, hall.opening_hours[WEEKDAYS[day.weekday()]].opens, tzinfo=tz)
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    with ctx.store.read() as reader:
        # issued after local midnight: a ticket of the day and all that happened to it
        events = _ticket_events_since(reader, hall_id, midnight)
        counted = reader.events_of_types(hall_id, CROWD_EVENTS, 0, midnight) if hall.cameras else []
    figures = figures_of(events, day, [s.code for s in hall.services], [c.number for c in hall.counters],
                         hall.handling_limits_s, opens, now)
    return replace(figures, crowd=[crowd_per_slot(counted, camera.name, figures.slots, now)
                                   for camera in hall.cameras])


def _ticket_events_since(reader: Reader, hall_id: str, since: datetime) -> list[Event]:
    """The hall's ticket events recorded at or after `since`, in seq order: one range read
    from the first seq of the day."""
    c = t.events.c
    rows = reader.conn.execute(select(t.events).where(
        c.hall == hall_id, c.seq >= reader.first_seq_since(hall_id, since),
        c.type.in_([kind.value for kind in TICKET_EVENTS])).order_by(c.seq))
    return [event_from_row(row) for row in rows]
