"""Use cases of the reports: a hall's summary grouped by service, counter, clerk or day; the
full hall report of the reports page; and the halls side by side for a region's supervisor.
Each reads in one read transaction (storage/reports.py) and leaves the figures to
domain/reports.py; this layer adds the rows' labels in both languages."""
from datetime import date, datetime, timedelta

from ..config import Hall
from ..domain import hall_report as sections
from ..domain import reports as figures
from ..domain.actors import Actor
from ..domain.catalogue import N_, gettext
from ..domain.errors import Invalid
from ..domain.hall_report import HallReport, RatingLevelInfo
from ..domain.numbering import day_start
from ..domain.reports import HALL_GROUPINGS, MAX_DAYS, By, Key, ReportTally, Row, Summary
from ..storage import reports as rows
from .context import HallContext

LANGUAGES = ("zh", "en")
TOTAL = N_("Total")
WINDOW = N_("Window %(number)s")
#: counter events are read from this long before the range, to know who was signed in at its start
COUNTER_LOOKBACK = timedelta(days=1)


def check_range(first: date, last: date) -> None:
    if first > last:
        raise Invalid(f"the range ends ({last}) before it begins ({first})", "invalid_range")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"a report covers at most {MAX_DAYS} days", "range_too_long")


def summary(ctx: HallContext, hall_id: str, actor: Actor, first: date, last: date,
            by: By = By.SERVICE) -> Summary:
    """The hall's figures for business days `first` through `last` (both included), one row
    per service, counter, clerk or day, and the total of the hall."""
    hall = ctx.hall(hall_id, actor)
    check_range(first, last)
    if by not in HALL_GROUPINGS:
        raise Invalid(f"a hall's report is grouped by {', '.join(HALL_GROUPINGS)}", "unknown_grouping")
    with ctx.store.read() as reader:
        tickets = rows.tickets_between(reader.conn, hall, first, last)
    low = _low_scores(hall)
    grouped = figures.figures_by(tickets, by, low, _keys(hall, by, first, last))
    labels = _Labels(ctx, hall, grouped if by is By.CLERK else ())
    return Summary(hall_id, first, last, by, [Row(key, labels.of(by, key), found) for key, found in grouped.items()],
                   Row(None, labels.total, figures.total(tickets, low)))


def hall_report(ctx: HallContext, hall_id: str, actor: Actor, first: date, last: date) -> HallReport:
    """Everything the reports page shows for the range: the figures by service, counter, clerk
    and day, satisfaction per level, alerts, counter time, overtime and the heat maps (the
    page compares the totals with the summary of the period before)."""
    hall = ctx.hall(hall_id, actor)
    check_range(first, last)
    since, until = _bounds(hall, first, last)
    with ctx.store.read() as reader:
        tickets = rows.tickets_between(reader.conn, hall, first, last)
        raised = rows.alerts_raised(reader.conn, hall_id, since, until)
        counter_events = rows.counter_events(reader.conn, hall_id, since - COUNTER_LOOKBACK, until)
    low = _low_scores(hall)
    grouped = {by: figures.figures_by(tickets, by, low, _keys(hall, by, first, last))
               for by in HALL_GROUPINGS}
    labels = _Labels(ctx, hall, grouped[By.CLERK])

    def listed(by: By) -> list[Row]:
        return [Row(key, labels.of(by, key), found) for key, found in grouped[by].items()]

    numbers = [c.number for c in hall.counters]
    return HallReport(
        hall=hall_id, first=first, last=last,
        total=Row(None, labels.total, figures.total(tickets, low)),
        by_service=listed(By.SERVICE), by_counter=listed(By.COUNTER), by_clerk=listed(By.CLERK),
        by_day=listed(By.DAY),
        satisfaction=sections.satisfaction(tickets, [RatingLevelInfo(level.code, level.score, level.name.model_dump(),
                                                                    level.low) for level in hall.rating_levels]),
        alerts=sections.alert_figures(raised),
        counters=sections.counter_times(counter_events, since, min(until, ctx.clock.now()), tickets, numbers),
        overtime=sections.overtime(tickets, hall.opening_hours, hall.timezone),
        heatmap=sections.heatmap(tickets, first, last, hall.timezone))


def halls_summary(ctx: HallContext, actor: Actor, first: date, last: date, region: str | None = None) -> Summary:
    """The halls the actor may see side by side (an admin all, a manager theirs), one row each,
    and their total; `region`: only the halls whose region path ("省/市/县") starts with it."""
    check_range(first, last)
    halls = [hall for hall in ctx.config.halls if actor.may_act_in(hall.id) and _in_region(hall, region)]
    found, total = {}, ReportTally(By.HALL, [None])
    with ctx.store.read() as reader:
        for hall in halls:  # one hall's tickets in memory at a time
            tickets = rows.tickets_between(reader.conn, hall, first, last)
            one = ReportTally(By.HALL, [None])
            for tally in (one, total):
                tally.add(tickets, _low_scores(hall))
            found[hall.id] = one.figures()[None]
    return Summary(None, first, last, By.HALL,
                   [Row(hall.id, {"zh": hall.name, "en": hall.name_en}, found[hall.id]) for hall in halls],
                   Row(None, _words(TOTAL), total.figures()[None]))


def _in_region(hall: Hall, region: str | None) -> bool:
    if not region:
        return True
    wanted, path = region.strip("/").split("/"), hall.region
    return path[:len(wanted)] == wanted


def _bounds(hall: Hall, first: date, last: date) -> tuple[datetime, datetime]:
    """The range as instants: from the local midnight starting `first` to the one ending `last`."""
    return day_start(first, hall.timezone), day_start(last + timedelta(days=1), hall.timezone)


def _low_scores(hall: Hall) -> frozenset[int]:
    return frozenset(level.score for level in hall.rating_levels if level.low)


def _keys(hall: Hall, by: By, first: date, last: date) -> list[Key]:
    """The rows shown even when empty: the configured services and counters, every day."""
    if by is By.SERVICE:
        return [service.code for service in hall.services]
    if by is By.COUNTER:
        return [counter.number for counter in hall.counters]
    return figures.date_range(first, last) if by is By.DAY else []


def _words(msgid: str, **params) -> dict[str, str]:
    return {lang: gettext(msgid, lang) % params for lang in LANGUAGES}


class _Labels:
    """The rows' labels in Chinese and English: service names, "3号窗口", a clerk's name and
    badge (their username if the accounts do not know them), the day."""

    def __init__(self, ctx: HallContext, hall: Hall, clerks) -> None:
        self.hall = hall
        self.staff = ctx.store.accounts.staff_names(clerk for clerk in clerks if clerk)
        self.total = _words(TOTAL)

    def of(self, by: By, key: Key) -> dict[str, str]:
        if by is By.SERVICE:
            service = self.hall.services_by_code.get(key)
            return service.name.model_dump() if service else {lang: key for lang in LANGUAGES}
        if by is By.COUNTER:
            counter = self.hall.counters_by_number.get(key)
            return counter.name.model_dump() if counter else _words(WINDOW, number=key)
        if by is By.CLERK:
            known = self.staff.get(key)
            name = (known.name if known else None) or key
            text = f"{name} ({known.badge})" if known and known.badge else name
            return {lang: text for lang in LANGUAGES}
        return {lang: key.isoformat() for lang in LANGUAGES}
