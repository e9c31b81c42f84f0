"""Whether each service issues numbers now, and the manager's switch that stops, resumes or
caps one. Taking a number (tickets.issue_ticket) and the hall's description for kiosks
(GET /halls/{hall}) both ask `service_issuing`, so they never disagree."""
from dataclasses import dataclass
from datetime import datetime, time

from ..config import WEEKDAYS, Hall, Service
from ..domain.actors import Actor
from ..domain.appointments import ServiceSwitch, StopReason, is_open, issue_refusal
from ..domain.errors import NotFound
from ..domain.events import EventType as E
from ..domain.numbering import business_day
from .context import HallContext


@dataclass(frozen=True)
class ServiceIssuing:
    code: str
    #: a number of this service would be issued now
    issuing: bool
    stop_reason: StopReason | None
    #: the cap in force: the manager's, else the configured one (None: no cap)
    daily_cap: int | None
    issued_today: int
    #: the manager's last word on the service (None: never switched)
    switch: ServiceSwitch | None


@dataclass(frozen=True)
class HallIssuing:
    open: bool
    #: today's opening hours, local (`closes` time.max: open until midnight)
    opens: time
    closes: time
    services: dict[str, ServiceIssuing]


def service_issuing(hall: Hall, service: Service, switch: ServiceSwitch | None, issued_today: int,
                    now: datetime) -> ServiceIssuing:
    cap = switch.daily_cap if switch is not None and switch.daily_cap is not None else service.daily_cap
    reason = issue_refusal(now, hall.opening_hours, hall.timezone, switch is None or switch.issuing,
                           issued_today, cap)
    return ServiceIssuing(service.code, reason is None, reason, cap, issued_today, switch)


def hall_issuing(ctx: HallContext, hall_id: str, actor: Actor) -> HallIssuing:
    """Today's hours and each service's issuing state, as of now."""
    hall = ctx.hall(hall_id, actor)
    now = ctx.clock.now()
    day = business_day(now, hall.timezone)
    with ctx.store.read() as reader:
        switches = reader.service_switches(hall_id)
        issued = reader.issued_on(hall_id, day)
    today = hall.opening_hours[WEEKDAYS[day.weekday()]]
    return HallIssuing(
        is_open(now, hall.opening_hours, hall.timezone), today.opens, today.closes,
        {s.code: service_issuing(hall, s, switches.get(s.code), issued.get(s.prefix, 0), now) for s in hall.services})


def switch_service(ctx: HallContext, hall_id: str, service: str, actor: Actor, *, issuing: bool,
                   daily_cap: int | None = None) -> ServiceIssuing:
    """A manager stops or resumes issuing a service, or sets its cap (None: the configured one).
    The switch holds until changed again; a `service.switched` event tells the kiosks."""
    hall = ctx.hall(hall_id, actor)
    config = hall.services_by_code.get(service)
    if config is None:
        raise NotFound(f"hall {hall_id} has no service {service!r}", "unknown_service")
    with ctx.store.write(hall_id, ctx.clock) as tx:
        switch = ServiceSwitch(service, issuing, daily_cap, actor.name, tx.at)
        tx.save_service_switch(switch)
        tx.record(E.SERVICE_SWITCHED, actor=actor.name,
                  data={"service": service, "issuing": issuing, "daily_cap": daily_cap})
        issued = tx.issued_on(hall_id, business_day(tx.at, hall.timezone)).get(config.prefix, 0)
        return service_issuing(hall, config, switch, issued, tx.at)
