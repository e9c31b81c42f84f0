"""Domain objects to the JSON shapes of CONTRACT.md (the schemas in schemas.py)."""
from flask import current_app

from ..domain.alerts import alert_json
from ..domain.events import Event
from ..domain.tickets import Visit
from ..domain.timing import Item
from ..services.queries import Board, CounterView, Placed
from ..services.tracking import tracking_path


def _items_json(items: list[Item]) -> list[dict]:
    return [{"service": i.service, "count": i.count} for i in items]


def visit_json(visit: Visit, limits_s: dict[str, int]) -> dict:
    """A visit with its handling time judged against its own items' limit."""
    return {
        "counter": visit.counter, "clerk": visit.clerk, "service": visit.service,
        "called_at": visit.called_at, "started_at": visit.started_at, "ended_at": visit.ended_at,
        "outcome": visit.outcome.value if visit.outcome else None, "items": _items_json(visit.items),
        "handling_s": visit.handling_s,
        "limit_s": visit.limit_s(limits_s), "compliant": visit.compliant(limits_s),
    }


def ticket_json(placed: Placed) -> dict:
    t = placed.ticket
    return {
        "id": t.id, "hall": t.hall, "number": t.display_number, "service": t.service,
        "priority": t.priority, "status": t.status.value, "issued_at": t.issued_at,
        "called_at": t.called_at, "started_at": t.started_at, "finished_at": t.finished_at,
        "counter": t.counter, "recall_count": t.recall_count, "ahead": placed.ahead,
        "estimated_wait_s": placed.estimated_wait_s, "clerk": t.clerk, "wait_s": t.wait_s,
        "transfer_count": t.transfer_count,
        "items": _items_json(t.items), "handling_s": t.handling_s,
        "visits": [visit_json(v, _limits_s(t.hall)) for v in t.visits],
        "tracking_url": tracking_path(current_app.extensions["hall"], t.id),
    }


def track_json(placed: Placed) -> dict:
    """The customer's view of their own ticket (CONTRACT.md "The customer's ticket page")."""
    t = placed.ticket
    hall = current_app.extensions["hall"].hall(t.hall)
    service = hall.services_by_code.get(t.service)
    counter = hall.counters_by_number.get(t.counter) if t.counter is not None else None
    return {
        "hall": t.hall, "hall_name": {"zh": hall.name, "en": hall.name_en},
        "number": t.display_number, "service": t.service,
        "service_name": service.name.model_dump() if service else None, "status": t.status.value,
        "ahead": placed.ahead, "estimated_wait_s": placed.estimated_wait_s, "counter": t.counter,
        "counter_name": counter.name.model_dump() if counter else None,
        "issued_at": t.issued_at, "called_at": t.called_at, "recall_count": t.recall_count,
    }


def _limits_s(hall_id: str) -> dict[str, int]:
    hall = current_app.extensions["hall"].config.by_id.get(hall_id)
    return hall.handling_limits_s if hall else {}


def counter_json(view: CounterView) -> dict:
    c = view.counter
    return {
        "number": c.number, "state": c.state.value, "clerk": c.clerk,
        "ticket": ticket_json(Placed(view.ticket, None, None)) if view.ticket else None,
        "pause_reason": c.pause_reason,
    }


def board_json(board: Board) -> dict:
    counters = []
    for view in board.counters:
        over = view.limit_s is not None and view.elapsed_s is not None and view.elapsed_s > view.limit_s
        staff = board.staff.get(view.counter.clerk) if view.counter.clerk else None
        counters.append({**counter_json(view), "elapsed_s": view.elapsed_s, "limit_s": view.limit_s,
                         "over_limit": over, "clerk_name": staff.name if staff else None,
                         "clerk_badge": staff.badge if staff else None, "since": view.counter.since})
    staffing = {code: figures.as_data() for code, figures in board.staffing.items()}
    services = [{**vars(load), "staffing": staffing.get(load.code)} for load in board.services]
    return {"at": board.at, "last_seq": board.last_seq, "services": services, "counters": counters,
            "alerts": [alert_json(alert) for alert in board.alerts],
            "crowd": [{"camera": area.camera.name, "area": {"zh": area.camera.area_name.zh,
                                                            "en": area.camera.area_name.en},
                       "people": area.people, "at": area.at, "online": area.online} for area in board.crowd]}


def event_json(event: Event) -> dict:
    """The event as the API and Socket.IO send it (times as ISO 8601 strings)."""
    return {"seq": event.seq, "hall": event.hall, "type": event.type.value,
            "at": event.at.isoformat(), "ticket": event.ticket, "counter": event.counter,
            "actor": event.actor, "data": event.data}
